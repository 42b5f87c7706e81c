/** Yes/no questions: the clause that decides, and the verdict word it gives for what is asked. */
import { sentencesOf } from './facts.ts';
import type { Knowledge } from './knowledge.ts';
import type { Unit } from './policy-schema.ts';
import type { Hit, UnitSearch } from './search.ts';
import { scoreSentence, formHeader, stopwordsOf } from './retrieval.ts';
import { askedObject } from '../nlu/question.ts';
import { type Glossary, questionPattern } from '../nlu/glossary.ts';

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
  const v = verdictOf(q, sentences[at] ?? '');
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
export function verdictOf(q: string, deciding: string): string | undefined {
  if (!deciding) return undefined;
  const asksMay = /可以|能|可不可以|能不能|允许|行不行|算不算|认不认|can |may |allowed/i.test(q);
  const asksNeed = /需要|要不要|需不需要|必须|是否要|得不得|need|must/i.test(q);
  if (/名额|限制|限额|上限/.test(q) && /不限/.test(deciding)) return '没有限制。';
  if (/收费|收钱|交钱|要钱|费用|免费|fee|charge/i.test(q) && /不收取|免费|不收费|无需缴纳|不需缴纳/.test(deciding)) return '不收费。';
  if (asksMay && /不得|不能|不予|禁止|严禁|不推荐/.test(deciding)) return '不可以。';
  if (asksMay && /(?<!不)(可以|可多项|可重新|可在|可|允许)/.test(deciding) && !/不得|不能|不予|禁止|严禁/.test(deciding)) return '可以。';
  // "检测机构能申报高新技术企业吗" — "支持符合条件的检验检测认证机构申报高新技术企业".
  if (asksMay && /支持|鼓励/.test(deciding) && !/不得|不能|不予|禁止|严禁|不支持|不鼓励/.test(deciding)) return '可以。';
  if (asksNeed && /须|必须|应当|需|要求|应/.test(deciding) && !/不需|无需|不必|不收取/.test(deciding)) return '需要。';
  if (asksNeed && /不需|无需|不必|不收取|免/.test(deciding)) return '不需要。';
  // "有没有/会不会/要不要/是不是": the clause that holds the asked words says it does (or, with a negation, that it does not).
  const negated = /不得|不予|禁止|严禁|不设|不再|没有|未/.test(deciding);
  const positive = /鼓励|支持|推动|推行|推进|实施|建立|开展|设立|给予|给以|要求|应当|组织|加大|加强|强化|完善|健全|落实|依法|移送|制订|制定|纳入|培育|推广|发挥|大力|积极|进行|实行|执行|引导|优先|可以|将/.test(deciding);
  const asked = /有没有|有无|有.{1,12}吗/.test(q) ? ['有', '没有'] : /会不会|会.{1,12}吗/.test(q) ? ['会', '不会'] : /要不要|要.{1,12}吗/.test(q) ? ['需要', '不需要'] : /是不是|是否/.test(q) ? ['是', '不是'] : /^(does|do|is|are|will)\b/i.test(q) ? ['是的', '不'] : undefined;
  if (asked && negated && !positive) return `${asked[1]}。`;
  if (asked && positive && !negated) return `${asked[0]}。`;
  return undefined;
}
