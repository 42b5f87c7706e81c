/** The layers read downward: nlu imports nothing above it, knowledge nothing but nlu, and storage nothing from the core. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-cli.ts';

/** The src/ layers each file of a directory imports (by relative path), as "file → layer". */
function importsOf(dir: string): string[] {
  const base = join(ROOT, 'src', dir);
  const out: string[] = [];
  for (const f of readdirSync(base, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.ts'))) {
    const file = join(base, f);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const layer = relative(join(ROOT, 'src'), resolve(dirname(file), m[1])).split('/')[0];
      out.push(`${dir}/${f} → ${layer}`);
    }
  }
  return out;
}

describe('layering', () => {
  it('nlu imports only nlu and errors', () => {
    expect(importsOf('nlu').filter((x) => !/→ (nlu|errors\.ts)$/.test(x))).toEqual([]);
  });

  it('knowledge imports only knowledge, nlu and errors (the answer types live in knowledge; the pre-check judge is injected)', () => {
    expect(importsOf('knowledge').filter((x) => !/→ (knowledge|nlu|errors\.ts)$/.test(x))).toEqual([]);
  });

  it('storage imports nothing from the core', () => {
    expect(importsOf('storage').filter((x) => /→ core$/.test(x))).toEqual([]);
  });
});
