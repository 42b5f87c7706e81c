/**
 * Scores the answerer on labelled sets: the fact is in the answer and the right document is cited; for items with a
 * `type`, whether the answer's lead is of that type; and the length of the found answers.
 *
 *   npm run eval                       eval/questions.jsonl
 *   npm run eval -- eval/holdout.jsonl one file (several may be given)
 *   npm run eval -- --all              every set: questions, holdout, fresh, probe, probe2, fresh2a, fresh2b, unanswerable
 *   add --verbose for the failures, --json for one JSON summary object on stdout.
 * The strict line also wants every fact within the first 200 characters (⚠️ lines aside), as a chat reader sees it.
 */
import { fileURLToPath } from 'node:url';
import { answerQuestion } from '../src/knowledge/answer.ts';
import { loadKnowledge } from '../src/knowledge/knowledge-base.ts';
import { precheckEligibility } from '../src/dialogue/eligibility.ts';
import { answerTypes, charCount, judge, unanswerableOutcome, judgeStrict, leadOf, STRICT_CHARS, lengthStats, readItems, typeMatches, type LengthStats } from './score.ts';
import { DOC_TITLES } from './doc-titles.ts';


const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const SETS = ['./questions.jsonl', './holdout.jsonl', './fresh.jsonl', './probe.jsonl', './probe2.jsonl', './fresh2a.jsonl', './fresh2b.jsonl', './unanswerable.jsonl'].map(here);

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const json = args.includes('--json');
const named = args.filter((a) => !a.startsWith('--'));
const files = args.includes('--all') ? [...SETS, ...named] : named.length ? named : [SETS[0]];

const k = loadKnowledge(undefined, undefined, { eligibility: precheckEligibility });
const titles = new Map(k.documents.map((d) => [d.id, d.title]));
const docTitle = (doc: string) => DOC_TITLES[doc] ?? titles.get(doc) ?? doc;
const now = new Date('2026-11-22T10:00:00+08:00');

/** Summary of one set. */
interface SetSummary {
  file: string;
  correct: number;
  total: number;
  accuracy: number;
  strict: { ok: number; accuracy: number };
  perDoc: Record<string, { ok: number; n: number }>;
  typeMatch: { ok: number; n: number; rate: number; perType: Record<string, { ok: number; n: number }> };
  length: LengthStats;
  /** The items the documents do not answer: how many were declined, answered "not stated", or given a verdict or an amount. */
  unanswerable: { n: number; declined: number; notStated: number; verdicts: number; amounts: number };
  failures: { id: string; question: string; why: string; want?: string; lead: string }[];
  typeMisses: { id: string; type: string; lead: string }[];
}

const pct = (ok: number, n: number) => (n ? (100 * ok) / n : 0);

/** Scores one file. */
function runSet(file: string): SetSummary {
  const items = readItems(file);
  const per = new Map<string, { ok: number; n: number }>();
  const perType = new Map<string, { ok: number; n: number }>();
  const lengths: number[] = [];
  const failures: SetSummary['failures'] = [];
  const typeMisses: SetSummary['typeMisses'] = [];
  let ok = 0;
  let strictOk = 0;
  let typeOk = 0;
  let typed = 0;
  const unanswerable = { n: 0, declined: 0, notStated: 0, verdicts: 0, amounts: 0 };
  for (const it of items) {
    const a = answerQuestion(k, it.question, now);
    if (!it.found) {
      const o = unanswerableOutcome(a);
      unanswerable.n++;
      if (o.declined) unanswerable.declined++;
      else if (o.notStated && !o.verdict && !o.amount) unanswerable.notStated++;
      if (o.verdict) unanswerable.verdicts++;
      if (o.amount) unanswerable.amounts++;
    }
    const { pass, why } = judge(it, a, docTitle);
    const key = it.doc ?? 'out-of-scope';
    const s = per.get(key) ?? { ok: 0, n: 0 };
    s.n++;
    if (pass) {
      s.ok++;
      ok++;
    }
    per.set(key, s);
    if (judgeStrict(it, a, docTitle)) strictOk++;
    const lead = a.answer.split('\n')[0].slice(0, 80);
    if (!pass) failures.push({ id: it.id, question: it.question, why, want: it.note, lead });
    if (a.found) lengths.push(charCount(a.answer));
    if (it.type) {
      typed++;
      const t = perType.get(it.type) ?? { ok: 0, n: 0 };
      t.n++;
      if (typeMatches(it.type, a)) {
        t.ok++;
        typeOk++;
      } else typeMisses.push({ id: it.id, type: it.type, lead: leadOf(a.answer).slice(0, 80) });
      perType.set(it.type, t);
    }
  }
  const order = (m: Map<string, { ok: number; n: number }>, keys?: readonly string[]) =>
    Object.fromEntries([...m.entries()].sort(([x], [y]) => (keys ? keys.indexOf(x) - keys.indexOf(y) : x < y ? -1 : x > y ? 1 : 0)));
  return {
    file,
    correct: ok,
    total: items.length,
    accuracy: pct(ok, items.length),
    strict: { ok: strictOk, accuracy: pct(strictOk, items.length) },
    perDoc: order(per),
    typeMatch: { ok: typeOk, n: typed, rate: pct(typeOk, typed), perType: order(perType, answerTypes) },
    length: lengthStats(lengths),
    unanswerable,
    failures,
    typeMisses,
  };
}

/** Prints one set the way a person reads it. */
function print(s: SetSummary, withHeader: boolean): void {
  if (withHeader) console.log(`\n== ${s.file}`);
  if (verbose) for (const f of s.failures) console.log(`FAIL ${f.id} ${f.question} → ${f.why} [want ${f.want}] :: ${f.lead}`);
  const w = Math.max(18, ...Object.keys(s.perDoc).map((d) => d.length + 1));
  console.log(`${'document'.padEnd(w)}correct/total  accuracy`);
  for (const [d, v] of Object.entries(s.perDoc)) console.log(`${d.padEnd(w)}${`${v.ok}/${v.n}`.padStart(13)}  ${pct(v.ok, v.n).toFixed(1)}%`);
  console.log(`${'overall'.padEnd(w)}${`${s.correct}/${s.total}`.padStart(13)}  ${s.accuracy.toFixed(1)}%`);
  console.log(`${`strict (≤${STRICT_CHARS})`.padEnd(w)}${`${s.strict.ok}/${s.total}`.padStart(13)}  ${s.strict.accuracy.toFixed(1)}%  (facts within the first ${STRICT_CHARS} characters, ⚠️ lines aside)`);
  if (s.typeMatch.n) {
    if (verbose) for (const m of s.typeMisses) console.log(`TYPE ${m.id} want ${m.type} :: ${m.lead}`);
    const parts = Object.entries(s.typeMatch.perType).map(([t, v]) => `${t} ${v.ok}/${v.n}`);
    console.log(`${'type match'.padEnd(w)}${`${s.typeMatch.ok}/${s.typeMatch.n}`.padStart(13)}  ${s.typeMatch.rate.toFixed(1)}%  (${parts.join(', ')})`);
  }
  const u = s.unanswerable;
  if (u.n) console.log(`${'unanswerable'.padEnd(w)}${`${u.declined + u.notStated}/${u.n}`.padStart(13)}  ${pct(u.declined + u.notStated, u.n).toFixed(1)}%  (declined ${u.declined}, "not stated" ${u.notStated}; a verdict given ${u.verdicts}, an amount given ${u.amounts})`);
  const l = s.length;
  console.log(`${'answer length'.padEnd(w)}found ${l.n}: median ${l.median}, p90 ${l.p90}, max ${l.max} characters; ${l.over500} over 500`);
}

const summaries = files.map(runSet);
if (json) {
  const strip = ({ failures, typeMisses, ...rest }: SetSummary) => ({ ...rest, failures: failures.map((f) => f.id), typeMisses: typeMisses.map((m) => m.id) });
  const total = summaries.reduce((n, s) => n + s.total, 0);
  const correct = summaries.reduce((n, s) => n + s.correct, 0);
  const out = summaries.length === 1 ? strip(summaries[0]) : { sets: summaries.map(strip), overall: { correct, total, accuracy: pct(correct, total) } };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else summaries.forEach((s) => print(s, summaries.length > 1));
// The dialogue set, played through the real `chat --jsonl` (eval/run-dialogues.ts; `--json` there for its summary).
if ((args.includes('--all') || args.includes('--dialogues')) && !json) await import('./run-dialogues.ts').then(async (d) => d.printDialogues(await d.runDialogues(), verbose));
