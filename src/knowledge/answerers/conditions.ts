/**
 * "企业要满足啥条件", "对营收有要求吗，要多少才能报": the clause that sets the conditions of applying (申报条件,
 * 应当同时符合下列条件 — the glossary's `conditionsClause`). A question naming one thing (营收) gets the condition
 * about it; a question naming none gets the list of conditions.
 */
import { questionPattern } from '../../nlu/glossary.ts';
import { citationOf, excerptOf, finish, sourceLines, tidyFact } from '../compose.ts';
import { type AnswerContext, type Answerer, decline } from '../context.ts';
import { sentencesOf } from '../facts.ts';
import type { Unit } from '../policy-schema.ts';
import { rank, significantTerms, stopwordsOf } from '../retrieval.ts';
import { heard } from '../stated.ts';
import { docsInScope, listOf } from './exclusions.ts';
import { minimumsIn } from './threshold.ts';

/** Longest list, in characters, before the remaining conditions are left to the quote. */
const LIST_MAX = 320;

/** The question's words that name one condition (营收), not the applicant, the place, the asking or the document. */
function topicWords(ctx: AnswerContext, titles: string[]): string[] {
  const { k, q } = ctx;
  const own = q.replace(questionPattern(k.glossary, 'applicantPhrase', 'g'), ' ');
  const stop = stopwordsOf(k);
  const colloquial = new Set(k.glossary.colloquial);
  const asking = questionPattern(k.glossary, 'asksConditions');
  const noun = (t: string) => !k.segmenter || /^(n|nz|vn|nt|l|j|i)/.test(k.segmenter.tagged(t)[0]?.tag ?? '');
  return significantTerms(k, k.search.queryTerms(own)).filter(
    (t) => t.length >= 2 && !stop.has(t) && !colloquial.has(t) && !asking.test(t) && noun(t) && !k.places.match(t).covered.length && !titles.some((d) => d.includes(t)) && !questionPattern(k.glossary, 'applyingWords').test(t),
  );
}

/** Answers what an applicant must meet, from the conditions clause. */
export const conditions: Answerer = {
  name: 'conditions',
  answer: (ctx) => {
    const { k, q, terms, qt, question, intent, now } = ctx;
    if (!questionPattern(k.glossary, 'asksConditions').test(q)) return decline('does not ask the conditions of applying');
    const docIds = docsInScope(ctx);
    const clause = questionPattern(k.glossary, 'conditionsClause');
    const inScope = k.units.filter((u) => docIds.has(u.docId));
    // A condition is a clause that says it sets conditions, or an item under one (by its heading or its article).
    const heads = inScope.filter((u) => u.kind !== 'item' && clause.test(u.text));
    const isCondition = (u: Unit) => clause.test(u.heading) || heads.includes(u) || (u.kind === 'item' && heads.some((h) => h.docId === u.docId && u.article.startsWith(h.article)));
    const units = inScope.filter(isCondition);
    if (!units.length) return decline('no clause in scope sets conditions of applying');
    const titles = k.documents.filter((d) => docIds.has(d.id)).map((d) => d.title);
    const topics = topicWords(ctx, titles);
    const ranked = rank(k, q, terms, qt, (u) => units.includes(u), docIds, 12).map((h) => h.unit);
    const doc = (u: Unit) => k.documents.find((d) => d.id === u.docId);
    if (topics.length) {
      const text = (u: Unit) => `${u.text}`.toLowerCase();
      // The condition that sets a minimum for the thing named ("营业收入不低于5000万元") before one that merely names it.
      const items = [...ranked, ...units].filter((u) => u.kind === 'item' && topics.some((t) => heard(k, t, text(u))));
      const about = items.find((u) => topics.some((t) => minimumsIn(k, u, t).length)) ?? items[0];
      if (!about) return decline('no condition speaks of what is asked');
      const at = Math.max(0, sentencesOf(about).findIndex((s) => topics.some((t) => heard(k, t, s.toLowerCase()))));
      const said = tidyFact(sentencesOf(about)[at] ?? about.text).replace(/^\s*(?:[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])\s*/, '').replace(/[；;，,。]$/, '');
      const c = citationOf(about, excerptOf(about, at, []));
      return finish(k, question, intent, [`申报条件之一：${said}。`, ...sourceLines(c)], [c], doc(about), now);
    }
    // No one condition named: the list, under the best-ranked conditions clause.
    const best = ranked[0] ?? units[0];
    const head = heads.find((h) => h.docId === best.docId && (h === best || best.article.startsWith(h.article)));
    let lead: string;
    let cited: Unit;
    if (head) {
      const { opening, items } = listOf(k, head);
      // The line that introduces the conditions ("申报单位应当同时符合下列条件：") opens the list, if it is not the first.
      const intro = (head.original ?? head.text).split('\n').map((l) => l.trim()).find((l, i) => i > 0 && clause.test(l));
      lead = (intro ? tidyFact(intro) : opening).replace(/[。；;，,]?[：:]?$/, '：');
      for (const item of items) {
        if (lead.length + item.length > LIST_MAX) {
          lead += '……';
          break;
        }
        lead += item;
      }
      cited = head;
    } else {
      const group = units.filter((u) => u.docId === best.docId && u.heading === best.heading);
      lead = `${best.heading.trim()}：`;
      for (const u of group) {
        const item = tidyFact((u.original ?? u.text).trim());
        if (lead.length + item.length > LIST_MAX) {
          lead += '……';
          break;
        }
        lead += item;
      }
      cited = group[0];
    }
    const c = citationOf(cited);
    return finish(k, question, intent, [lead.replace(/[；;，,]$/, '。'), ...sourceLines(c)], [c], doc(cited), now);
  },
};
