/** Scores the answerer on the labelled set: the fact is in the answer and the right document is cited. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { answerQuestion } from '../src/knowledge/answer.ts';
import { loadKnowledge } from '../src/knowledge/knowledge-base.ts';

const itemSchema = z.object({
  id: z.string(),
  question: z.string(),
  doc: z.string().nullable(),
  facts: z.array(z.string()),
  found: z.boolean(),
  note: z.string().optional(),
});

/** Title fragments identifying each document id. */
const DOC_TITLES: Record<string, string> = {
  'kaiping-award': '开平市水暖卫浴产品质量优秀奖评审管理办法',
  'kaiping-plan': '开平市水暖卫浴行业质量提升工作方案',
  zhongshan: '中山市',
  shantou: '汕头市',
  sichuan: '四川省',
  jiangmen: '江门市',
};

/** Removes separators so "9,000" and "9000" compare equal. */
const norm = (s: string) => s.replace(/[\s,，]/g, '');

const file = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? new URL('./questions.jsonl', import.meta.url).pathname;
const verbose = process.argv.includes('--verbose');
const items = readFileSync(file, 'utf8').trim().split('\n').map((l, i) => {
  const r = itemSchema.safeParse(JSON.parse(l));
  if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
  return r.data;
});
const k = loadKnowledge();
const now = new Date('2026-11-22T10:00:00+08:00');
const per = new Map<string, { ok: number; n: number }>();
let ok = 0;
for (const it of items) {
  const a = answerQuestion(k, it.question, now);
  let pass: boolean;
  let why = '';
  if (!it.found) {
    pass = !a.found;
    why = pass ? '' : `should be not found; cited ${a.citations[0]?.article}`;
  } else {
    const text = norm(a.answer);
    const missing = it.facts.filter((f) => !text.includes(norm(f)));
    const docOk = it.doc ? a.citations.some((c) => c.title.includes(DOC_TITLES[it.doc!] ?? it.doc!)) : true;
    pass = a.found && missing.length === 0 && docOk;
    why = !a.found ? 'not found' : !docOk ? `wrong doc: ${a.citations.map((c) => c.title.slice(0, 8) + c.article).join(',')}` : `missing ${missing.join(',')}`;
  }
  const key = it.doc ?? 'out-of-scope';
  const s = per.get(key) ?? { ok: 0, n: 0 };
  s.n++;
  if (pass) { s.ok++; ok++; }
  per.set(key, s);
  if (!pass && verbose) console.log(`FAIL ${it.id} ${it.question} → ${why} [want ${it.note}] :: ${a.answer.split('\n')[0].slice(0, 80)}`);
}
console.log('document          correct/total  accuracy');
for (const [d, s] of [...per.entries()].sort()) console.log(`${d.padEnd(18)}${`${s.ok}/${s.n}`.padStart(13)}  ${((100 * s.ok) / s.n).toFixed(1)}%`);
console.log(`${'overall'.padEnd(18)}${`${ok}/${items.length}`.padStart(13)}  ${((100 * ok) / items.length).toFixed(1)}%`);
