/** The general answer: the best clause, its lead sentence shaped to the question type, and its source. */
import { composeAnswer } from '../compose-clause.ts';
import { type Answerer, decline } from '../context.ts';

/** Answers from the best-ranked clause. */
export const clause: Answerer = {
  name: 'clause',
  answer: ({ k, question, intent, q, terms, qt, covered, now, clauses }) =>
    clauses.covered ? composeAnswer(k, question, intent, q, terms, qt, clauses.hits, now, !covered.length) : decline('the best clause does not cover the question'),
};
