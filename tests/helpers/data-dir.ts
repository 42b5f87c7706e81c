/** Throwaway data directories for tests that load knowledge from documents of their own. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ROOT } from './run-cli.ts';

/**
 * Returns a maker of data directories holding the project's glossary and gazetteer and the given policy files (name →
 * text); every directory it made is removed after the test file. Call it at the top of a test file.
 */
export function dataDirs(prefix: string): (files: Record<string, string>) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return (files) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    mkdirSync(join(dir, 'policies'));
    for (const f of ['glossary.json', 'places.json']) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'data', f)));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'policies', name), text);
    return dir;
  };
}
