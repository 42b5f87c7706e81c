/**
 * The BM25 baseline the bot is measured against: minisearch (a maintained full-text search library) over the same
 * units, cut by the project's own segmenter, answering each question with its best unit's text and citing that unit.
 *
 *   build <dataDir>               writes <dataDir>/bm25-baseline.json from the built index.json
 *   ask --jsonl <dataDir>         one JSON answer per stdin line: { found, answer, citations }
 *
 * The bench bundles this file like the bot's own build (scripts/build.mjs), so both start as plain JavaScript.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { createSegmenter } from '../src/nlu/segmenter.ts';

interface IndexUnit {
  docId: string;
  title: string;
  article: string;
  heading: string;
  text: string;
}

/** The units and dictionary of a built index.json. */
function readIndex(dataDir: string): { units: IndexUnit[]; dictionary: string[] } {
  return JSON.parse(readFileSync(join(dataDir, 'index.json'), 'utf8')) as { units: IndexUnit[]; dictionary: string[] };
}

/** minisearch with the project's segmenter: the same terms the bot's own search uses. */
function options(dictionary: string[]) {
  const seg = createSegmenter(dictionary);
  return { fields: ['text', 'heading', 'title'], tokenize: (s: string) => seg.terms(s), processTerm: (t: string) => t, searchOptions: { boost: { text: 1, heading: 0.5, title: 0.3 } } };
}

/** Indexes every unit and saves the index. */
function build(dataDir: string): void {
  const { units, dictionary } = readIndex(dataDir);
  const ms = new MiniSearch<IndexUnit & { id: number }>(options(dictionary));
  ms.addAll(units.map((u, id) => ({ ...u, id })));
  writeFileSync(join(dataDir, 'bm25-baseline.json'), JSON.stringify(ms));
}

/** Answers stdin lines from the saved index. */
async function ask(dataDir: string): Promise<void> {
  const { units, dictionary } = readIndex(dataDir);
  const ms = MiniSearch.loadJSON<IndexUnit & { id: number }>(readFileSync(join(dataDir, 'bm25-baseline.json'), 'utf8'), options(dictionary));
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const best = ms.search(line)[0];
    const u = best ? units[best.id as number] : undefined;
    process.stdout.write(`${JSON.stringify(u ? { found: true, answer: u.text, citations: [{ title: u.title, article: u.article }] } : { found: false, answer: '', citations: [] })}\n`);
  }
}

const [cmd, ...rest] = process.argv.slice(2);
const dir = rest.filter((a) => !a.startsWith('--'))[0];
if (cmd === 'build' && dir) build(dir);
else if (cmd === 'ask' && dir) await ask(dir);
else {
  process.stderr.write('usage: bm25-baseline build <dataDir> | ask --jsonl <dataDir>\n');
  process.exitCode = 2;
}
