/** Scoring rules shared by the eval runner and the drop-in document test: fact, citation, answer type and length. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { simplify } from '../src/nlu/normalize.ts';

/** The answer types a labelled question may expect. */
export const answerTypes = ['when', 'quantity', 'who', 'yesno', 'list', 'fact', 'none'] as const;

/** An answer type. */
export type AnswerType = (typeof answerTypes)[number];

/** One labelled question of an eval set. */
export const itemSchema = z.object({
  id: z.string(),
  question: z.string(),
  doc: z.string().nullable().default(null),
  facts: z.array(z.string()).default([]),
  found: z.boolean(),
  type: z.enum(answerTypes).optional(),
  note: z.string().optional(),
  /** For a question the documents do not answer: the wrong answer it invites. */
  trap: z.string().optional(),
});

/** One labelled question. */
export type EvalItem = z.infer<typeof itemSchema>;

/** The part of an answer the scoring reads. */
export interface ScoredAnswer {
  found: boolean;
  answer: string;
  citations: { title: string; article: string }[];
}

/** Reads a JSON-lines eval set; a bad line is reported by file, line and field. */
export function readItems(file: string): EvalItem[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l, i) => ({ l: l.trim(), i }))
    .filter(({ l }) => l !== '')
    .map(({ l, i }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(l);
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
      }
      const r = itemSchema.safeParse(raw);
      if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
      return r.data;
    });
}

/**
 * Removes separators so "9,000" and "9000" compare equal, and reads both scripts alike: a reader takes 20萬元 and 20万元
 * for the same fact, whichever script the document or the answer is in.
 */
export const norm = (s: string) => simplify(s.replace(/[\s,，]/g, ''));

/** Verdict on one answer by the eval rule: the facts are in the answer, the right document is cited, found matches. */
export function judge(it: EvalItem, a: ScoredAnswer, docTitle: (doc: string) => string): { pass: boolean; why: string } {
  if (!it.found) {
    // Declining is right; so is an honest "the document does not state it" that gives no verdict and no amount.
    const o = unanswerableOutcome(a);
    const pass = o.declined || (o.notStated && !o.verdict && !o.amount);
    const why = o.verdict ? `gave a verdict: ${leadOf(a.answer).slice(0, 30)}` : o.amount ? `gave an amount: ${leadOf(a.answer).slice(0, 30)}` : `should be not found or not stated; cited ${a.citations[0]?.article}`;
    return { pass, why: pass ? '' : why };
  }
  const text = norm(a.answer);
  const missing = it.facts.filter((f) => !text.includes(norm(f)));
  const docOk = it.doc ? a.citations.some((c) => norm(c.title).includes(norm(docTitle(it.doc!)))) : true;
  const pass = a.found && missing.length === 0 && docOk;
  const why = pass
    ? ''
    : !a.found
      ? 'not found'
      : !docOk
        ? `wrong doc: ${a.citations.map((c) => c.title.slice(0, 8) + c.article).join(',')}`
        : `missing ${missing.join(',')}`;
  return { pass, why };
}

/** Characters of the answer, warnings removed, within which the strict rule wants every fact (what a chat reader sees first). */
export const STRICT_CHARS = 200;

/** The strict rule: the eval rule, and every fact within the first STRICT_CHARS characters once ⚠️ lines are removed. */
export function judgeStrict(it: EvalItem, a: ScoredAnswer, docTitle: (doc: string) => string): boolean {
  if (!judge(it, a, docTitle).pass) return false;
  if (!it.found) return true;
  const head = norm([...a.answer.split('\n').filter((l) => !l.trim().startsWith('⚠')).join('\n')].slice(0, STRICT_CHARS).join(''));
  return it.facts.every((f) => head.includes(norm(f)));
}

/** Words by which an answer says the documents do not state what was asked. */
const NOT_STATED = /没有写明|未写明|没有明确|未明确|没有规定|未规定|没有涉及|未涉及|未收录|没有收录|不便猜测|没有提到|未提到|没有说明|未说明/;

/** An amount of money. */
const AMOUNT = /\d[\d,.]*\s*(?:万元|千元|元)/;

/** What an answer to a question the documents do not answer did: declined, said "not stated", gave a verdict or an amount. */
export interface UnanswerableOutcome {
  declined: boolean;
  notStated: boolean;
  verdict: boolean;
  amount: boolean;
}

/** Reads an answer to a question the documents do not answer (its lead, the lapse framing aside). */
export function unanswerableOutcome(a: ScoredAnswer): UnanswerableOutcome {
  if (!a.found) return { declined: true, notStated: false, verdict: false, amount: false };
  const lead = leadOf(a.answer).replace(/^[\s✅❌☑️✔️✖️*【】]+/u, '');
  const bare = lead.replace(/^原[\u4e00-\u9fff]{1,3}规定：/, '');
  return { declined: false, notStated: NOT_STATED.test(lead), verdict: YESNO.test(bare) || YESNO.test(bare.replace(FRAME, '')), amount: AMOUNT.test(lead) };
}

/** The lead of an answer: its first line that is not a ⚠️ warning. */
export function leadOf(answer: string): string {
  return answer.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('⚠️') && !l.startsWith('⚠')) ?? '';
}

/** The lines of the lead block: the lead and the short lines after it, up to the source line or the quote. */
function leadBlock(answer: string): string[] {
  const lines = answer.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l !== '' && !l.startsWith('⚠'));
  if (start < 0) return [];
  const block: string[] = [];
  for (const l of lines.slice(start)) {
    if (l === '' || l.startsWith('⚠') || /^(依据|来源|出处|原文|>|《|“|回复)/.test(l)) break;
    block.push(l);
  }
  return block;
}

const NUM = String.raw`(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两〇零]+)`;
const WHEN = new RegExp(String.raw`${NUM}\s*(?:个工作日|个月|年|月|日|号|天|周)|期间|年底|年初|年末|月底|季度|上半年|下半年|即日起`);
const QUANTITY = new RegExp(String.raw`${NUM}\s*(?:万元|元|家次|家|个|项|%|％|次|年|天|张|件|名|期|批次|批|种|倍|人|届|所|类|分)|百分之`);
const WHO = /局|部门|政府|委员会|办公室|协会|小组|单位|中心|(?:标准化|计量|质量|科技|认证|监督|特监|法规|审批)处|总队|海关|党委|宣传部|管委会|提升办|领导|市长/;
/** Wording that frames a lapsed or quoted rule before the yes/no word. */
const FRAME = /^(?:按|据|根据|按照)?(?:原|该|这份|这个|本)?(?:办法|文件|计划|方案|规定|原文)?的?(?:规定|写明|明确|提到|要求)?[：:，,]?\s*/;
const YESNO = /^(?:可以|不可以|可|不能|能|需要|不需要|是|不是|没有限制|不限|符合|不符合|没有|不会|必须|无需|不用|不必|不要|否|已过有效期|已过期|已失效|已到期|已废止|已截止|已结束|仍(?:然)?有效|仍在有效期|yes\b|no\b|(?:有|会|要|不|对)(?=[。，,！!\s]|$))/i;

/** Whether an answer's lead is of the expected type (none: the answer is not found). */
export function typeMatches(type: AnswerType, a: ScoredAnswer): boolean {
  if (type === 'none') {
    // Declined, or an honest "not stated" with no verdict and no amount.
    const o = unanswerableOutcome(a);
    return o.declined || (o.notStated && !o.verdict && !o.amount);
  }
  if (!a.found) return false;
  const lead = leadOf(a.answer);
  switch (type) {
    case 'when':
      return WHEN.test(lead);
    case 'quantity':
      return QUANTITY.test(lead);
    case 'who':
      return WHO.test(lead);
    case 'yesno': {
      const l = lead.replace(/^[\s✅❌☑️✔️✖️*【】]+/u, '');
      return YESNO.test(l) || YESNO.test(l.replace(FRAME, ''));
    }
    case 'list':
      return /[、；;]/.test(lead) || leadBlock(a.answer).length >= 2;
    case 'fact':
      // A what-question has no shape of its own: any found answer is of its type.
      return true;
  }
}

/** Length distribution of a set of answers, in characters. */
export interface LengthStats {
  n: number;
  median: number;
  p90: number;
  max: number;
  over500: number;
}

/** Median, 90th percentile (nearest rank), maximum and count over 500 characters. */
export function lengthStats(lengths: number[]): LengthStats {
  const s = [...lengths].sort((x, y) => x - y);
  const rank = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : 0);
  const median = !s.length ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, median, p90: rank(0.9), max: s.length ? s[s.length - 1] : 0, over500: s.filter((x) => x > 500).length };
}

/** Characters of a string as a reader counts them (code points). */
export const charCount = (s: string) => [...s].length;
