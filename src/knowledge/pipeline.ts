/**
 * The answerer as one visible pipeline. A question is understood into a frame (understand.ts); then each answerer in
 * ANSWERERS, in order, answers it or declines with a reason, and the first answer is the reply. To add a kind of
 * question, write an answerer (answerers/*.ts: `{ name, answer(ctx) }`, returning `decline(reason)` when the question
 * is not its kind) and put it in the list where it should take precedence.
 */
import type { QuestionFrame } from '../nlu/frame.ts';
import type { PolicyAnswer } from './answer-types.ts';
import { emptyQuestion } from './answerers/empty.ts';
import { smallTalk } from './answerers/chat.ts';
import { uncoveredPlace } from './answerers/uncovered-place.ts';
import { documentListAnswerer } from './answerers/document-list.ts';
import { yearNotCovered } from './answerers/year-not-covered.ts';
import { repealed } from './answerers/repealed.ts';
import { issuance } from './answerers/issuance.ts';
import { validity } from './answerers/validity.ts';
import { perPlaceAnswerer } from './answerers/per-place.ts';
import { unknownAwardAmount } from './answerers/unknown-award.ts';
import { eligibility } from './answerers/eligibility.ts';
import { deadline } from './answerers/deadline.ts';
import { threshold } from './answerers/threshold.ts';
import { procedureNotStated } from './answerers/procedure.ts';
import { submission } from './answerers/submission.ts';
import { cap } from './answerers/cap.ts';
import { share } from './answerers/share.ts';
import { stacking } from './answerers/stacking.ts';
import { contact } from './answerers/contact.ts';
import { conditions } from './answerers/conditions.ts';
import { exclusions } from './answerers/exclusions.ts';
import { penalty } from './answerers/penalty.ts';
import { typedFact } from './answerers/typed-fact.ts';
import { clause } from './answerers/clause.ts';
import { notCoveredAnswerer } from './answerers/not-covered.ts';
import { contextOf, type Answerer } from './context.ts';
import type { Knowledge } from './knowledge.ts';

/** The answerers, first match wins. */
export const ANSWERERS: readonly Answerer[] = [
  emptyQuestion, // no text
  smallTalk, // 你好, 谢谢, 帮助
  uncoveredPlace, // only places no document comes from
  documentListAnswerer, // a place and nothing else: its documents
  repealed, // a document a loaded one repeals: said so, from the repealing clause
  yearNotCovered, // a plan year the place's documents do not cover
  issuance, // when a document was issued
  validity, // whether a document is in force
  perPlaceAnswerer, // an award several places set, no place named
  unknownAwardAmount, // the amount of an award no document sets
  eligibility, // "注册两年了可以申请吗", by the award's pre-check rules
  threshold, // "注册刚两年，能报吗": the user's stated quantity against the clause's minimum
  deadline, // "现在还能报吗"
  submission, // where materials are sent: the clause ingest typed as saying it, or that the document does not say
  exclusions, // "哪些情况拿不到奖励": the clause listing the cases excluded, with its items
  penalty, // "骗补被查出来多久不能再申请": the clause stating what follows fraud
  share, // "我们只是参与制定的，能奖多少": the participant's share, not the lead's full amount
  stacking, // "两个奖能同时拿吗": the 就高 rule says no, cited
  cap, // "一年最多能拿多少", "能拿到200万吗": the clause that sets the ceiling
  conditions, // "企业要满足啥条件", "对营收有要求吗": the conditions clause, or the condition about the thing named
  contact, // "有问题打谁电话": the asked notice's contact section, when no close clause gives a phone of its own
  procedureNotStated, // a date, website, phone number … that no close clause gives
  typedFact, // the closest clause holding the asked kind of fact (computed amounts are worked out in composition)
  clause, // the best clause
  notCoveredAnswerer, // the documents do not cover it
];

/** One step of the pipeline, as the trace shows it. */
export interface TraceStep {
  answerer: string;
  /** Why it declined; absent for the one that answered. */
  declined?: string;
}

/** How an answer was reached: the frame, the top clauses with their scores, and each answerer's decision. */
export interface AnswerTrace {
  frame: QuestionFrame;
  clauses: { title: string; article: string; score: number }[];
  steps: TraceStep[];
}

/** Runs the answerers over a frame; returns the first answer and the steps taken. */
export function runPipeline(k: Knowledge, frame: QuestionFrame, now: Date, explain = false): PolicyAnswer & { trace?: AnswerTrace } {
  const ctx = contextOf(k, frame, now);
  const steps: TraceStep[] = [];
  for (const a of ANSWERERS) {
    const r = a.answer(ctx);
    if ('declined' in r) {
      steps.push({ answerer: a.name, declined: r.declined });
      continue;
    }
    steps.push({ answerer: a.name });
    if (!explain) return r;
    const hits = frame.normalized ? ctx.clauses.hits : [];
    const clauses = hits.slice(0, 5).map((h) => ({ title: h.unit.title, article: h.unit.article, score: Number(h.score.toFixed(3)) }));
    return { ...r, trace: { frame, clauses, steps } };
  }
  throw new Error('no answerer answered (the last one must always answer)');
}
