/**
 * "哪些情况拿不到奖励": the clause that lists when nothing is granted ("有下列情形之一的，不予奖励：（一）…"), with
 * its items, quoted in the document's own script.
 */
import { questionPattern } from '../../nlu/glossary.ts';
import { citationOf, finish, sourceLines, tidyFact } from '../compose.ts';
import { type AnswerContext, type Answerer, decline } from '../context.ts';
import type { Unit } from '../policy-schema.ts';
import { rank } from '../retrieval.ts';

/** Longest list, in characters, before the remaining items are left to the quote. */
const LIST_MAX = 320;

/** An item line ("（一）…", "1.…"). */
const ITEM = /^\s*([（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])/;

/** The documents a question is about: the places it names, else the award's, else the best clause's. */
export function docsInScope(ctx: AnswerContext): Set<string> {
  const { k, covered, awardDocs, hits } = ctx;
  if (covered.length) return new Set(k.documents.filter((d) => covered.includes(d.region)).map((d) => d.id));
  if (awardDocs.size) return new Set(awardDocs);
  return new Set(hits[0] ? [hits[0].unit.docId] : []);
}

/** The clause's opening words and its items: its own item lines, then the item clauses filed under it. */
function listOf(k: AnswerContext['k'], unit: Unit): { opening: string; items: string[] } {
  const own = (u: Unit) => (u.original ?? u.text).split('\n').map((l) => l.trim()).filter(Boolean);
  const lines = own(unit);
  const opening = tidyFact(lines[0].replace(/^(第[一二三四五六七八九十百]+[条條]|[（(][一二三四五六七八九十]+[）)])\s*/, ''));
  const items = lines.slice(1).filter((l) => ITEM.test(l));
  const children = k.units.filter((u) => u.docId === unit.docId && u !== unit && u.kind === 'item' && u.article.startsWith(unit.article));
  for (const c of children) for (const l of own(c)) if (ITEM.test(l) && !items.includes(l)) items.push(l);
  return { opening, items: items.map((l) => tidyFact(l)) };
}

/** Answers which cases get nothing, from the clause that lists them. */
export const exclusions: Answerer = {
  name: 'exclusions',
  answer: (ctx) => {
    const { k, q, terms, qt, question, intent, now } = ctx;
    if (!questionPattern(k.glossary, 'asksExclusion').test(q)) return decline('does not ask in which cases nothing is granted');
    const docIds = docsInScope(ctx);
    const listing = questionPattern(k.glossary, 'exclusionClause');
    const candidates = new Set(k.units.filter((u) => docIds.has(u.docId) && u.kind !== 'item' && listing.test(u.text)));
    if (!candidates.size) return decline('no clause in scope lists the cases excluded');
    const unit = rank(k, q, terms, qt, (u) => candidates.has(u), docIds, 4)[0]?.unit ?? [...candidates][0];
    const { opening, items } = listOf(k, unit);
    let text = opening.replace(/[：:]?$/, '：');
    for (const item of items) {
      if (text.length + item.length > LIST_MAX) {
        text += '……';
        break;
      }
      text += item;
    }
    const doc = k.documents.find((d) => d.id === unit.docId);
    const c = citationOf(unit);
    const lines = [text.replace(/[；;，,]$/, '。'), ...sourceLines({ ...c, excerpt: opening })];
    return finish(k, question, intent, lines, [c], doc, now);
  },
};
