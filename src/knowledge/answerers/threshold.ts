/**
 * "我们注册刚两年，能报吗": a question that states the user's own quantity (years registered, revenue …) is judged
 * against the clause that sets a minimum for the same thing ("注册满3年", "营业收入不低于5000万元"), never answered
 * with a yes from the deadline or any other clause. The words around the numbers are the glossary's
 * (`userFactFiller`, `atLeastBefore`, `atLeastAfter`).
 */
import { CHINESE_NUMERAL_CHARS, parseChineseNumber } from '../../nlu/chinese-numbers.ts';
import { questionPattern } from '../../nlu/glossary.ts';
import { citationOf, finish, sourceLines } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf } from '../corpus.ts';
import { sentencesOf } from '../facts.ts';
import type { Knowledge } from '../knowledge.ts';
import type { Unit } from '../policy-schema.ts';
import { rank } from '../retrieval.ts';
import { familiesAsked, heard } from '../stated.ts';

/** A quantity in a comparable unit: years, or money in 万元. */
export interface Quantity {
  kind: 'years' | 'money';
  value: number;
}

const NUM = `\\d+(?:\\.\\d+)?|[${CHINESE_NUMERAL_CHARS}]+`;
const UNIT = '(周年|年|亿元|亿|万元|万|元)';

/** Reads a number and its unit as a comparable quantity (一个亿 → 10000万元, 两年 → 2 years). */
export function quantityOf(num: string, unit: string): Quantity | undefined {
  const n = parseChineseNumber(num);
  if (n === undefined) return undefined;
  if (/年/.test(unit)) return n > 0 && n < 100 ? { kind: 'years', value: n } : undefined;
  const scale = unit.startsWith('亿') ? 10_000 : unit.startsWith('万') ? 1 : 1 / 10_000;
  return { kind: 'money', value: n * scale };
}

/** A quantity the user states of their own enterprise, with the word it is of (注册, 营收). */
export interface UserFact extends Quantity {
  of: string;
  said: string;
}

/** The quantities a question states, each with the word just before it (the glossary's filler words set aside). */
export function userFacts(k: Knowledge, q: string): UserFact[] {
  const filler = questionPattern(k.glossary, 'userFactFiller');
  const out: UserFact[] = [];
  for (const m of q.matchAll(new RegExp(`(${NUM})\\s*个?\\s*${UNIT}`, 'g'))) {
    const before = q.slice(Math.max(0, m.index - 10), m.index);
    if (/\d$/.test(before)) continue;
    let rest = before;
    for (let i = 0; i < 3; i++) {
      const f = new RegExp(`(?:${filler.source})$`, 'i').exec(rest);
      if (!f || !f[0]) break;
      rest = rest.slice(0, rest.length - f[0].length);
    }
    // The word just before ("注册", "营收"): a single character or a numeral ("一年能拿10万") names nothing of the user's.
    const last = k.segmenter ? k.segmenter.tagged(rest).at(-1) : undefined;
    const of = k.segmenter ? (last && /^[\u4e00-\u9fff]{2,}$/.test(last.word) && !/^m/.test(last.tag) ? last.word : undefined) : /[\u4e00-\u9fff]{2}$/.exec(rest)?.[0];
    const quantity = quantityOf(m[1], m[2]);
    if (!of || !quantity || k.places.match(of).covered.length) continue;
    // An amount after a verb or a benefit ("能拿到200万", "补贴能有5万") is the amount asked for, not the user's own.
    const asking = familiesAsked(k, of).length > 0 || questionPattern(k.glossary, 'asksMay').test(of) || questionPattern(k.glossary, 'winningWords').test(of);
    if (quantity.kind === 'money' && (asking || (k.segmenter && !/^(n|vn|j|l)/.test(k.segmenter.tagged(of)[0]?.tag ?? 'n')))) continue;
    out.push({ ...quantity, of, said: `${m[1]}${m[0].includes('个') ? '个' : ''}${m[2]}` });
  }
  return out;
}

/** A minimum a clause sets: the phrase ("依法登记注册满3年"), the quantity, and the sentence it is in. */
interface Minimum extends Quantity {
  phrase: string;
  sentence: number;
}

/** The minimums a clause sets for a word ("满3年" after 注册, "不低于5000万元" after 营业收入). */
export function minimumsIn(k: Knowledge, u: Unit, of: string): Minimum[] {
  const before = questionPattern(k.glossary, 'atLeastBefore').source;
  const after = questionPattern(k.glossary, 'atLeastAfter').source;
  const re = new RegExp(`(?:(?:${before})\\s*(${NUM})\\s*个?\\s*${UNIT})|(?:(${NUM})\\s*个?\\s*${UNIT}\\s*(?:${after}))`, 'gi');
  const out: Minimum[] = [];
  sentencesOf(u).forEach((s, i) => {
    for (const seg of s.split(/[，,；;]/)) {
      for (const m of seg.matchAll(re)) {
        const q = m[1] ? quantityOf(m[1], m[2]) : quantityOf(m[3], m[4]);
        if (!q || !heard(k, of, seg.slice(0, m.index))) continue;
        out.push({ ...q, phrase: seg.trim().replace(/^[（(]?[一二三四五六七八九十\d]+[)）.、]\s*/, ''), sentence: i });
      }
    }
  });
  return out;
}

/** Answers a question stating the user's own quantity by the clause that sets a minimum for it. */
export const threshold: Answerer = {
  name: 'threshold',
  answer: ({ k, question, intent, q, qt, terms, hits, now }) => {
    const g = k.glossary;
    if (!(qt === 'yesno' || questionPattern(g, 'askingEnough').test(q)) || !questionPattern(g, 'aboutApplying').test(q)) return decline('does not ask whether the user may apply');
    const facts = userFacts(k, q);
    if (!facts.length || !hits[0]) return decline('states no quantity of the user\'s own');
    const docId = hits[0].unit.docId;
    // Each stated quantity against the minimums set for it: the highest it meets (of tiers, "首次突破1亿元…首次突破5000万元"),
    // else the lowest it falls short of; one short decides.
    // Of several clauses (质量奖 满5年, 提名奖 满3年), the one closest to the question sets the minimum.
    const judged = facts.flatMap((f) => {
      const found = unitsOf(k, docId).flatMap((u) => minimumsIn(k, u, f.of).filter((m) => m.kind === f.kind).map((min) => ({ u, min })));
      if (!found.length) return [];
      // A clause setting the conditions of applying (申报条件) comes before an award's tiers (首次突破1亿元的，奖励…).
      const setsConditions = (u: Unit) => questionPattern(g, 'conditionsClause').test(`${u.heading} ${u.text}`);
      const conditionsOnly = found.some((x) => setsConditions(x.u));
      const holders = new Set(found.filter((x) => !conditionsOnly || setsConditions(x.u)).map((x) => x.u));
      const closest = rank(k, q, terms, qt, (u) => holders.has(u), new Set([docId]), 12)[0]?.unit ?? found[0].u;
      const all = found.filter((x) => x.u === closest);
      const met = all.filter((x) => f.value >= x.min.value).sort((a, b) => b.min.value - a.min.value)[0];
      const lowest = [...all].sort((a, b) => a.min.value - b.min.value)[0];
      return [met ? { f, ...met, short: false } : { f, ...lowest, short: true }];
    });
    if (!judged.length) return decline('no clause sets a minimum for the quantity stated');
    const failed = judged.find((j) => j.short);
    const shown = failed ? [failed] : judged;
    const lead = failed
      ? `不符合：文件要求${failed.min.phrase}，您说的${failed.f.said}不满足这一条件，暂时不能申报。`
      : `这${judged.length > 1 ? '几' : '一'}条符合：${judged.map((j) => `文件要求${j.min.phrase}，您说的${j.f.said}满足`).join('；')}；其他条件也须同时满足。`;
    const citations = shown.map((j) => citationOf(j.u, sentencesOf(j.u)[j.min.sentence]));
    const doc = k.documents.find((d) => d.id === docId);
    const lines = [lead, ...sourceLines(citations[0]), ...citations.slice(1).map((c) => `另见：《${c.title}》${c.article}`)];
    return finish(k, question, intent, lines, citations, doc, now);
  },
};
