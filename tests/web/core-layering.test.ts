/** The core stays free of web and chat libraries: nothing src/core reaches, directly or through other modules, imports them. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-cli.ts';

/** Every module reachable from `entry` through relative imports, with the bare package names they import. */
function reach(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return { files, packages };
}

describe('core layering', () => {
  it('src/core reaches no web, browser or chat library and no src/web or src/channels module', () => {
    const coreDir = join(ROOT, 'src', 'core');
    const entries = readdirSync(coreDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(coreDir, f));
    expect(entries.length).toBeGreaterThan(3);
    const { files, packages } = reach(entries);
    const forbidden = [...packages].filter((p) => /^(fastify|@fastify\/|playwright|grammy|@grammyjs\/|wechaty)/.test(p));
    expect(forbidden).toEqual([]);
    const layers = [...files].map((f) => f.slice(join(ROOT, 'src').length + 1)).filter((f) => f.startsWith('web/') || f.startsWith('channels/'));
    expect(layers).toEqual([]);
    expect(files.size).toBeGreaterThan(entries.length);
  });
});
