/** Retrieval: ranking clauses for a question, the weighted topic terms, and whether the best clause covers the question. */
import { questionPattern, type Glossary } from '../nlu/glossary.ts';
import { sentencesOf, type Fact, type FactType } from './facts.ts';
import type { Knowledge } from './knowledge.ts';
import type { Unit } from './policy-schema.ts';
import { StoredUnit } from './stored-unit.ts';
import { withoutOwnTitle, type Hit, type UnitSearch } from './search.ts';
import { tidyFact } from './compose.ts';
import { documentText, awardNames } from './corpus.ts';
import { type QuestionType, askedPredicate } from '../nlu/question.ts';

/** Fact types that answer each question type, best first. */
export const WANTED: Record<QuestionType, FactType[]> = {
  when: ['date', 'deadline'],
  duration: ['duration', 'deadline'],
  cadence: ['cadence'],
  money: ['amount'],
  quantity: ['quota', 'count', 'percent', 'threshold', 'amount'],
  who: ['body', 'contact'],
  where: ['place'],
  list: [],
  yesno: [],
  fact: [],
};

/** Fact types that answer a question type less directly, used only when no close clause holds a fact of the first kind. */
export const FALLBACK: Partial<Record<QuestionType, FactType[]>> = { when: ['duration'], duration: ['date'], quantity: ['duration'], where: ['body'] };

/** Scores a sentence against the question's weighted terms. */
export function scoreSentence(s: string, terms: Map<string, number>, search: UnitSearch): number {
  let score = 0;
  const lower = s.toLowerCase();
  for (const [t, w] of terms) if (lower.includes(t)) score += w * search.idf(t);
  return score;
}

/**
 * Scores a clause like scoreSentence, but a term the clause only uses as the tail of a longer name counts a third:
 * "管理体系认证" in "环境管理体系认证" (or in "职业健康安全管理体系/认证") names another thing than the question's
 * 质量管理体系认证, when the noun before it (环境, 职业健康安全) is not one the question uses.
 */
export function scoreClause(c: string, terms: Map<string, number>, search: UnitSearch): number {
  const keys = [...terms.keys()];
  const lower = c.toLowerCase();
  // Each word of the clause with its offset, to find the word in which a term's occurrence starts.
  const spans: { word: string; start: number }[] = [];
  let offset = 0;
  for (const word of search.wordsOf(lower)) {
    const at = lower.indexOf(word, offset);
    if (at < 0) continue;
    spans.push({ word, start: at });
    offset = at + word.length;
  }
  const siblingAt = (t: string, at: number) => {
    const w = spans.findLast((x) => x.start <= at);
    if (!w || w.start === at || w.start + w.word.length <= at) return false;
    const before = w.word.slice(0, at - w.start);
    return !keys.some((k) => k.includes(before) || k.includes(w.word)) && search.isNoun(before);
  };
  let score = 0;
  for (const [t, w] of terms) {
    let at = lower.indexOf(t);
    if (at < 0) continue;
    let own = false;
    for (; at >= 0 && !own; at = lower.indexOf(t, at + 1)) own = !siblingAt(t, at);
    score += (own ? 1 : 0.3) * w * search.idf(t);
  }
  return score;
}

/** Facts of a unit of the wanted types. */
export function factsOfType(u: Unit, types: FactType[]): Fact[] {
  return u.facts ? u.facts.filter((f) => types.includes(f.type)) : [];
}

/** Whether a unit holds any fact of the types (without building a list). */
export function holdsType(u: Unit, types: FactType[]): boolean {
  // A unit opened from the index file knows its kinds of fact without reading its body (a search filter asks many).
  if (u instanceof StoredUnit) return u.holdsFactOf(types);
  return u.facts !== undefined && u.facts.some((f) => types.includes(f.type));
}

/** Departments named in a table row's unit columns or in a clause's closing parenthesis. */
export function departmentsOf(u: Unit): string | undefined {
  if (u.fields) {
    const parts = Object.entries(u.fields).filter(([k, v]) => v && /单位$/.test(k)).map(([k, v]) => `${k}：${v}`);
    return parts.length ? parts.join('；') : undefined;
  }
  const m = /[（(\[]([^（()）\[\]]*?(?:局|处|部|政府|协会|负责|单位|海关|委)[^（()）\[\]]*)[）)\]][。]?\s*$/.exec(u.text.trim());
  return m ? m[1] : undefined;
}

/** Ranks units for the question: BM25, then the best sentence, adjacent-word phrases, the asked fact type and the award named. */
export function rank(k: Knowledge, q: string, terms: Map<string, number>, qt: QuestionType, filter: ((u: Unit) => boolean) | undefined, awardDocs: Set<string>, limit = 12): Hit[] {
  const raw = withinDocuments(k, terms, k.search.search(terms, limit, filter), filter, limit);
  const wanted = WANTED[qt];
  const phrases = phrasesOf(k, q);
  // "认证目标有哪些": a section whose title names what is asked (一、总体目标) is about it.
  const asked = askedPredicate(q, k.glossary)?.predicate;
  const years = [...terms.keys()].filter((t) => /^(19|20)\d{2}$/.test(t));
  const reducedFor = new Map<string, Map<string, number>>();
  const blanks = numberBlanks(q);
  const asksNotice = questionPattern(k.glossary, 'asksNotice').test(q);
  const asksSteps = questionPattern(k.glossary, 'asksSteps').test(q);
  return raw
    .map((h) => {
      let best = 0;
      // The sentence's words weigh as in withinDocuments: the title's words choose the document, not the sentence.
      let own = reducedFor.get(h.unit.title);
      if (!own) reducedFor.set(h.unit.title, (own = titleReduced(terms, h.unit.title)));
      for (const s of sentencesOf(h.unit)) best = Math.max(best, scoreSentence(withoutOwnTitle(s, h.unit.title), own, k.search));
      let score = h.score + 0.5 * best;
      if (phrases.length) {
        const text = h.unit.text.replace(/\s+/g, '');
        score += 0.5 * phrases.filter((x) => text.includes(x.p)).reduce((a, x) => a + x.w, 0);
      }
      if (awardDocs.has(h.unit.docId)) score *= 1.4;
      // "2027年要培育多少家": a clause that opens with a year ("（三）2027年目标。") is about that year and no other.
      const opens = yearOf(h.unit);
      if (opens && years.length) score *= years.includes(opens) ? 1.5 : 0.7;
      if (asked && h.unit.heading.includes(asked)) score *= 1.5;
      // "分几次拨": a clause that says the same words with a number in the blank ("分两次拨付") answers it.
      if (blanks.length && blanks.some((b) => b.test(h.unit.text.replace(/\s+/g, '')))) score *= 1.5;
      if (formHeader(h.unit)) score *= 0.5;
      // The notice that issues a plan names its addressees and the plan; it sets no measure of its own.
      if (h.unit.kind === 'notice' && !asksNotice) score *= 0.7;
      // "评审流程是怎样的", "要哪些条件": a clause that lists its steps or conditions as items.
      if (asksSteps && itemTitles(h.unit).length >= 3) score *= 1.5;
      if (wanted.length && factsOfType(h.unit, wanted).length) score *= 1.15;
      if (qt === 'who' && departmentsOf(h.unit)) score *= 1.1;
      return { ...h, score };
    })
    .sort((a, b) => b.score - a.score);
}

/** The year a clause opens with ("（二）2026年目标。", "2025年：…", "到2027年，…"), or undefined. */
export function yearOf(u: Pick<Unit, 'text'>): string | undefined {
  // (The clause's own title line, "一、主要目标", may come first.)
  for (const line of u.text.trim().split('\n').slice(0, 2)) {
    const m = /^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|\d{1,2}[.．、])?\s*(?:到|至|截至)?\s*((?:19|20)\d{2})\s*年(?!\d)/.exec(line.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** Each document's units as a stretch [from, to) of the loaded units, when they lie together (ingest adds them so). */
const RANGES = new WeakMap<Knowledge, Map<string, [number, number] | undefined>>();

/** The stretch of the loaded units that holds a document's units, or undefined when they do not lie together. */
function unitRange(k: Knowledge, docId: string): [number, number] | undefined {
  let ranges = RANGES.get(k);
  if (!ranges) {
    const found = new Map<string, [number, number] | undefined>();
    k.units.forEach((u, i) => {
      if (!found.has(u.docId)) return void found.set(u.docId, [i, i + 1]);
      const r = found.get(u.docId);
      if (r && r[1] === i) r[1] = i + 1;
      else found.set(u.docId, undefined);
    });
    RANGES.set(k, (ranges = found));
  }
  return ranges.get(docId);
}

/** How many documents, best first, withinDocuments searches again with their titles' words weighing little. */
const RESEARCHED_DOCUMENTS = 8;

/** Weight, in choosing a clause within its document, of a question word that the document's title holds. */
export const TITLE_TERM_WEIGHT = 0.5;

/**
 * Re-scores the hits of each document with the words of its own title weighing little: "绍兴标准化项目资助能报哪些标准"
 * names the programme in every question, and its opening paragraph, which repeats the programme's name, is not the
 * clause that answers. The title words still choose the document: each document's best hit keeps its score, and its
 * other clauses rank below it by the rest of the question's words.
 */
export function withinDocuments(k: Knowledge, terms: Map<string, number>, raw: Hit[], filter: ((u: Unit) => boolean) | undefined, limit: number): Hit[] {
  const out: Hit[] = [];
  // (Only the documents of the best hits are searched again, one search each: with hundreds of documents every search
  // reaches many of them, and a document further down keeps its hits as they are.)
  [...new Set(raw.map((h) => h.unit.docId))].forEach((docId, rank) => {
    const own = raw.filter((h) => h.unit.docId === docId);
    if (rank >= RESEARCHED_DOCUMENTS) return void out.push(...own);
    const title = own[0].unit.title;
    const reduced = titleReduced(terms, title);
    if ([...reduced].every(([t, w]) => w === terms.get(t))) return void out.push(...own);
    const again = k.search.search(reduced, limit, (u) => u.docId === docId && u.title === title && (!filter || filter(u)), unitRange(k, docId));
    if (!again.length) return void out.push(...own);
    const lift = own[0].score - again[0].score;
    out.push(...again.map((h) => ({ ...h, score: h.score + lift })), ...own.filter((h) => h.unit.title !== title));
  });
  return out.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** The question's words with those the title holds weighing TITLE_TERM_WEIGHT (all of them as they are when every word is the title's). */
export function titleReduced(terms: Map<string, number>, title: string): Map<string, number> {
  const named = (t: string) => t.length >= 2 && title.includes(t);
  if ([...terms.keys()].every(named)) return terms;
  return new Map([...terms].map(([t, w]) => [t, named(t) ? w * TITLE_TERM_WEIGHT : w]));
}

/**
 * The question's words around 几 or 多少 with a number in the blank: "分几次拨" → /分(数)次/. The word before the blank
 * must say something (not 的, 了, 有 …) and the word after it must be a measure word.
 */
export function numberBlanks(q: string): RegExp[] {
  const out: RegExp[] = [];
  for (const m of q.matchAll(/([\u4e00-\u9fff])(?:几|多少)([次个家项年天月批份件张名期届轮])/g)) {
    if (/[的了是有要能可会还就都也一]/.test(m[1])) continue;
    out.push(new RegExp(`${m[1]}(?:为|是|[:：])?(?:\\d+|[一二两三四五六七八九十百千]+)个?${m[2]}`));
  }
  return out;
}

/** Pairs of adjacent question words, as phrases a clause may contain ("抽检计划"). */
export function phrasesOf(k: Knowledge, q: string): { p: string; w: number }[] {
  if (!k.segmenter) return [];
  const stop = new Set(k.glossary.stopwords);
  // (Only words that stand side by side in the question make a phrase: "2027年要培育" holds no "年培育".)
  const all = k.segmenter.words(q);
  const words = all.map((w) => (/[\u4e00-\u9fff]/.test(w) && !stop.has(w) ? w : ''));
  const out: { p: string; w: number }[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    if (!words[i] || !words[i + 1]) continue;
    if (words[i].length + words[i + 1].length < 3) continue;
    // No phrase starts with a particle: "的认证" would match every "…的认证" in the corpus ("发布的" still says something).
    if (/^[的了地得之]$/.test(words[i])) continue;
    out.push({ p: words[i] + words[i + 1], w: k.search.idf(words[i]) + k.search.idf(words[i + 1]) });
  }
  return out;
}

/** Whether a unit is an empty form's header row ("序号｜所属行业｜…｜进展情况及成效"): it names columns, not a measure. */
export function formHeader(u: Unit): boolean {
  const cells = u.text.split(/[｜|]/).map((c) => c.trim()).filter(Boolean);
  return cells.length >= 4 && cells.every((c) => c.length <= 10);
}

/** An item's first phrase, cut to about 30 characters; a long one keeps the figure that makes it a condition (连续3次以上). */
export function shortItem(s: string): string {
  if (s.length <= 30) return s;
  const figures = [...s.matchAll(/\d+(?:\.\d+)?\s*(?:次|年|个|家|项|万元|元|%|分|天)(?:以上|以下|以内)?/g)];
  const fig = figures.find((f) => f.index! + f[0].length > 28);
  if (fig) {
    const end = fig.index! + fig[0].length;
    return `${s.slice(0, 12)}…${s.slice(Math.max(12, end - 16), end)}…`;
  }
  return `${s.slice(0, 28)}…`;
}

/** The numbered items of a clause ("（一）企业申报。…（二）材料初审。…"), each by its first phrase. */
export function itemTitles(u: Unit): string[] {
  const out: string[] = [];
  for (const line of u.text.split('\n')) {
    const m = /^\s*([（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])\s*([^。；;，,]{2,60})/.exec(line);
    if (m) out.push(`${m[1]}${shortItem(tidyFact(m[2]))}`);
  }
  return out;
}

/**
 * The question's words for choosing a sentence: names of the place and of the award locate the document, not the
 * sentence, so they weigh little ("佛山标杆奖评审委员会主任谁来当" is decided by 主任, not by 佛山 or 标杆奖).
 */
export function focusTerms(k: Knowledge, terms: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const awards = awardNames(k);
  const names = (t: string) => k.places.match(t).covered.length > 0 || (t.length >= 2 && awards.some((a) => a.endsWith(t) || (t.endsWith('奖') && a.includes(t))));
  const naming = [...terms.keys()].filter(names);
  // A word inside a name the question uses (优秀 in 优秀奖) names it too.
  for (const [t, w] of terms) out.set(t, naming.some((n) => n.includes(t)) ? w * 0.2 : w);
  return out;
}

/** Stopwords and the glossary's interrogative question words (啥时候, 多会儿: they ask; they name no topic). */
export const STOPS = new WeakMap<Glossary, Set<string>>();

/** The words that carry no topic, built once per glossary. */
export function stopwordsOf(k: Knowledge): Set<string> {
  let s = STOPS.get(k.glossary);
  if (!s) {
    // The yes/no words and their parts ("能不能" → 不能) ask; they name no topic either.
    const yesno = k.glossary.questionWords.yesno.map((w) => w.trim()).filter((w) => /^[\u4e00-\u9fff]{3,}$/.test(w));
    const parts = k.segmenter ? yesno.flatMap((w) => k.segmenter!.terms(w)) : [];
    STOPS.set(k.glossary, (s = new Set([...k.glossary.stopwords, ...Object.values(k.glossary.questionWords).flat().map((w) => w.trim()).filter((w) => questionPattern(k.glossary, 'interrogatives').test(w)), ...yesno, ...parts])));
  }
  return s;
}

/** The query's topic terms: no expansions, stopwords, numbers or place names. */
export function significantTerms(k: Knowledge, terms: Map<string, number>): string[] {
  const stop = stopwordsOf(k);
  // A part of a colloquial word the question uses ("龙头" of 水龙头) is as colloquial as the word.
  const colloquial = new Set(k.glossary.colloquial);
  const spoken = [...terms.keys()].filter((t) => colloquial.has(t));
  return [...terms.entries()]
    .filter(([t, w]) => w >= 1 && t.length >= 2 && !stop.has(t) && !k.places.match(t).covered.length && !/\d|^[一二两三四五六七八九十]+[次年个家项]$/.test(t) && !/^[a-z]{1,2}$/.test(t))
    .filter(([t]) => !spoken.some((c) => c !== t && c.includes(t)))
    .map(([t]) => t);
}

/**
 * Whether the top hit answers the question: its clause covers half of the question's topic weight, or its clause a
 * third and its whole document three quarters (an owner's extra context words rarely sit in the one clause).
 */
export function covers(k: Knowledge, topics: string[], hit: Hit, foreign: string[]): boolean {
  const unit = coverage(k, topics, hit.unit.text + ' ' + hit.unit.heading + ' ' + hit.unit.title, foreign);
  if (unit >= 0.5) return true;
  if (unit < 0.3) return false;
  const docText = documentText(k, hit.unit.docId);
  return coverage(k, topics, `${docText} ${hit.unit.title}`, foreign) >= 0.66;
}

/** Share of the question's known topic weight that the text covers, counting synonyms and abbreviations. */
export function coverage(k: Knowledge, terms: string[], covered: string, foreign: string[] = []): number {
  const text = covered.toLowerCase();
  let total = 0;
  let got = 0;
  for (const t of terms) {
    const syn = [...k.search.synonymsOf(t), ...k.search.expandAbbreviation(t)];
    if (!k.search.knows(t) && !syn.length) continue;
    // A word the corpus holds only as a run of characters ("选出" inside "评选出") says little: it weighs 1.
    const w = k.search.hasTerm(t) ? k.search.idf(t) : k.search.knows(t) ? 1 : 2;
    total += w;
    if (text.includes(t) || syn.some((s) => text.includes(s))) got += w;
  }
  for (const f of foreign) if (!terms.includes(f) || !k.search.knows(f)) total += FOREIGN_WEIGHT;
  return total ? got / total : 0;
}

/** Part-of-speech tags of words that name a topic. */
export const TOPIC_TAGS = new Set(['n', 'nz', 'j', 'vn', 'nt', 'l', 's', 'i']);

/** Weight of a topic word the corpus never uses, against the idf of the words it does know. */
export const FOREIGN_WEIGHT = 6;

/**
 * Whether a short form of four or more characters stands for a phrase of the text: the phrase starts and ends like it
 * and holds its characters in order, within two and a half times its length (质检中心 → 质量检验检测中心).
 */
export function abbreviates(word: string, text: string): boolean {
  if (!/^[\u4e00-\u9fff]{4,8}$/.test(word)) return false;
  const chars = [...word];
  const max = Math.floor(word.length * 2.5);
  for (let at = text.indexOf(chars[0]); at >= 0; at = text.indexOf(chars[0], at + 1)) {
    let i = 1;
    let j = at + 1;
    for (; j < text.length && j - at < max && i < chars.length; j++) if (text[j] === chars[i]) i++;
    if (i === chars.length && text[j - 1] === chars[chars.length - 1]) return true;
  }
  return false;
}

/** Whether a short form stands for a phrase somewhere in the loaded documents (质检中心 → 产品质量检验检测中心). */
export function corpusAbbreviates(k: Knowledge, word: string): boolean {
  let seen = ABBREVIATES.get(k.search);
  if (!seen) ABBREVIATES.set(k.search, (seen = new Map()));
  let found = seen.get(word);
  if (found === undefined) {
    // (A character the corpus never uses rules it out at once; otherwise the corpus text the search keeps, spaces removed,
    // is scanned once for the word: no clause is read from disk for it.)
    found = [...word].every((c) => k.search.knows(c)) && abbreviates(word, k.search.corpusString());
    if (seen.size >= ABBREVIATES_LIMIT) seen.delete(seen.keys().next().value!);
    seen.set(word, found);
  }
  return found;
}

/** corpusAbbreviates' verdicts per search index, the oldest dropped first past the limit. */
const ABBREVIATES = new WeakMap<object, Map<string, boolean>>();
const ABBREVIATES_LIMIT = 4096;

/** Topic words in the question that the corpus never uses (社保, 个税, 最低工资 …). */
export function foreignTopics(k: Knowledge, q: string): string[] {
  const out: string[] = [];
  // (The glossary's interrogatives, "多长时间", "啥时候", ask; they name no topic the documents should use.)
  const stop = stopwordsOf(k);
  const colloquial = new Set(k.glossary.colloquial);
  const english = q.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  const cjk = q.match(/[\u4e00-\u9fff]/g) ?? [];
  if (english.length >= 3 && english.length * 2 > cjk.length) {
    const content = english.filter((w) => !stop.has(w) && !k.places.match(w).covered.length);
    if (!content.some((w) => k.search.synonymsOf(w).length)) out.push(...content);
  }
  if (!k.segmenter) return out;
  const tagged = k.segmenter.tagged(q, false);
  const notTopic = questionPattern(k.glossary, 'notTopicChars');
  // Single characters the segmenter could not join ("稳" + "岗") may be one word the documents never use.
  for (let i = 0; i + 1 < tagged.length; i++) {
    const [a, b] = [tagged[i], tagged[i + 1]];
    if (a.word.length !== 1 || b.word.length !== 1 || !/^[\u4e00-\u9fff]{2}$/.test(a.word + b.word)) continue;
    if (!/^(a|v|n|vn)$/.test(a.tag) || !/^n/.test(b.tag) || notTopic.test(a.word + b.word)) continue;
    const w = a.word + b.word;
    if (!k.search.knows(w) && !stop.has(w) && !colloquial.has(w) && !k.search.synonymsOf(w).length) out.push(w);
  }
  for (const { word, tag } of tagged) {
    if (!TOPIC_TAGS.has(tag) || stop.has(word) || colloquial.has(word) || k.search.synonymsOf(word).length) continue;
    if (!/^[\u4e00-\u9fff]{2,}$/.test(word) || k.places.match(word).covered.length) continue;
    if (k.search.knows(word) || k.search.expandAbbreviation(word).length || corpusAbbreviates(k, word)) continue;
    const parts = k.segmenter.terms(word).filter((p) => p.length >= 2 && p !== word);
    const covered = new Set<number>();
    for (const p of parts) {
      if (!k.search.knows(p) && !colloquial.has(p)) continue;
      const at = word.indexOf(p);
      for (let i = at; i >= 0 && i < at + p.length; i++) covered.add(i);
    }
    if (covered.size / word.length >= 0.6) continue;
    out.push(word);
  }
  return [...new Set(out)];
}

/** Whether a word is the subject the question asks about: directly followed by its predicate, or ending the question. */
export function isSubject(g: Glossary, q: string, word: string): boolean {
  const at = q.indexOf(word);
  return at >= 0 && new RegExp(`^(?:${questionPattern(g, 'subjectTail').source})`, 'i').test(q.slice(at + word.length).trim());
}
