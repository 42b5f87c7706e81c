/** The field's vocabulary and the gazetteer, read from `data/glossary.json` and `data/places.json` and validated. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z, ZodError } from 'zod';
import { DataError } from '../errors.ts';

const words = z.array(z.string().min(1));

/** One alternative of a question pattern: a regular expression source that compiles. */
const alternative = z.string().min(1).refine((s) => {
  try {
    new RegExp(s, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

/** What a question asks for (`asks`) and what a clause must contain to state it (`evidence`), as pattern alternatives. */
const evidenceRule = z.object({
  name: z.string().min(1),
  asks: z.array(alternative).min(1),
  evidence: z.array(alternative).min(1),
  /** For a procedural detail ingest types (where materials are sent): the fact type whose clause states it. */
  fact: z.enum(['submit']).optional(),
}).strict();

/** One evidence rule of the glossary. */
export type EvidenceRule = z.infer<typeof evidenceRule>;

/** Each rule's compiled patterns. */
const RULES = new WeakMap<EvidenceRule, { asks: RegExp; evidence: RegExp }>();

/** A rule's `asks` and `evidence` as case-insensitive regular expressions. */
export function ruleOf(r: EvidenceRule): { asks: RegExp; evidence: RegExp } {
  let c = RULES.get(r);
  if (!c) RULES.set(r, (c = { asks: new RegExp(r.asks.join('|'), 'i'), evidence: new RegExp(r.evidence.join('|'), 'i') }));
  return c;
}

/** The decisions made by question patterns (see `questionPatterns` in data/glossary.json). */
export const PATTERN_NAMES = ['validity', 'issuance', 'documentWords', 'honourWords', 'placeOnlyFiller', 'askingNow', 'applyingWords', 'aboutApplying', 'askingEnough',
  // What kind of fact a question asks for, and its parts (nlu/question.ts).
  'cadenceAsk', 'howMany', 'askingCount', 'closingNot', 'validityHowLong', 'durationAsk', 'countedUnit', 'whichKind', 'moneyAsk', 'whichBody', 'quantityAsk', 'whatAsk', 'endsAsking',
  'partBreak', 'partAsks', 'commaSecondQuestion', 'askedWhat', 'predicateTail', 'lightVerbs', 'whichBodyEnglish', 'andNextQuestion',
  // What a yes/no question asks about (its capture group 1), and the words by which a clause says yes or no.
  'objectAfter', 'objectMay', 'objectHad', 'objectNeeded', 'verdictWords',
  // What a yes/no question asks (may, need, a limit, a fee), and how the deciding clause answers it (knowledge/yesno.ts).
  'asksMay', 'asksNeed', 'asksLimit', 'clauseUnlimited', 'asksFee', 'clauseFree', 'clauseRefuses', 'clauseForbids', 'clauseMay', 'clauseSupports', 'clauseWithholds',
  'clauseRequires', 'clauseWaives', 'clauseExempts', 'clauseNegates', 'clausePositive',
  // Whether a yes/no question asks that something exists, what must be done or paid, what may be done (capture group 1),
  // and whether a body takes part (knowledge/compose-clause.ts).
  'asksWhetherHas', 'objectOwed', 'objectDone', 'asksTakingPart', 'takingPartWords',
  // Whether a question about where materials are sent asks about sending them online (knowledge/answerers/submission.ts).
  'asksOnline',
  // Winning another body's award (answerers/unknown-award.ts); caps, exclusions and penalties a question asks about and
  // the clauses that state them (answerers/cap.ts, answerers/exclusions.ts).
  'winningWords', 'askedAction', 'asksCap', 'applicantPhrase', 'capWhole', 'capTotal', 'asksExclusion', 'exclusionClause', 'excludingSentence', 'asksPenalty', 'penaltyClause', 'askedNoun',
  // The words by which a clause repeals another document (knowledge/repealed.ts).
  'repealWords',
  // A quantity the user states of their own enterprise, and the minimum a clause sets (answerers/threshold.ts).
  'userFactFiller', 'atLeastBefore', 'atLeastAfter',
  // What a question about the conditions of applying asks, and the clauses that set them (answerers/conditions.ts).
  'asksConditions', 'conditionsClause',
  // How clauses are ranked (knowledge/retrieval.ts): a question about the notice itself, one asking for steps or conditions,
  // the interrogatives that name no topic, what may follow a question's subject, and the characters that never make a
  // two-character topic word the documents lack.
  'asksNotice', 'asksSteps', 'interrogatives', 'subjectTail', 'notTopicChars',
  // A word the corpus never uses that holds an asking word ("哪个科") is not the question's subject (knowledge/context.ts).
  'askingWord',
  // How the lead sentence is chosen (knowledge/lead.ts): a ceiling or a floor asked, and a question that asks for a clause's items.
  'asksMost', 'asksLeast', 'asksItems',
  // Asking as one who takes part rather than leads, and the sentence that states such a participant's share (answerers/share.ts).
  'asksParticipant', 'shareClause', 'leadRole',
  // A notice's contact section (its heading, or a labelled contact line), which gives a phone for the whole notice (knowledge/stated.ts).
  'contactSection',
  // Whether a question asks to combine two benefits, and the clause that gives only the higher one (answerers/stacking.ts).
  'asksStacking', 'stackingClause'] as const;

/** A decision made by a question pattern. */
export type PatternName = (typeof PATTERN_NAMES)[number];

/** Schema of `data/glossary.json`: words staff can extend without code. */
export const glossarySchema = z.object({
  $comment: z.string().optional(),
  /** Colloquial, abbreviated or English words mapped to the documents' own words. */
  synonyms: z.record(z.string().min(1), words),
  /** Words that carry no topic of their own (function words, politeness, generic nouns). */
  stopwords: words,
  /** Colloquial words whose absence from the documents is expected (not a sign of an uncovered topic). */
  colloquial: words,
  /** Domain terms the segmenter keeps whole. */
  terms: words,
  /** Document words each intent implies, added to the query with a low weight. */
  intentTerms: z.record(z.string().min(1), words),
  /** Words that tell what kind of fact a question asks for. */
  questionWords: z.object({ when: words, duration: words, cadence: words, money: words, quantity: words, who: words, where: words.default([]), /** Asking how to reach someone (电话, 联系方式): answered by the clause naming the office and its phone. */ contact: words.default([]), yesno: words, list: words }),
  /**
   * Regular-expression alternatives that decide what a question is about before any clause is read: whether it asks
   * about a document's validity or issuance, whether it names a place and nothing else, whether it asks "now".
   */
  questionPatterns: z.object({
    $comment: z.string().optional(),
    ...Object.fromEntries(PATTERN_NAMES.map((n) => [n, z.array(alternative).min(1)])),
  } as Record<'$comment', z.ZodOptional<z.ZodString>> & Record<PatternName, z.ZodArray<typeof alternative>>).strict(),
  /** How a yes/no question is worded (有没有, 会不会 …) and its yes and no words; the first form whose `asks` match is used. */
  verdictAsks: z.object({ $comment: z.string().optional(), forms: z.array(z.object({ asks: z.array(alternative).min(1), yes: z.string().min(1), no: z.string().min(1) }).strict()).min(1) }).strict(),
  /** Benefits and duties (补贴, 报销, 免费, 罚款, 必须): what a question asks about them, and what a clause must say to grant or impose them. */
  verdictEvidence: z.object({ $comment: z.string().optional(), families: z.array(evidenceRule) }).strict(),
  /** Procedural details (a date, a website, a telephone number …): what asks for one, and what a clause stating it contains. */
  procedureAsks: z.object({ $comment: z.string().optional(), details: z.array(evidenceRule) }).strict(),
  /** Words naming a year by its distance from the year of asking (今年 0, 明年 1, 去年 -1), read against the date asked. */
  relativeYears: z.record(z.string().min(1), z.number().int()).optional(),
  /** Words a conversation reads: follow-ups ("那…", "…呢", "what about"), corrections ("不是…，我问的是…"), "什么意思". */
  conversation: z.object({ leads: words, whatAbout: words, tails: words, negations: words, corrections: words, asking: words, references: words, meaning: words }).strict().optional(),
}).strict();

/** The field's vocabulary. */
export type Glossary = z.infer<typeof glossarySchema>;

/** Each glossary's compiled patterns. */
const COMPILED = new WeakMap<Glossary, Map<string, RegExp>>();

/** The question pattern `name` of the glossary as one case-insensitive regular expression (`flags` adds, e.g. 'g'). */
export function questionPattern(g: Glossary, name: PatternName, flags = ''): RegExp {
  let m = COMPILED.get(g);
  if (!m) COMPILED.set(g, (m = new Map()));
  const key = `${name}/${flags}`;
  let re = m.get(key);
  if (!re) m.set(key, (re = new RegExp(g.questionPatterns[name].join('|'), `i${flags}`)));
  // A global pattern keeps its position between calls: start it afresh.
  re.lastIndex = 0;
  return re;
}

/** The yes and no words for the way a yes/no question is worded (有没有 → 有/没有), or undefined. */
export function verdictAsked(g: Glossary, q: string): { yes: string; no: string } | undefined {
  return g.verdictAsks.forms.find((f) => new RegExp(f.asks.join('|'), 'i').test(q));
}

/** Schema of `data/places.json`: how places are recognised (which are covered comes from the documents). */
export const placesSchema = z.object({
  $comment: z.string().optional(),
  provinces: words,
  /** City (full name) → its province (full name). */
  cities: z.record(z.string().min(2), z.string().min(2)),
  /** English name → Chinese full name. */
  english: z.record(z.string().min(2), z.string().min(2)),
  /** Words naming the whole country. */
  national: words,
}).strict();

/** The gazetteer. */
export type Places = z.infer<typeof placesSchema>;

/** Default data directory (the project's `data/`). */
const DEFAULT_DIR = new URL('../../data', import.meta.url).pathname;

/** Reads and validates one JSON data file, reporting the file and the field on error. */
function readJson<T>(dir: string, file: string, schema: z.ZodType<T>, fallbackDir = DEFAULT_DIR): T {
  const path = existsSync(join(dir, file)) ? join(dir, file) : join(fallbackDir, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(file, 'json', (e as Error).message);
  }
  try {
    return schema.parse(raw);
  } catch (e) {
    if (e instanceof ZodError) {
      const i = e.issues[0];
      throw new DataError(file, i?.path.join('.') || '(root)', i?.message ?? 'invalid');
    }
    throw e;
  }
}

/** Loads the glossary from a data directory (falling back to the project's own). */
export function loadGlossary(dataDir: string = DEFAULT_DIR): Glossary {
  return readJson(dataDir, 'glossary.json', glossarySchema);
}

/** Loads the gazetteer from a data directory (falling back to the project's own). */
export function loadPlaces(dataDir: string = DEFAULT_DIR): Places {
  return readJson(dataDir, 'places.json', placesSchema);
}

/** The short name of a place ("佛山市" → "佛山"; a two-character name stays whole). */
export function shortPlace(full: string): string {
  // (A special zone is named without its kind: 平潭综合实验区 → 平潭, 贵安新区 → 贵安.)
  const s = full.replace(/(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|综合实验区|综合试验区|实验区|试验区|新区|省|市|县|区)$/, '');
  return s.length >= 2 ? s : full;
}
