/**
 * Answers policy questions: understand the question into a frame, then run the answerers of pipeline.ts over it. The
 * modules: understand.ts (the frame), context.ts (what answerers read), answerers/*.ts (one kind of answer each),
 * retrieval.ts (ranking clauses), lead.ts (the lead sentence), compose.ts and compose-clause.ts (the chat shape).
 */
import type { QuestionFrame } from '../nlu/frame.ts';
import type { Citation, PolicyAnswer } from './answer-types.ts';
import type { Knowledge } from './knowledge.ts';
import { runPipeline, type AnswerTrace } from './pipeline.ts';
import { understand } from './understand.ts';

export type { Knowledge } from './knowledge.ts';
export type { Citation, PolicyAnswer } from './answer-types.ts';
export type { QuestionFrame } from '../nlu/frame.ts';
export type { AnswerTrace } from './pipeline.ts';
export { CHAT_INTENTS } from './answerers/chat.ts';
export { chatReply, citationOf, contactOf, corpusSummary, documentList, HELP_TEXT, notCovered, tidyFact, validityWarning } from './compose.ts';
export { cnDate, isoDay } from './corpus.ts';
export { foreignTopics } from './retrieval.ts';
export { questionType, type QuestionType } from '../nlu/question.ts';
export { understand, withContext } from './understand.ts';

/** Intents that need a chat session (handled by the dispatcher, not by a one-off question). */
export const SESSION_INTENTS = new Set(['subscribe', 'unsubscribe', 'award_register', 'award_list', 'precheck_start', 'profile_check', 'cancel']);

/** An answer with the frame it answered (and, when asked for, how it was reached). */
export interface FramedAnswer extends PolicyAnswer {
  frame?: QuestionFrame;
  trace?: AnswerTrace;
}

/** Options of an answer: `explain` adds the trace. */
export interface AnswerOptions {
  explain?: boolean;
}

/** The reply when answering failed inside; nothing is guessed. */
function failed(question: string): PolicyAnswer {
  return { question, intent: 'error', found: false, answer: '抱歉，处理这个问题时出了点问题，请换个说法再问一次，或咨询当地市场监督管理局。', citations: [] };
}

/** Answers one policy question at the given date; never throws (an internal error becomes a polite not-found reply). */
export function answerQuestion(k: Knowledge, rawQuestion: string, now: Date, options: AnswerOptions = {}): FramedAnswer {
  let frame: QuestionFrame;
  try {
    frame = understand(k, rawQuestion);
  } catch (err) {
    if (process.env.DEBUG_ANSWER) process.stderr.write(`understanding failed: ${(err as Error).stack}\n`);
    return failed(rawQuestion);
  }
  return answerFrame(k, frame, now, options);
}

/**
 * Answers a frame, as understood or as a caller edited it (another place, another award, a follow-up merged with its
 * topic by `withContext`); the answer carries the frame it answered. Never throws.
 */
export function answerFrame(k: Knowledge, frame: QuestionFrame, now: Date, options: AnswerOptions = {}): FramedAnswer {
  try {
    const { trace, ...answer } = runPipeline(k, frame, now, options.explain);
    return trace ? { ...answer, frame, trace } : { ...answer, frame };
  } catch (err) {
    if (process.env.DEBUG_ANSWER) process.stderr.write(`answer failed: ${(err as Error).stack}\n`);
    return { ...failed(frame.text), frame };
  }
}
