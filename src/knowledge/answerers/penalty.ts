/**
 * "骗补被查出来，多久不能再申请": the clause that says what follows fraud (以虚假材料骗取…的，追回…，三年内不得申报),
 * led by the sentence that says it and, for a how-long question, by its period.
 */
import { questionPattern } from '../../nlu/glossary.ts';
import { citationOf, excerptOf, finish, period, sourceLines, tidyFact } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { sentencesOf } from '../facts.ts';
import { rank } from '../retrieval.ts';
import { docsInScope } from './exclusions.ts';

/** Answers what follows fraud, from the clause that states the penalty. */
export const penalty: Answerer = {
  name: 'penalty',
  answer: (ctx) => {
    const { k, q, terms, qt, question, intent, now } = ctx;
    if (!questionPattern(k.glossary, 'asksPenalty').test(q)) return decline('does not ask what follows fraud');
    const docIds = docsInScope(ctx);
    const clause = questionPattern(k.glossary, 'penaltyClause');
    const holding = new Set(k.units.filter((u) => docIds.has(u.docId) && sentencesOf(u).some((s) => clause.test(s))));
    if (!holding.size) return decline('no clause in scope states a penalty for fraud');
    const unit = rank(k, q, terms, qt, (u) => holding.has(u), docIds, 4)[0]?.unit ?? [...holding][0];
    const sentences = sentencesOf(unit);
    const at = sentences.findIndex((s) => clause.test(s));
    const facts = (unit.facts ?? []).filter((f) => f.sentence === at && (qt === 'duration' || qt === 'when' ? f.type === 'duration' : true));
    const doc = k.documents.find((d) => d.id === unit.docId);
    const c = citationOf(unit, excerptOf(unit, at, facts.slice(0, 1)));
    return finish(k, question, intent, [period(tidyFact(sentences[at])), ...sourceLines(c)], [c], doc, now);
  },
};
