/** An eligibility verdict from the facts the user states ("注册两年了可以申请吗"), by the award's pre-check rules. */
import { questionPattern } from '../../nlu/glossary.ts';
import type { QuestionType } from '../../nlu/question.ts';
import type { PolicyAnswer } from '../answer-types.ts';
import { period, sourceLines, finish } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import type { Knowledge } from '../knowledge.ts';
import type { PolicyDocument } from '../policy-schema.ts';

/** An eligibility verdict from facts the user states about their enterprise ("注册两年了可以申请吗"). */
export function eligibilityAnswer(k: Knowledge, question: string, intent: string, q: string, qt: QuestionType, awards: { name: string; docs: PolicyDocument[] }[], now: Date): PolicyAnswer | undefined {
  const aboutApplying = questionPattern(k.glossary, 'aboutApplying').test(q);
  if (!aboutApplying || !(qt === 'yesno' || questionPattern(k.glossary, 'askingEnough').test(q))) return undefined;
  // Only an award the question names, and only when it has pre-check rules, is judged (by the judge wired in).
  if (!k.eligibility) return undefined;
  const e = k.eligibility(q, now, [...new Map(awards.flatMap((a) => a.docs.map((d) => [d.id, { id: d.id, title: d.title }] as const))).values()]);
  if (!e) return undefined;
  const doc = k.documents.find((d) => d.id === e.document) ?? k.documents.find((d) => d.title === e.citations[0]?.title);
  const lines = [period(e.fact), ...e.citations.flatMap((c, i) => (i === 0 ? sourceLines(c) : [`相关：《${c.title}》${c.article}`]))];
  return finish(k, question, intent, lines, e.citations, doc, now);
}

/** Answers whether the user's enterprise qualifies, from the facts they state. */
export const eligibility: Answerer = {
  name: 'eligibility',
  answer: ({ k, question, intent, q, qt, awards, hits, now }) => {
    // "合格了4次但有一次不合格，还能报不" names no award: the award whose document answers best is the one meant.
    const topDoc = hits[0] && k.documents.find((d) => d.id === hits[0].unit.docId);
    const meant = awards.length || !topDoc?.awards.length ? awards : [{ name: topDoc.awards[0], docs: [topDoc] }];
    return eligibilityAnswer(k, question, intent, q, qt, meant, now) ?? decline(k.eligibility ? 'no award with pre-check rules, or no fact of the user\'s to judge' : 'no pre-check judge wired in');
  },
};
