/** Understanding: a question's text into its frame (nlu/frame.ts), and a follow-up's frame merged with its topic. */
import { extractEntities } from '../nlu/entities.ts';
import { type QuestionFrame, FRAME_VERSION, scriptOf } from '../nlu/frame.ts';
import { type Glossary, shortPlace, questionPattern } from '../nlu/glossary.ts';
import { normalizeText, simplify } from '../nlu/normalize.ts';
import { documentAmounts } from '../nlu/chinese-numbers.ts';
import { questionType, refineType, partsOf, firstPart, askedPredicate, askedObject } from '../nlu/question.ts';
import type { Knowledge } from './knowledge.ts';
import type { PolicyDocument } from './policy-schema.ts';
import { sentencesOf } from './facts.ts';
import { foreignTopics } from './retrieval.ts';

/** A glossary word for an award, its synonyms, and for an English word its whole-word pattern. */
interface AwardWord {
  word: string;
  synonyms: string[];
  english?: RegExp;
}

const awardWordsOf = new WeakMap<Glossary['synonyms'], AwardWord[]>();

/** The glossary's words for an award, picked and their patterns compiled once per glossary rather than per question. */
function awardWords(synonyms: Glossary['synonyms']): AwardWord[] {
  let list = awardWordsOf.get(synonyms);
  if (!list) {
    list = Object.entries(synonyms)
      .filter(([w, s]) => w.endsWith('奖') || s.every((x) => x.endsWith('奖') && x.length >= 3))
      .map(([word, s]) => ({ word, synonyms: s, english: /^[a-z ]+$/.test(word) ? new RegExp(`(^|[^a-z])${word}([^a-z]|$)`) : undefined }));
    awardWordsOf.set(synonyms, list);
  }
  return list;
}

/** Award names a question mentions, with the documents that set them (title or front matter). */
export function awardsNamed(k: Knowledge, q: string): { name: string; docs: PolicyDocument[] }[] {
  const out = new Map<string, PolicyDocument[]>();
  // The glossary's words for an award (优秀将 → 优秀奖; English "excellence" → 优秀奖, matched as a whole word).
  const lower = q.toLowerCase();
  const said = ({ word, english }: AwardWord) => (english ? english.test(lower) : q.includes(word));
  const expanded = [q, ...awardWords(k.glossary.synonyms).filter(said).flatMap((a) => a.synonyms)].join(' ');
  for (const d of k.documents) {
    for (const a of d.awards) {
      // Any tail of the name of three characters or more that ends the name (优秀奖, 质量优秀奖) names it.
      for (let i = 0; i + 3 <= a.length; i++) {
        const tail = a.slice(i);
        if (expanded.includes(tail)) {
          out.set(a, [...(out.get(a) ?? []), d]);
          break;
        }
      }
    }
  }
  return [...out.entries()].map(([name, docs]) => ({ name, docs }));
}

/**
 * Whether a loaded clause (of the places named, when any) states money in the sentence that names the award: a
 * document that rewards another body's award ("获得中国质量奖的，给予一次性奖励200万元") answers its amount.
 */
export function rewardStated(k: Knowledge, name: string, places: string[] = []): boolean {
  const held = k.search.unitsWith([name]);
  const units = held ? [...held] : k.units;
  return units.some(
    (u) =>
      (!places.length || places.includes(u.region)) &&
      u.text.includes(name) &&
      (u.facts ?? []).some((f) => f.type === 'amount' && sentencesOf(u)[f.sentence]?.includes(name)),
  );
}

/** Award names the question uses that no loaded document sets or pays (the glossary's award terms, or any "…质量奖"). */
export function unknownAward(k: Knowledge, q: string, known: string[], places: string[] = []): string | undefined {
  // The name is what follows the last verb or particle before 质量奖 ("企业评上质量奖" names no award, only 质量奖);
  // 质量奖励 is a reward for quality, not an award's name.
  const names = [...q.matchAll(/[\u4e00-\u9fff]{2,6}质量奖(?!励)/g)].map((m) => m[0].replace(/^.*(?:评上|评|获得|获|拿到|拿|申报|报|的|了|写|有|给|上|个)(?=[\u4e00-\u9fff]*质量奖$)/, ''));
  const named = [...k.glossary.terms.filter((t) => t.endsWith('奖') && q.includes(t)), ...names];
  return named.find((n) => !known.some((a) => a.endsWith(n) || n.endsWith(a.slice(-3))) && !rewardStated(k, n, places));
}

/**
 * Understands a question into a frame, with no I/O: one normalisation, then the intent, type and parts, the places,
 * awards and documents named, the weighted topic terms, the user's own facts, and whether it asks about a document.
 */
export function understand(k: Knowledge, text: string): QuestionFrame {
  // ("营收过一个亿" is matched as the documents write it, "1亿元".)
  const q = documentAmounts(normalizeText(text));
  const g = k.glossary;
  const guess = q ? k.classifier.classify(q) : { intent: 'empty', confidence: 1 };
  const intent = guess.intent;
  const places = k.places.match(q);
  const terms = k.search.queryTerms(q);
  // A place spelled in English inside a document's region weighs as a translated word ("Wuhan" → 武汉 picks the clause about 武汉市).
  for (const name of k.places.spelledIn(q)) for (const t of k.search.queryTerms(name).keys()) if (!terms.has(t)) terms.set(t, 0.6);
  for (const t of g.intentTerms[intent] ?? []) if (!terms.has(t)) terms.set(t, 0.5);
  const asked = firstPart(q, g);
  const type = refineType(questionType(asked, g), intent, asked, g);
  const awards = awardsNamed(k, q);
  const { otherPlaces: _, ...facts } = extractEntities(q);
  const object = type === 'yesno' ? askedObject(asked, g) : undefined;
  const predicate = askedPredicate(asked, g)?.predicate;
  return {
    version: FRAME_VERSION,
    text,
    normalized: q,
    script: scriptOf(text, simplify(text)),
    intent,
    confidence: guess.confidence,
    type,
    parts: partsOf(q, g).map((p) => ({ text: p, type: questionType(p, g) })),
    places: { covered: [...places.covered], uncovered: [...places.uncovered] },
    awards: awards.map((a) => a.name),
    unknownAward: unknownAward(k, q, awards.map((a) => a.name), [...places.covered]),
    documents: [...new Set(awards.flatMap((a) => a.docs.map((d) => d.id)))],
    terms: [...terms.entries()],
    foreign: foreignTopics(k, q),
    facts,
    ...(object || predicate ? { yesno: { object, predicate } } : {}),
    about: {
      documentList: placeOnly(g, q, places.covered),
      issuance: questionPattern(g, 'issuance').test(q),
      validity: questionPattern(g, 'validity').test(q) && (questionPattern(g, 'documentWords').test(q) || !awards.length) && !questionPattern(g, 'honourWords').test(q),
    },
  };
}

/** "<某市>", "<某市>有哪些政策": whether the question names covered places and nothing else (the glossary's filler aside). */
function placeOnly(g: Glossary, q: string, covered: string[]): boolean {
  if (!covered.length) return false;
  let rest = q;
  for (const r of covered) rest = rest.split(r).join('').split(shortPlace(r)).join('');
  return !rest.replace(questionPattern(g, 'placeOnlyFiller', 'g'), '');
}

/**
 * A follow-up understood against the conversation's topic ("那公示几天？", "中山呢？", "我是说环境管理体系"): what the
 * follow-up names replaces the topic's (places, awards, documents), what it leaves out is taken from the topic, and the
 * topic's terms stay at a lower weight behind the follow-up's own. A follow-up that names only a place asks the topic's
 * question for that place. The result is a frame to pass to `answerFrame`.
 */
export function withContext(frame: QuestionFrame, topic: QuestionFrame | undefined, topicWeight = 0.5): QuestionFrame {
  if (!topic || frame.intent === 'empty') return frame;
  const onlyPlace = frame.about.documentList;
  const own = new Map(onlyPlace ? [] : frame.terms);
  // When the follow-up names its own places, the topic's place words ("江门", "江门市") are not carried over.
  const placeNamed = frame.places.covered.length > 0 || frame.places.uncovered.length > 0;
  const oldPlace = (t: string) => placeNamed && topic.places.covered.some((p) => p.includes(t));
  for (const [t, w] of topic.terms) if (!own.has(t) && !oldPlace(t)) own.set(t, onlyPlace ? w : w * topicWeight);
  // A follow-up with no question word of its own ("我是说环境管理体系") asks the topic's question.
  const keepTopic = onlyPlace || frame.type === 'fact';
  const awardsNamed = frame.awards.length > 0;
  return {
    ...frame,
    text: onlyPlace ? `${frame.text}（${topic.text}）` : frame.text,
    normalized: onlyPlace ? topic.normalized : frame.normalized,
    intent: keepTopic ? topic.intent : frame.intent,
    type: keepTopic ? topic.type : frame.type,
    parts: keepTopic ? topic.parts : frame.parts,
    places: placeNamed ? frame.places : topic.places,
    awards: awardsNamed ? frame.awards : topic.awards,
    documents: awardsNamed ? frame.documents : topic.documents,
    unknownAward: frame.unknownAward ?? (awardsNamed ? undefined : topic.unknownAward),
    terms: [...own.entries()],
    about: onlyPlace ? { ...topic.about, documentList: false } : frame.about,
  };
}
