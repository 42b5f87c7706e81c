/**
 * A cap on what one applicant may get ("一年最多能拿多少", "能拿到200万吗"): the clause that sets the ceiling
 * (每年累计不超过…, 最高不超过…), and against a yes/no with an amount above it, 不能 with the cap cited. A yes/no is
 * never answered yes from a cap: an amount under the ceiling is not thereby granted.
 */
import { questionPattern } from '../../nlu/glossary.ts';
import { partsOf } from '../../nlu/question.ts';
import { citationOf, excerptOf, finish, period, sourceLines, tidyFact } from '../compose.ts';
import { type AnswerContext, type Answerer, decline } from '../context.ts';
import { numberOf, sentencesOf, type Fact } from '../facts.ts';
import type { Knowledge } from '../knowledge.ts';
import type { Unit } from '../policy-schema.ts';
import { rank, significantTerms, stopwordsOf } from '../retrieval.ts';
import { familiesAsked, heard } from '../stated.ts';
import { userFacts } from './threshold.ts';

/** The amount in yuan a question names ("200万", "10万元", "5000元"), or undefined. */
export function askedAmount(q: string): number | undefined {
  const m = /(\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(千|万|亿)元?|(\d+(?:\.\d+)?)\s*元/.exec(q);
  if (!m) return undefined;
  const n = numberOf(m[1] ?? m[3]);
  const scale: Record<string, number> = { 千: 1000, 万: 10_000, 亿: 100_000_000 };
  return n === undefined ? undefined : Math.round(n * (m[2] ? scale[m[2]] : 1));
}

/** A ceiling a clause states: the unit, the sentence and the amount fact with its upper bound. */
interface Cap {
  unit: Unit;
  fact: Fact;
}

/** The ceilings (amounts with an upper bound) of the given units. */
function capsOf(units: Unit[]): Cap[] {
  return units.flatMap((unit) => (unit.facts ?? []).filter((f) => f.type === 'amount' && f.bound === 'max' && f.value).map((fact) => ({ unit, fact })));
}

/** The question's words that name a particular item (绿色产品认证), not the applicant, the place, the money or the document. */
function itemWords(k: Knowledge, q: string, docTitles: string[]): string[] {
  const own = q.replace(questionPattern(k.glossary, 'applicantPhrase', 'g'), ' ');
  const stop = stopwordsOf(k);
  const money = (t: string) => familiesAsked(k, t).length > 0 || k.glossary.verdictEvidence.families.some((f) => new RegExp(f.evidence.join('|')).test(t));
  const colloquial = new Set(k.glossary.colloquial);
  return significantTerms(k, k.search.queryTerms(own)).filter((t) => !stop.has(t) && !colloquial.has(t) && !money(t) && !questionPattern(k.glossary, 'asksCap').test(t) && !docTitles.some((d) => d.includes(t)));
}

/**
 * The ceiling the question asks about: the item's own, or else the document's overall one (which bounds every item);
 * `item` says whether the question named an item.
 */
function chooseCap(ctx: AnswerContext): (Cap & { whole: boolean; item: boolean }) | undefined {
  const { k, q, terms, qt, covered, awardDocs, hits } = ctx;
  const docIds = new Set(covered.length ? k.documents.filter((d) => covered.includes(d.region)).map((d) => d.id) : awardDocs.size ? awardDocs : hits[0] ? [hits[0].unit.docId] : []);
  const inScope = k.units.filter((u) => docIds.has(u.docId));
  const caps = capsOf(inScope);
  if (!caps.length) return undefined;
  const titles = k.documents.filter((d) => docIds.has(d.id)).map((d) => d.title);
  const items = itemWords(k, q, titles);
  const holders = new Set(caps.map((c) => c.unit));
  if (items.length) {
    // The best-ranked clause with a ceiling that names the item ("绿色产品认证…同一企业每年获得本项奖励不超过10万元").
    const ranked = rank(k, q, terms, qt, (u) => holders.has(u), new Set(docIds), 8);
    const unit = ranked.map((h) => h.unit).find((u) => items.some((t) => heard(k, t, `${u.heading} ${u.text}`.toLowerCase())));
    const own = unit ? pick(caps.filter((c) => c.unit === unit)) : undefined;
    if (own) return { ...own, whole: false, item: true };
  }
  // No item's own ceiling: the ceiling on everything the document gives (本细则/本办法/本措施…), else a yearly total
  // (年度资助总额, 累计) that names no item.
  const sentence = (c: Cap) => sentencesOf(c.unit)[c.fact.sentence] ?? '';
  const total = (c: Cap) => questionPattern(k.glossary, 'capTotal').test(c.fact.clause) && /每年|年度/.test(c.fact.clause);
  const whole = pick(caps.filter((c) => questionPattern(k.glossary, 'capWhole').test(sentence(c)))) ?? pick(caps.filter(total));
  return whole ? { ...whole, whole: true, item: items.length > 0 } : undefined;
}

/** Of a clause's ceilings, the one per year or accumulated (每年, 累计) first. */
function pick<T extends Cap>(caps: T[]): T | undefined {
  return caps.find((c) => /每年|年度|累计/.test(c.fact.clause)) ?? caps[0];
}

/** The sentence that states the ceiling, or when it is long the clause before the ceiling and the ceiling itself. */
function capText(sentence: string, fact: Fact): string {
  const tidy = (x: string) => tidyFact(x).replace(/[（(][^）)]*$/, '').replace(/[。；;，,：:\s]+$/, '');
  if (sentence.length <= 60) return tidy(sentence);
  const parts = sentence.split(/(?<=[，,；;])/);
  const at = parts.findIndex((p) => p.replace(/\s+/g, '').includes(fact.text));
  if (at < 0) return tidy(fact.clause);
  const two = at > 0 ? parts[at - 1] + parts[at] : parts[at];
  return tidy(two.length <= 60 ? two : parts[at]);
}

/** Answers a question about the most one applicant may get, from the clause that sets the ceiling. */
export const cap: Answerer = {
  name: 'cap',
  answer: (ctx) => {
    const { k, q, qt, question, intent, now } = ctx;
    const asksCap = questionPattern(k.glossary, 'asksCap').test(q);
    // ("营收八千万能拿奖吗": an amount the user states of their own enterprise is no amount asked for.)
    const stated = userFacts(k, q).filter((f) => f.kind === 'money').map((f) => Math.round(f.value * 10_000));
    const asked = qt === 'yesno' ? askedAmount(q) : undefined;
    const amount = asked !== undefined && stated.includes(asked) ? undefined : asked;
    const moneyAsked = qt === 'money' || (qt === 'quantity' && (k.glossary.questionWords.money.some((w) => q.includes(w)) || familiesAsked(k, q).length > 0));
    // (A message that asks several things, "每件补多少，一年封顶多少", is answered by the clause that says both.)
    // (…unless each of its parts asks the ceiling: "一年最多能拿多少，有封顶吗".)
    const parts = partsOf(q, k.glossary);
    const oneAsk = parts.length === 1 || parts.every((p) => questionPattern(k.glossary, 'asksCap').test(p));
    if (!(amount !== undefined || (asksCap && moneyAsked && oneAsk))) return decline('asks no ceiling and no amount to check against one');
    const found = chooseCap(ctx);
    if (!found) return decline('no clause in scope sets the ceiling asked about');
    const { unit, fact } = found;
    // "CE认证能拿5万吗" under the overall ceiling: the item's own clause says what it gives, not the ceiling.
    if (amount !== undefined && amount <= fact.value! && found.whole && found.item) return decline('an item named, under the overall ceiling: its own clause answers');
    const doc = k.documents.find((d) => d.id === unit.docId);
    const sentence = sentencesOf(unit)[fact.sentence] ?? fact.clause;
    const said = capText(sentence, fact);
    const over = amount !== undefined && amount > fact.value!;
    const lead = amount === undefined ? said : over ? `不能。${said}` : `${said}（这是上限，具体能拿多少要看符合的事项）`;
    const c = citationOf(unit, excerptOf(unit, fact.sentence, [fact]));
    return finish(k, question, intent, [period(lead), ...sourceLines(c)], [c], doc, now);
  },
};
