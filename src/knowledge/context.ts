/**
 * What every answerer reads: the frame, the knowledge and the date, and the stages derived from them once (the ranked
 * clauses, the clause stage). An answerer answers or declines with a short reason; see pipeline.ts for the list.
 */
import type { QuestionFrame } from '../nlu/frame.ts';
import { questionPattern } from '../nlu/glossary.ts';
import type { QuestionType } from '../nlu/question.ts';
import type { PolicyAnswer } from './answer-types.ts';
import type { Knowledge } from './knowledge.ts';
import type { PolicyDocument, Unit } from './policy-schema.ts';
import { covers, isSubject, rank, significantTerms } from './retrieval.ts';
import type { Hit } from './search.ts';
import { isoDay } from './corpus.ts';

/** An award the frame names, with the documents that set it. */
export interface AwardNamed {
  name: string;
  docs: PolicyDocument[];
}

/** The clause stage: the ranked clauses (widened to those that mention the place named), the topic terms, and whether the best clause covers the question. */
export interface ClauseStage {
  hits: Hit[];
  topics: string[];
  covered: boolean;
}

/** What an answerer reads. */
export interface AnswerContext {
  readonly k: Knowledge;
  readonly frame: QuestionFrame;
  readonly now: Date;
  /** The question as asked, and its normalised text. */
  readonly question: string;
  readonly q: string;
  readonly intent: string;
  readonly qt: QuestionType;
  /** The frame's weighted topic terms. */
  readonly terms: Map<string, number>;
  readonly covered: string[];
  readonly awards: AwardNamed[];
  readonly awardDocs: Set<string>;
  /** Topic words the corpus never uses; one that is the question's subject counts three times. */
  readonly weighed: string[];
  readonly regionFilter?: (u: Unit) => boolean;
  /** Clauses ranked for the question, within the places named. */
  readonly hits: Hit[];
  readonly clauses: ClauseStage;
}

/** Why an answerer passed the question on. */
export interface Declined {
  declined: string;
}

/** An answerer's refusal, with its reason (shown by `ask --explain`). */
export function decline(reason: string): Declined {
  return { declined: reason };
}

/** One kind of answer: it answers the question, or declines and says why. */
export interface Answerer {
  name: string;
  answer(ctx: AnswerContext): PolicyAnswer | Declined;
}

/** Builds the context of a frame; the ranked clauses and the clause stage are computed on first use. */
export function contextOf(k: Knowledge, frame: QuestionFrame, now: Date): AnswerContext {
  const q = frame.normalized;
  const terms = new Map(frame.terms);
  // "今年的目标": the year is read against the date of asking, and searched for as the year it is ("2026").
  for (const y of relativeYearsAsked(k, q, now)) if (!terms.has(y)) terms.set(y, 1);
  const covered = frame.places.covered;
  const awards = frame.awards.map((name) => ({ name, docs: k.documents.filter((d) => d.awards.includes(name)) }));
  const awardDocs = new Set([...awards.flatMap((a) => a.docs.map((d) => d.id)), ...frame.documents]);
  const foreign = frame.foreign;
  const weighed = [...foreign, ...foreign.filter((f) => f.length >= 3 && !questionPattern(k.glossary, 'askingWord').test(f) && isSubject(k.glossary, q, f)).flatMap((f) => [f, f])];
  // A programme or award named with no place ("黔品质造的补助分几次拨") is looked for in the documents that set it.
  const regionFilter = covered.length ? (u: Unit) => covered.includes(u.region) : awards.length && awardDocs.size ? (u: Unit) => awardDocs.has(u.docId) : undefined;
  const qt = frame.type;
  let hits: Hit[] | undefined;
  let clauses: ClauseStage | undefined;
  const ctx: AnswerContext = {
    k,
    frame,
    now,
    question: frame.text,
    q,
    intent: frame.intent,
    qt,
    terms,
    covered,
    awards,
    awardDocs,
    weighed,
    regionFilter,
    get hits() {
      return (hits ??= rank(k, q, terms, qt, regionFilter, awardDocs));
    },
    get clauses() {
      return (clauses ??= clauseStage(ctx));
    },
  };
  return ctx;
}

/** The years a question names by their distance from the year of asking (今年, 明年, 去年), as digits. */
export function relativeYearsAsked(k: Knowledge, q: string, now: Date): string[] {
  const words = Object.entries(k.glossary.relativeYears ?? {}).filter(([w]) => q.toLowerCase().includes(w.toLowerCase()));
  if (!words.length) return [];
  const year = Number(isoDay(now).slice(0, 4));
  return [...new Set(words.map(([, d]) => String(year + d)))];
}

/** The clauses an answer from a clause is chosen among, and whether the best of them covers the question. */
function clauseStage(ctx: AnswerContext): ClauseStage {
  const { k, q, terms, qt, regionFilter, awardDocs, weighed, covered } = ctx;
  let hits = ctx.hits;
  let top = hits[0];
  const topics = significantTerms(k, terms);
  if (regionFilter && (!top || !covers(k, topics, top, weighed))) {
    // The place named may be one another place's clause speaks of ("江门市组织的抽查" in an award's conditions).
    const names = covered.flatMap((r) => [r, r.replace(/(省|市)$/, '')]);
    // The units holding a name as an index term, checked against their text (no scan of every unit's text).
    const holding = k.search.unitsWith(names);
    const mentioned = rank(k, q, terms, qt, (u) => (!holding || holding.has(u)) && names.some((n) => u.text.includes(n)), awardDocs);
    if (mentioned[0] && covers(k, topics, mentioned[0], weighed)) {
      hits = mentioned;
      top = hits[0];
    }
  }
  return { hits, topics, covered: Boolean(top && covers(k, topics, top, weighed)) };
}
