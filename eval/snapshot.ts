/**
 * Prints, for every question of every eval set (eval/*.jsonl) and of tests/fixtures/policies/*.questions.jsonl, the full
 * answer JSON at a fixed date (dialogues.jsonl, a set of conversations, aside), one line a question: the before/after check of a restructuring of the answerer.
 *
 *   npx tsx eval/snapshot.ts > /tmp/before.jsonl      (then again after the change, and diff)
 *   --bare drops the fields that only describe how the answer was reached (frame, trace), so dumps stay comparable.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { answerQuestion } from '../src/knowledge/answer.ts';
import { loadKnowledge } from '../src/knowledge/knowledge-base.ts';
import { precheckEligibility } from '../src/dialogue/eligibility.ts';
import { readItems } from './score.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const bare = process.argv.includes('--bare');
const sets = [
  ...readdirSync(here('.')).filter((f) => f.endsWith('.jsonl') && f !== 'dialogues.jsonl').sort().map((f) => here(`./${f}`)),
  ...readdirSync(here('../tests/fixtures/policies')).filter((f) => f.endsWith('.questions.jsonl')).sort().map((f) => here(`../tests/fixtures/policies/${f}`)),
];
const k = loadKnowledge(undefined, undefined, { eligibility: precheckEligibility });
const now = new Date('2026-11-22T10:00:00+08:00');
const out: string[] = [];
for (const file of sets) {
  for (const it of readItems(file)) {
    const a = answerQuestion(k, it.question, now) as unknown as Record<string, unknown>;
    const shown = bare ? Object.fromEntries(Object.entries(a).filter(([key]) => key !== 'frame' && key !== 'trace')) : a;
    out.push(JSON.stringify({ set: file.split('/').pop(), id: it.id, answer: shown }));
  }
}
process.stdout.write(`${out.join('\n')}\n`);
