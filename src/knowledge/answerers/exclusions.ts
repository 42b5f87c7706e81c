/**
 * "哪些情况拿不到奖励": the clause that lists when nothing is granted ("有下列情形之一的，不予奖励：（一）…"), with
 * its items, quoted in the document's own script.
 */
import { questionPattern } from '../../nlu/glossary.ts';
import { citationOf, excerptOf, finish, sourceLines, tidyFact } from '../compose.ts';
import { sentencesOf } from '../facts.ts';
import { type AnswerContext, type Answerer, decline } from '../context.ts';
import { unitsOf } from '../corpus.ts';
import type { Unit } from '../policy-schema.ts';
import { rank } from '../retrieval.ts';
import { articleInOwnScript } from '../own-script.ts';

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

/** The item units (（一）…) that belong under a clause of the same document. */
function itemsUnder(k: AnswerContext['k'], unit: Unit): Unit[] {
  return unitsOf(k, unit.docId).filter((u) => u !== unit && u.kind === 'item' && u.article.startsWith(unit.article));
}

/** The clause's opening words and its items: its own item lines, then the item clauses filed under it. */
export function listOf(k: AnswerContext['k'], unit: Unit): { opening: string; items: string[] } {
  const own = (u: Unit) => (u.original ?? u.text).split('\n').map((l) => l.trim()).filter(Boolean);
  const lines = own(unit);
  const opening = tidyFact(lines[0].replace(/^(第[一二三四五六七八九十百]+[条條]|[（(][一二三四五六七八九十]+[）)])\s*/, ''));
  const items = lines.slice(1).filter((l) => ITEM.test(l));
  const children = itemsUnder(k, unit);
  for (const c of children) for (const l of own(c)) if (ITEM.test(l) && !items.includes(l)) items.push(l);
  return { opening, items: items.map((l) => tidyFact(l)) };
}

/**
 * With no clause that lists them, the sentences that each exclude one case ("已获得…支持的项目不得重复申报",
 * "对弄虚作假的，取消申报资格"), the best first, each with its source.
 */
function scattered(ctx: AnswerContext, docIds: Set<string>): ReturnType<Answerer['answer']> | undefined {
  const { k, q, terms, qt, question, intent, now } = ctx;
  const excluding = questionPattern(k.glossary, 'excludingSentence');
  const holding = new Set(k.units.filter((u) => docIds.has(u.docId) && sentencesOf(u).some((x) => excluding.test(x))));
  if (!holding.size) return undefined;
  const units = rank(k, q, terms, qt, (u) => holding.has(u), docIds, 3).map((h) => h.unit);
  if (!units.length) return undefined;
  const said = units.map((u) => {
    const at = sentencesOf(u).findIndex((x) => excluding.test(x));
    return { u, at, text: tidyFact(sentencesOf(u)[at]).replace(/[。；;，,]$/, '') };
  });
  const lead = said.map((x) => `${x.text}（${articleInOwnScript(x.u)}）`).join('；');
  const citations = said.map((x) => citationOf(x.u, excerptOf(x.u, x.at, [])));
  const lines = [`${lead}。`, ...sourceLines(citations[0]), ...citations.slice(1).map((c) => `另见：《${c.title}》${c.article}`)];
  return finish(k, question, intent, lines, citations, k.documents.find((d) => d.id === units[0].docId), now);
}

/** The longest run of characters (at least MIN_SHARED, Chinese only) that a question and a line share. */
function shared(q: string, line: string): string {
  let best = '';
  for (let i = 0; i < q.length; i++) {
    for (let j = i + best.length + 1; j <= q.length; j++) {
      const part = q.slice(i, j);
      if (!/^[\u4e00-\u9fff]+$/.test(part) || !line.includes(part)) break;
      best = part;
    }
  }
  return best;
}

/** Characters a question and an excluded case must share to be the same case ("企业标准"). */
const MIN_SHARED = 4;

/**
 * "企业标准也能申请吧": a may-question about a case that a listing clause excludes ("有下列情形之一的，不予奖励：
 * （二）标准属于企业标准…") is answered no, citing the clause and quoting the item in the document's own script.
 */
function excludedCase(ctx: AnswerContext): ReturnType<Answerer['answer']> | undefined {
  const { k, q, qt, question, intent, now } = ctx;
  // ("企业标准也能拿奖吧" reads as a money question by its 奖; without a how-much word it asks yes or no.)
  const yesno = qt === 'yesno' || (qt === 'money' && !questionPattern(k.glossary, 'moneyAsk').test(q));
  if (!yesno || !questionPattern(k.glossary, 'asksMay').test(q)) return undefined;
  const docIds = docsInScope(ctx);
  const listing = questionPattern(k.glossary, 'exclusionClause');
  for (const unit of k.units.filter((u) => docIds.has(u.docId) && u.kind !== 'item' && listing.test(u.text))) {
    const title = k.documents.find((d) => d.id === unit.docId)?.title ?? '';
    const children = itemsUnder(k, unit);
    for (const u of [unit, ...children]) {
      const lines = u.text.split('\n');
      const originals = (u.original ?? u.text).split('\n');
      const at = lines.findIndex((l) => ITEM.test(l) && (() => {
        const common = shared(q, l);
        return common.length >= MIN_SHARED && !title.includes(common);
      })());
      if (at < 0) continue;
      const { opening } = listOf(k, unit);
      const item = tidyFact((originals[at] ?? lines[at]).trim()).replace(/[；;，,。]$/, '');
      const c = citationOf(u);
      const lead = `不能：${opening.replace(/[：:]?$/, '：')}${item}。`;
      const doc = k.documents.find((d) => d.id === unit.docId);
      return finish(k, question, intent, [lead, ...sourceLines({ ...c, excerpt: `${opening}${item}` })], [c], doc, now);
    }
  }
  return undefined;
}

/** Answers which cases get nothing, from the clause that lists them. */
export const exclusions: Answerer = {
  name: 'exclusions',
  answer: (ctx) => {
    const { k, q, terms, qt, question, intent, now } = ctx;
    const excluded = excludedCase(ctx);
    if (excluded) return excluded;
    if (!questionPattern(k.glossary, 'asksExclusion').test(q)) return decline('does not ask in which cases nothing is granted');
    const docIds = docsInScope(ctx);
    const listing = questionPattern(k.glossary, 'exclusionClause');
    const candidates = new Set(k.units.filter((u) => docIds.has(u.docId) && u.kind !== 'item' && listing.test(u.text)));
    if (!candidates.size) return scattered(ctx, docIds) ?? decline('no clause in scope lists the cases excluded');
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
