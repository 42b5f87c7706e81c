/** Composes a cited answer from ranked clauses: lead, second part, computed amount, source, excerpt, related clause. */
import { extractEntities } from '../nlu/entities.ts';
import { dateConditionsOf, decideByDate } from './date-condition.ts';
import type { Citation, PolicyAnswer } from './answer-types.ts';
import { sentencesOf } from './facts.ts';
import type { Knowledge } from './knowledge.ts';
import type { Unit } from './policy-schema.ts';
import type { Hit } from './search.ts';
import { tidyFact, citationOf, excerptOf, period, sourceLines, notCovered, finish } from './compose.ts';
import { unitsOf } from './corpus.ts';
import { articleInOwnScript } from './own-script.ts';
import { LEAD_MAX, clauseLead, chooseLead, leadText, oneClause } from './lead.ts';
import { WANTED, holdsType, scoreSentence, factsOfType, departmentsOf, rank, phrasesOf, focusTerms, significantTerms, covers, foreignTopics } from './retrieval.ts';
import { unstated, yearUnstated } from './stated.ts';
import { decidingHit, yesNoLead, unheard, verdictWords } from './yesno.ts';
import { questionPattern } from '../nlu/glossary.ts';
import { type QuestionType, questionType, partsOf, firstPart, askedPredicate, askedObject, askedAction } from '../nlu/question.ts';

/** Among the close hits, the first whose date condition bounds a thing the question dates ("…发布的标准"), or -1. */
function datedHit(q: string, hits: Hit[]): number {
  const verbs = [...q.matchAll(/([\u4e00-\u9fff]{2})的/g)].map((m) => m[1]);
  return hits.findIndex((h, i) => i < 5 && h.score >= hits[0].score * 0.6 && verbs.some((v) => dateConditionsOf(h.unit, v).length));
}

/** Composes the answer from the ranked hits: lapse line, lead, source, excerpt, and at most one related clause. */
export function composeAnswer(k: Knowledge, question: string, intent: string, q: string, allTerms: Map<string, number>, qt: QuestionType, hits: Hit[], now: Date, anyPlace: boolean): PolicyAnswer {
  const terms = focusTerms(k, allTerms);
  // Adjacent question words as one phrase ("材料评审") point at the sentence that says exactly that.
  for (const { p } of phrasesOf(k, q)) if (!terms.has(p)) terms.set(p, 0.5);
  // A table column the question names ("配合单位有哪些") makes the rows that have it the candidates.
  const column = hits.findIndex((h, i) => i < 6 && h.score >= hits[0].score * 0.6 && h.unit.fields && Object.keys(h.unit.fields).some((c) => h.unit.fields![c] && q.includes(c)));
  if (column > 0) hits = [hits[column], ...hits.filter((_, i) => i !== column)];
  // "…包括哪些产品 一共几种": a later part of question words alone asks its kind of fact of the same thing, so among the
  // close clauses the first that holds such a fact leads.
  const alsoAsked = partsOf(q, k.glossary).slice(1).filter((p) => ![...k.search.queryTerms(p).keys()].some((t) => k.search.hasTerm(t))).map((p) => questionType(p, k.glossary)).find((t) => t !== qt && WANTED[t].length);
  const both = alsoAsked ? hits.findIndex((h, i) => i < 5 && h.score >= hits[0].score * 0.9 && holdsType(h.unit, WANTED[alsoAsked])) : -1;
  if (both > 0) hits = [hits[both], ...hits.filter((_, i) => i !== both)];
  // A yes/no question is decided by the clause holding its rarest word (synonyms too: 收费 → 收取), among the close hits.
  // "2023年发布的标准还能报吗": a close clause's date condition on what may be claimed decides, against the user's date.
  const byDate = qt === 'yesno' ? decideByDate(q, hits.slice(0, 5).map((h) => h.unit)) : undefined;
  const dateUnit = byDate ? hits[byDate.index].unit : undefined;
  if (qt === 'yesno') {
    const deciding = byDate ? byDate.index : decidingHit(k, hits, terms);
    if (deciding > 0) hits = [hits[deciding], ...hits.filter((_, i) => i !== deciding)];
  }
  // In a message that asks several things, the first question's own words choose the lead; the others weigh little.
  const first = firstPart(q, k.glossary);
  const leadTerms = first !== q ? partTerms(k, first, terms) : new Map(terms);
  // "检验站以后要升级成啥": the verb right before the question word is what is asked; its words weigh three times.
  if (qt === 'fact' || qt === 'list') {
    const asked = askedPredicate(first, k.glossary);
    if (asked) {
      for (const [t, w] of leadTerms) {
        if (t.length >= 2 && asked.predicate.includes(t)) leadTerms.set(t, w * 3);
      }
    }
  }
  // "哪个时间段发布的标准可以报": a close clause that bounds the dates of what is 发布 is the answer, not another date.
  const dated = qt === 'when' ? datedHit(q, hits) : -1;
  // "补贴是哪个部门审核": the body asked about is the one the clause says does that (审核); its words weigh three times.
  const action = qt === 'who' ? askedAction(first, k.glossary) : undefined;
  if (action) for (const [t, w] of leadTerms) if (t.length >= 2 && action.includes(t)) leadTerms.set(t, w * 3);
  const lead = chooseLead(dated >= 0 ? [hits[dated]] : hits, leadTerms, k, qt)!;
  const unit = lead.unit;
  const doc = k.documents.find((d) => d.id === unit.docId);
  const wantedFacts = factsOfType(unit, WANTED[qt]).filter((f) => f.sentence === lead.sentence);
  if (WANTED[qt].length && !lead.typed && (qt === 'money' || qt === 'when' || qt === 'cadence' || qt === 'quantity')) {
    const what = qt === 'money' ? '具体金额' : qt === 'cadence' ? '周期或频次' : qt === 'quantity' ? '具体数量' : '具体日期或期限';
    const c = citationOf(unit, excerptOf(unit, lead.sentence, []));
    if (qt === 'money') return notCovered(k, question, intent, `现有政策文件没有写明这项奖励或补贴的${what}`, undefined, doc?.region);
    const lines = [period(`《${doc?.title ?? unit.title}》${articleInOwnScript(unit)}谈到了这件事，但没有写明${what}`), ...sourceLines(c)];
    return finish(k, question, intent, lines, [c], doc, now);
  }
  // "检测设备有没有补贴", "会被罚款吗": no verdict and no amount unless the clause grants the benefit, imposes the duty
  // and speaks of the asked subject; the answer says what the clause speaks of instead (stated.ts).
  const gap = unstated(k, first, qt, unit);
  // "2023年要达到多少家": the clause's figures are for another year; say so, then what it does say.
  const year = gap || qt === 'when' || qt === 'duration' ? undefined : yearUnstated(k, first, unit);
  if (year) {
    const c = citationOf(unit, excerptOf(unit, lead.sentence, wantedFacts));
    const said = computed(k, q, qt, unit, lead.sentence) ?? leadText(lead, qt, leadTerms, k, first);
    const lines = [`《${doc?.title ?? unit.title}》没有写明${year}的情况。`, period(`${articleInOwnScript(unit)}写的是：${said}`), ...sourceLines(c)];
    return finish(k, question, intent, lines, [c], doc, now);
  }
  if (gap) {
    const c = citationOf(unit, excerptOf(unit, lead.sentence, []));
    const topic = spokenTopic(k, terms, unit);
    const lines = [period(`《${doc?.title ?? unit.title}》${articleInOwnScript(unit)}${topic ? `谈到了${topic}，但` : ''}没有写明${gap.thing}`), ...sourceLines(c)];
    return finish(k, question, intent, lines, [c], doc, now);
  }
  // "首席质量官有补贴吗": when the clause never speaks of the thing whose existence is asked, no verdict is given, only
  // what the clause covers. (Whether something may be done, "能不能分开报", is often said in other words, so it is not judged.)
  const object = qt === 'yesno' && questionPattern(k.glossary, 'asksWhetherHas').test(first) ? askedObject(first, k.glossary)
    // "要交钱吗": whether something must be done or paid, when the clause never speaks of it.
    : qt === 'yesno' ? questionPattern(k.glossary, 'objectOwed').exec(first)?.[1] : undefined;
  if (object && unheard(k, object, unit)) {
    const c = citationOf(unit, excerptOf(unit, lead.sentence, []));
    const topic = spokenTopic(k, terms, unit);
    const lines = [period(`《${doc?.title ?? unit.title}》${articleInOwnScript(unit)}谈到了${topic ?? '相关内容'}，但没有写明${object}`), ...sourceLines(c)];
    return finish(k, question, intent, lines, [c], doc, now);
  }
  let yn = qt === 'yesno' ? yesNoLead(k.glossary, q, unit, lead.sentence, terms, k.search) : undefined;
  // "获奖企业能不能免检": a 可以/不可以 is given only when the clause speaks of what is asked (免检), not of something else.
  const thing = qt === 'yesno' ? askedObject(first, k.glossary) ?? questionPattern(k.glossary, 'objectDone').exec(first)?.[1] : undefined;
  if (yn && thing && unheard(k, thing, unit)) yn = undefined;
  if (byDate && unit === dateUnit) yn = { verdict: byDate.ok ? '可以。' : '不可以。', sentence: byDate.sentence };
  if (yn) {
    lead.sentence = yn.sentence;
    lead.text = sentencesOf(unit)[yn.sentence];
  }
  // "有银行参与吗": whether a body takes part is answered by the departments the clause names.
  const deps = qt === 'yesno' && questionPattern(k.glossary, 'asksTakingPart').test(q) ? departmentsOf(unit) : undefined;
  const named = deps ? [...terms.keys()].filter((t) => t.length >= 2 && deps.includes(t) && !questionPattern(k.glossary, 'takingPartWords').test(t)) : [];
  let text = named.length ? `有。${deps!.replace(/;/g, '；').replace(/:/g, '：')}` : computed(k, q, qt, unit, lead.sentence) ?? leadText(lead, qt, leadTerms, k, first);
  if (qt === 'yesno' && !named.length) {
    const verdict = yn?.verdict;
    if (verdict && !text.startsWith(verdict)) text = `${verdict}${text}`;
  }
  // A second question in the same message ("谁牵头？多久评一次") gets its own fact from the same clause.
  const extra = secondPart(k, q, qt, unit, terms);
  // (What the lead already says is not said again, whatever the punctuation.)
  const bare = (s: string) => s.replace(/[\s。；;，,：:、“”"]/g, '');
  if (extra && !bare(text).includes(bare(extra.text))) text = `${period(text).replace(/。$/, '')}；${extra.text}`;
  // …or from another clause of the same place when this one does not say it ("合格率要保持多少？地标产品目标几个").
  const away = extra ? undefined : secondElsewhere(k, q, unit, text);
  if (away && !bare(text).includes(bare(away.text))) text = `${period(text).replace(/。$/, '')}；${away.text}`;
  // "养老、电商这些服务业": each item the question lists gets the sentence of the clause that speaks of it.
  for (const s of enumeratedSentences(k, q, unit, lead.sentence)) if (!text.includes(s)) text = `${period(text).replace(/。$/, '')}；${s}`;
  const c = citationOf(unit, excerptOf(unit, lead.sentence, wantedFacts));
  const citations: (Citation & { excerpt?: string })[] = [c];
  const lines = [period(text), ...sourceLines(c)];
  // A second clause of the same document is attached only when it holds question words the first lacks.
  const inFirst = unit.text.toLowerCase();
  const adds = (h: Hit) => significantTerms(k, terms).some((t) => !inFirst.includes(t) && h.unit.text.toLowerCase().includes(t));
  const second = hits.find((h) => h.unit !== unit && h.unit.docId === unit.docId && h.score >= hits[0].score * 0.8 && !unit.article.startsWith(h.unit.article) && !h.unit.article.startsWith(unit.article) && adds(h));
  const other = anyPlace ? hits.find((h) => h.unit.region !== unit.region && h.score >= hits[0].score * 0.85) : undefined;
  if (away) {
    const c3 = citationOf(away.unit, excerptOf(away.unit, away.sentence, []));
    citations.push(c3);
    lines.push(...sourceLines(c3, '另见'));
  }
  for (const [h, label] of [[second, '相关'], [other, '另见']] as const) {
    if (!h || h.unit === away?.unit) continue;
    const lead2 = chooseLead([h], terms, k, qt);
    const c2 = citationOf(h.unit, lead2 ? excerptOf(h.unit, lead2.sentence, factsOfType(h.unit, WANTED[qt]).filter((f) => f.sentence === lead2.sentence)) : undefined);
    citations.push(c2);
    const quote2 = (c2.excerpt ?? c2.quote).replace(/\s*\n\s*/g, ' ');
    lines.push(`${label}：《${c2.title}》${c2.article}：“${quote2.length > 60 ? `${quote2.slice(0, 60)}…` : quote2}”`);
  }
  return finish(k, question, intent, lines, citations, doc, now);
}

/** Sentences of the clause for each item a question enumerates with 、 (other than the lead's own sentence). */
export function enumeratedSentences(k: Knowledge, q: string, unit: Unit, leadSentence: number): string[] {
  const m = /[\u4e00-\u9fff]{2,6}(?:、[\u4e00-\u9fff]{2,6})+/.exec(q);
  if (!m) return [];
  const sentences = sentencesOf(unit);
  const out: string[] = [];
  for (const item of m[0].split('、')) {
    const terms = k.search.queryTerms(item);
    const best = sentences.map((s, i) => ({ i, score: scoreSentence(s, terms, k.search) })).sort((a, b) => b.score - a.score)[0];
    if (best && best.score > 0 && best.i !== leadSentence) out.push(clauseLead(sentences[best.i], [], terms, k.search));
  }
  return [...new Set(out)].slice(0, 3);
}

/** Terms of one question of a message: its own words in full, the rest of the message's at a third. */
export function partTerms(k: Knowledge, part: string, all: Map<string, number>): Map<string, number> {
  const own = focusTerms(k, k.search.queryTerms(part));
  for (const [t, w] of all) if (!own.has(t)) own.set(t, w * 0.3);
  return own;
}

/** The answer to a second question of the message from the best other clause of the same place, when one covers it. */
export function secondElsewhere(k: Knowledge, q: string, unit: Unit, said = ''): { unit: Unit; text: string; sentence: number } | undefined {
  const parts = partsOf(q, k.glossary);
  for (const part of parts.slice(1)) {
    const qt2 = questionType(part, k.glossary);
    const own = k.search.queryTerms(part);
    if (![...own.keys()].some((t) => k.search.hasTerm(t) && t.length >= 2)) continue;
    // "…要多少家 证书多少张": a part whose words and asked kind of fact the answer already says is answered.
    const words = significantTerms(k, own);
    const facts = factsOfType(unit, WANTED[qt2]);
    if (words.length && facts.length && words.every((t) => said.toLowerCase().includes(t)) && facts.some((f) => said.includes(f.text))) continue;
    // (The message's first question named its document: a later one is about the same document first, "…奖金钱谁出".)
    const hits = rank(k, part, own, qt2, (u) => u.region === unit.region && u !== unit, new Set([unit.docId]), 6);
    if (!hits[0] || !covers(k, significantTerms(k, own), hits[0], foreignTopics(k, part))) continue;
    const lead = chooseLead(hits, focusTerms(k, own), k, qt2);
    if (!lead || (WANTED[qt2].length && !lead.typed)) continue;
    let text = leadText(lead, qt2, own, k, part).replace(/[。；;]$/, '');
    if (text.length > LEAD_MAX / 2) {
      // The clause with the asked fact ("290个") and the second question's words.
      const facts = factsOfType(lead.unit, WANTED[qt2]).filter((f) => f.sentence === lead.sentence).map((f) => f.text);
      text = oneClause(sentencesOf(lead.unit)[lead.sentence], text, own, k.search, (c) => (facts.some((f) => c.replace(/\s+/g, '').includes(f)) ? 5 : 0));
    }
    return { unit: lead.unit, text, sentence: lead.sentence };
  }
  return undefined;
}

/** The fact for a second question in the message, of another type, from the same clause. */
export function secondPart(k: Knowledge, q: string, qt: QuestionType, unit: Unit, terms: Map<string, number>): { text: string; sentence: number } | undefined {
  const parts = partsOf(q, k.glossary);
  if (parts.length < 2) return undefined;
  for (const part of parts.slice(1)) {
    const qt2 = questionType(part, k.glossary);
    const terms2 = k.search.queryTerms(part);
    for (const [t, w] of terms) if (!terms2.has(t)) terms2.set(t, w * 0.3);
    const lead2 = chooseLead([{ unit, score: 1, matched: [] }], terms2, k, qt2);
    if (!lead2 || (qt2 === qt && !unit.fields)) continue;
    const own = k.search.queryTerms(part);
    const yn = qt2 === 'yesno' ? yesNoLead(k.glossary, part, unit, lead2.sentence, terms2, k.search) : undefined;
    if (yn) lead2.sentence = yn.sentence;
    let text = leadText(lead2, qt2, terms2, k, part);
    // A second part of only question words ("for how long") is answered by its type alone, from the same clause.
    const bare = ![...own.keys()].some((t) => k.search.hasTerm(t));
    if (bare ? !lead2.typed || !WANTED[qt2].length : scoreSentence(text, own, k.search) <= 0) continue;
    // "…是啥？谁负责宣传": who does it is said by the bodies the clause names (a table row's 牵头单位, 配合单位), whole.
    const bodies = qt2 === 'who' && qt !== 'who' ? departmentsOf(unit) : undefined;
    if (bodies) return { text: bodies, sentence: lead2.sentence };
    // A second answer is one clause: the one that speaks of the second question's own words.
    if (yn || text.length > LEAD_MAX / 2) {
      // For a yes/no, the clause that says yes or no ("…的免费培训"), where one does.
      const saying = yn ? (c: string) => verdictWords(k.glossary).test(c) && scoreSentence(c, own, k.search) > 0 : undefined;
      text = oneClause(sentencesOf(unit)[lead2.sentence], text, own, k.search, undefined, saying);
    }
    if (yn) text = `${yn.verdict}${text}`;
    return { text, sentence: lead2.sentence };
  }
  return undefined;
}

/** A computed amount, when the user states their own count ("合格5次能拿多少") and the clause states an amount per unit. */
export function computed(k: Knowledge, q: string, qt: QuestionType, unit: Unit, sentence: number): string | undefined {
  if (qt !== 'money' && qt !== 'quantity') return undefined;
  const facts = factsOfType(unit, ['amount']).filter((f) => f.sentence === sentence);
  const per = facts.find((f) => f.per && f.value && !f.bound);
  if (!per) return undefined;
  const m = new RegExp(`(?<!每[^\\d一二三四五六七八九十两]{0,6})(\\d+|[一二两三四五六七八九十]+)\\s*${per.per}`).exec(q) ?? (per.per === '次' ? /(\d+)\s*(?:times?|spot checks?|inspections?|passes)/i.exec(q) ?? /passed\s+(\d+)/i.exec(q) : null);
  if (!m) return undefined;
  const n = /^\d+$/.test(m[1]) ? Number(m[1]) : extractEntities(`${m[1]}次`).times;
  if (!n || n <= 1 && !/\d/.test(m[1])) return undefined;
  // A condition elsewhere in the document that asks for more than the user has ("连续3次以上").
  const need = unitsOf(k, unit.docId)
    .flatMap((u) => (u.facts ?? []).filter((f) => f.type === 'count' && /以上/.test(f.text) && f.text.includes(per.per!) && (f.value ?? 0) > n).map((f) => ({ u, f })))[0];
  const floor = facts.find((f) => f.bound === 'min');
  if (need) {
    return `${n}${per.per}还不够：${tidyFact(need.f.clause).slice(0, 50)}（${articleInOwnScript(need.u)}）；达到后按${tidyFact(per.clause).replace(/^.*?(每)/, '$1')}计`;
  }
  const total = n * per.value!;
  const result = floor && floor.value! > total ? floor.value! : total;
  return `${n}${per.per}可得${result}元（${per.value}元 × ${n}${per.per} = ${total}元${floor && floor.value! > total ? `，按最少${floor.value}元计` : ''}）`;
}

/** The longest topic word of the question that the clause does use, to say what it speaks of. */
function spokenTopic(k: Knowledge, terms: Map<string, number>, unit: Unit): string | undefined {
  const text = unit.text.toLowerCase();
  const asking = Object.values(k.glossary.questionWords).flat();
  return significantTerms(k, terms).filter((t) => t.length >= 2 && text.includes(t) && !k.places.match(t).covered.length && !asking.some((w) => w.includes(t))).sort((a, b) => b.length - a.length)[0];
}
