/**
 * "两个奖励能同时拿吗", "可以叠加吗": the 就高 rule ("同一项目符合多项奖励的，按就高原则给予奖励，不重复奖励")
 * answers no, with the clause cited. Only a clause that states the rule answers; a document without one gets no verdict.
 */
import { questionPattern, verdictAsked } from '../../nlu/glossary.ts';
import { citationOf, excerptOf, finish, period, sourceLines, tidyFact } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf } from '../corpus.ts';
import { sentencesOf } from '../facts.ts';
import { scoreSentence } from '../retrieval.ts';

/** The longest part of a rule sentence the lead keeps whole; a longer one is cut after the rule's own clause. */
const RULE_MAX = 70;

/** Answers whether two benefits may be combined, from the clause that gives the higher one only. */
export const stacking: Answerer = {
  name: 'no double award',
  answer: ({ k, q, question, intent, terms, clauses, regionFilter, now }) => {
    if (!questionPattern(k.glossary, 'asksStacking').test(q)) return decline('does not ask whether two benefits may be combined');
    const top = clauses.hits[0];
    if (!top) return decline('no clause is close to the question');
    // The documents asked about: those of the close clauses, the best first.
    const docs = [...new Set(clauses.hits.filter((h, i) => i < 5 && h.score >= top.score * 0.5).map((h) => h.unit.docId))];
    const rule = questionPattern(k.glossary, 'stackingClause');
    for (const docId of docs) {
      const found = unitsOf(k, docId)
        .filter((u) => !regionFilter || regionFilter(u))
        .flatMap((u) => sentencesOf(u).map((s, i) => ({ u, s, i })))
        .filter((x) => rule.test(x.s))
        .map((x) => ({ ...x, score: scoreSentence(x.s, terms, k.search) }))
        .sort((a, b) => b.score - a.score)[0];
      if (!found) continue;
      let said = tidyFact(found.s).replace(/[。；;]$/, '');
      if (said.length > RULE_MAX) {
        // "…，按就高原则给予奖励，不重复奖励，已获奖励的差额部分予以补足": up to the clause that states the rule.
        const parts = said.split(/(?<=[，,；;])/);
        const last = parts.findLastIndex((p) => rule.test(p));
        if (last >= 0) said = parts.slice(0, last + 1).join('').replace(/[，,；;]$/, '');
      }
      const no = questionPattern(k.glossary, 'asksMay').test(q) ? '不能' : (verdictAsked(k.glossary, q)?.no ?? '不能');
      const doc = k.documents.find((d) => d.id === docId);
      const c = citationOf(found.u, excerptOf(found.u, found.i, []));
      return finish(k, question, intent, [period(`${no}。${said}`), ...sourceLines(c)], [c], doc, now);
    }
    return decline('no close document states the 就高 rule');
  },
};
