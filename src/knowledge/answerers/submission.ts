/**
 * "材料交到哪", "在哪申报", "网上申报吗": a procedural detail that ingest types (where materials are sent, facts.ts) is
 * answered from the clause of the asked document that states it; the applicant's own step is preferred to an office
 * passing the files on. When the document asked about states none, the answer says so plainly.
 */
import { questionPattern, ruleOf } from '../../nlu/glossary.ts';
import { partsOf } from '../../nlu/question.ts';
import { citationOf, excerptOf, finish, notCovered, period, sourceLines } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { sentencesOf } from '../facts.ts';
import { clauseLead } from '../lead.ts';
import { factsOfType, focusTerms, holdsType, rank, scoreClause } from '../retrieval.ts';

/** Weight of an office's onward sending against the applicant's own (a relay answers only when nothing else does). */
const RELAY_WEIGHT = 0.4;

/** Other details the question asks that only an online way would give ("网址多少"): "或网址". */
function alsoUnstated(k: Parameters<Answerer['answer']>[0]['k'], asked: string): string {
  const names = k.glossary.procedureAsks.details.filter((d) => !d.fact && ruleOf(d).asks.test(asked)).map((d) => d.name);
  return names.map((n) => `或${n}`).join('');
}

/** Answers where materials are sent (or another typed procedural detail) from the asked document's clause that states it. */
export const submission: Answerer = {
  name: 'typed procedure detail',
  answer: ({ k, question, intent, q, terms, qt, regionFilter, awardDocs, clauses, now }) => {
    // (A message that asks several things is composed from clauses, each part its own fact.)
    if (partsOf(q, k.glossary).length > 1) return decline('the message asks several things');
    const asked = q;
    const detail = k.glossary.procedureAsks.details.find((d) => d.fact && ruleOf(d).asks.test(asked));
    if (!detail?.fact) return decline('asks no procedural detail that ingest types');
    const type = detail.fact;
    const top = clauses.hits[0];
    if (!top) return decline('no clause is close to the question');
    // The documents asked about: those of the close clauses (a place, an award or a document named narrows them).
    const docs = new Set(clauses.hits.filter((h, i) => i < 3 && h.score >= top.score * 0.6).map((h) => h.unit.docId));
    const holding = rank(k, q, terms, qt, (u) => docs.has(u.docId) && (!regionFilter || regionFilter(u)) && holdsType(u, [type]), awardDocs);
    const focus = focusTerms(k, terms);
    // "能网上申报吗", "网上申请的网址多少": an online way is what is asked; the document's other way is said when it states
    // no online one.
    const online = questionPattern(k.glossary, 'asksOnline').test(asked);
    let best: { unit: (typeof holding)[number]['unit']; sentence: number; score: number; online: boolean } | undefined;
    for (const h of holding) {
      for (const f of factsOfType(h.unit, [type])) {
        // ("纸质材料最后寄到哪里": a question using the very verb of an office's onward sending, 寄送至, asks that step.)
        const verbs = asked.replace(questionPattern(k.glossary, 'applyingWords', 'g'), ' ');
        const relay = f.relay && !(/^[\u4e00-\u9fff]/.test(f.text) && verbs.includes(f.text[0]));
        const score = (h.score + scoreClause(f.clause, focus, k.search)) * (relay ? RELAY_WEIGHT : 1) * (online && f.online ? 2 : 1);
        if (!best || score > best.score) best = { unit: h.unit, sentence: f.sentence, score, online: Boolean(f.online) };
      }
    }
    const doc = k.documents.find((d) => d.id === (best?.unit ?? top.unit).docId);
    if (!best) {
      // Only a question about a named place, award or document is told that its document does not say.
      if (!regionFilter && !awardDocs.size) return decline('the close documents do not state it');
      return notCovered(k, question, intent, `《${doc?.title ?? top.unit.title}》没有写明${detail.name}`, undefined, doc?.region);
    }
    const { unit, sentence } = best;
    const facts = factsOfType(unit, [type]).filter((f) => f.sentence === sentence);
    // (Every way the sentence gives is said: "在线填报…，线上提交后将纸质材料报送至…".)
    let text = clauseLead(sentencesOf(unit)[sentence], facts, undefined, undefined, sentencesOf(unit)[sentence - 1]);
    if (online) text = best.online ? `${qt === 'yesno' ? '可以。' : ''}${text}` : `《${doc?.title ?? unit.title}》没有写明可以网上申报${alsoUnstated(k, asked)}，写明的是：${text}`;
    const c = citationOf(unit, excerptOf(unit, sentence, facts));
    return finish(k, question, intent, [period(text), ...sourceLines(c)], [c], doc, now);
  },
};
