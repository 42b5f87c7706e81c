/** Yes/no questions: the clause that decides, and the verdict word it gives for what is asked. */
import { sentencesOf } from './facts.ts';
import type { Knowledge } from './knowledge.ts';
import type { Unit } from './policy-schema.ts';
import type { Hit, UnitSearch } from './search.ts';
import { scoreSentence, formHeader, stopwordsOf } from './retrieval.ts';
import { askedObject } from '../nlu/question.ts';
import { type Glossary, type PatternName, questionPattern, verdictAsked } from '../nlu/glossary.ts';

/** Index of the close hit that holds the question's rarest topic word, or -1. */
export function decidingHit(k: Knowledge, hits: Hit[], terms: Map<string, number>): number {
  const stop = new Set(k.glossary.stopwords);
  // (Counts and years, "一次", "4次", "三年", are the user's own facts, not what decides.)
  // (Nor do pronouns and measure words, "每个", "这些": only content words, nouns, verbs and the like.)
  const content = (t: string) => !k.segmenter || /^(n|v|a|j|l|i|b)/.test(k.segmenter.tagged(t)[0]?.tag ?? 'n');
  const words = [...terms.entries()].filter(([t, w]) => w >= 0.6 && t.length >= 2 && !stop.has(t) && !k.places.match(t).covered.length && !/\d|^[一二两三四五六七八九十]+[次年个家项]$/.test(t) && content(t)).sort((a, b) => k.search.idf(b[0]) - k.search.idf(a[0]));
  const close = hits.filter((h, i) => i < 5 && h.score >= hits[0].score * 0.5 && !formHeader(h.unit));
  for (const [t] of words) {
    const holders = close.filter((h) => h.unit.text.includes(t));
    if (holders.length && holders.length < close.length) return hits.indexOf(holders[0]);
  }
  return -1;
}

/** A plain 可以/不可以 for a yes/no question, decided by the sentence holding the question's rarest word. */
export function yesNoLead(g: Glossary, q: string, u: Unit, sentence: number, terms: Map<string, number>, search: UnitSearch): { verdict: string; sentence: number } | undefined {
  const all = sentencesOf(u);
  // A closing "(各区县政府负责)" names who does it; it says neither yes nor no, so it never decides.
  const bare = (x: string) => /^[（(\[][^（()）\[\]]*[）)\]][。]?$/.test(x.trim());
  const sentences = all.map((x) => (bare(x) && all.length > 1 ? '' : x));
  // The deciding word: the rarest question word or synonym (收费 → 收取) that the clause holds.
  const inUnit = [...terms.entries()].filter(([t, w]) => w >= 0.6 && t.length >= 2 && sentences.some((x) => x.includes(t)));
  let at = inUnit.length ? sentences.findIndex((x) => x.includes(inUnit.sort((a, b) => search.idf(b[0]) * b[1] - search.idf(a[0]) * a[1])[0][0])) : sentence;
  // The thing asked about ("有没有补贴" → 补贴, 资助) decides, where the clause speaks of it, over rarer words of the context.
  const object = askedObject(q, g);
  if (object) {
    const words = new Map([...search.queryTerms(object)].filter(([t]) => t.length >= 2));
    // Among sentences that speak of it equally, the one that says yes or no (给予资金扶持, not 完善资金扶持标准) decides.
    const says = (x: string) => (verdictWords(g).test(x) ? 1 : 0);
    const scored = sentences.map((x, i) => ({ i, score: scoreSentence(x, words, search), says: says(x) })).sort((a, b) => b.score - a.score || b.says - a.says || a.i - b.i);
    if (scored[0]?.score > 0) at = scored[0].i;
  }
  const v = verdictOf(g, q, sentences[at] ?? '');
  return v ? { verdict: v, sentence: at } : undefined;
}

/** Whether a short asked-about noun (补贴, 免检, 收费) is absent from the clause, with its synonyms and longer forms. */
export function unheard(k: Knowledge, object: string, unit: Unit): boolean {
  if (object.length > 4) return false;
  const stop = stopwordsOf(k);
  const words = [...k.search.queryTerms(object).keys(), ...k.search.synonymsOf(object)].filter((t) => t.length >= 2 && !stop.has(t));
  const text = `${unit.text} ${unit.heading}`.toLowerCase();
  return words.length > 0 && !words.some((t) => text.includes(t));
}

/** Words by which a clause says yes or no (the glossary's `verdictWords`). */
export const verdictWords = (g: Glossary): RegExp => questionPattern(g, 'verdictWords');

/** 可以/不可以/需要/不需要 as the deciding sentence states it, for what the question asks. */
export function verdictOf(g: Glossary, q: string, deciding: string): string | undefined {
  if (!deciding) return undefined;
  const asks = (name: PatternName) => questionPattern(g, name).test(q);
  const says = (name: PatternName) => questionPattern(g, name).test(deciding);
  const asksMay = asks('asksMay');
  const asksNeed = asks('asksNeed');
  if (asks('asksLimit') && says('clauseUnlimited')) return '没有限制。';
  if (asks('asksFee') && says('clauseFree')) return '不收费。';
  if (asksMay && says('clauseRefuses')) return '不可以。';
  if (asksMay && says('clauseMay') && !says('clauseForbids')) return '可以。';
  // "检测机构能申报高新技术企业吗" — "支持符合条件的检验检测认证机构申报高新技术企业".
  if (asksMay && says('clauseSupports') && !says('clauseWithholds')) return '可以。';
  if (asksNeed && says('clauseRequires') && !says('clauseWaives')) return '需要。';
  if (asksNeed && says('clauseExempts')) return '不需要。';
  // "有没有/会不会/要不要/是不是": the clause that holds the asked words says it does (or, with a negation, that it does not).
  const negated = says('clauseNegates');
  const positive = says('clausePositive');
  const asked = verdictAsked(g, q);
  if (asked && negated && !positive) return `${asked.no}。`;
  if (asked && positive && !negated) return `${asked.yes}。`;
  return undefined;
}
