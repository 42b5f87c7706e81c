/** No close clause holds the asked kind of fact (an amount, a date): the best clause that does, if it still answers. */
import { composeAnswer } from '../compose-clause.ts';
import { type Answerer, decline } from '../context.ts';
import { chooseLead } from '../lead.ts';
import { WANTED, holdsType, rank, covers } from '../retrieval.ts';

/** Answers from the best clause holding a fact of the asked type, when the closest clauses hold none. */
export const typedFact: Answerer = {
  name: 'typed fact',
  answer: ({ k, question, intent, q, terms, qt, regionFilter, awardDocs, weighed, covered, now, clauses }) => {
    if (!clauses.covered) return decline('the best clause does not cover the question');
    const { hits, topics } = clauses;
    const first = WANTED[qt].length ? chooseLead(hits, terms, k, qt) : undefined;
    if (!first || (first.typed && !first.fallback)) return decline(first ? 'the closest clauses hold the asked fact' : 'no fact type asked');
    const typed = rank(k, q, terms, qt, (u) => (!regionFilter || regionFilter(u)) && holdsType(u, WANTED[qt]), awardDocs);
    if (!typed[0] || typed[0].score < hits[0].score * 0.4 || !covers(k, topics, typed[0], weighed)) return decline('no clause holding the asked fact is close enough');
    return composeAnswer(k, question, intent, q, terms, qt, typed, now, !covered.length);
  },
};
