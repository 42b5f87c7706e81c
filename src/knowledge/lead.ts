/** Choosing and cutting the lead: the sentence of the ranked clauses that holds the asked fact, shaped to the question type. */
import { sentencesOf, type Fact, type FactType } from './facts.ts';
import type { Unit } from './policy-schema.ts';
import type { Hit, UnitSearch } from './search.ts';
import { tidyFact } from './compose.ts';
import { WANTED, FALLBACK, scoreSentence, scoreClause, factsOfType, departmentsOf, rank, itemTitles, yearOf } from './retrieval.ts';
import type { QuestionType } from '../nlu/question.ts';
import { questionPattern } from '../nlu/glossary.ts';
import type { Knowledge } from './knowledge.ts';

/** What choosing a lead reads: the search tables, and the glossary's words for a bound or a list asked. */
export type Lexicon = Pick<Knowledge, 'search' | 'glossary'>;

/** Longest lead sentence, in characters, where the fact allows. */
export const LEAD_MAX = 80;

/** A sentence up to this long leads whole; a longer one is cut to the clauses that hold the facts. */
export const LEAD_WHOLE = 50;

/** A chosen lead: the sentence index in its unit, and the clause text to lead with. */
export interface Lead {
  unit: Unit;
  sentence: number;
  text: string;
  /** Whether the lead holds a fact of the asked type. */
  typed: boolean;
  /** Whether that fact is only of a fallback type (a period where a date was asked). */
  fallback?: boolean;
}

/** Cuts a sentence to the clauses holding the given facts (with the subject clause when it fits), marking nothing. */
export function clauseLead(sentence: string, facts: Fact[], terms?: Map<string, number>, search?: UnitSearch, before?: string): string {
  const s = tidyFact(sentence).replace(/[。；;]$/, '');
  // Short sentences lead whole; longer ones are cut to the clauses with the facts (the quote below gives the rest).
  if (s.length <= LEAD_WHOLE || !facts.length) return s.length <= LEAD_MAX * 1.6 ? s : `${s.slice(0, LEAD_MAX * 1.5)}…`;
  let clauses = [...new Set(facts.map((f) => tidyFact(f.clause).replace(/^(其中|并|且|同时|即)/, '')))];
  if (terms && search && clauses.length > 1) {
    // Of several figures, the ones whose clauses match the question best ("质量管理体系…2800家", not every target).
    const scored = clauses.map((c) => ({ c, score: scoreClause(c, terms, search) }));
    const best = Math.max(...scored.map((x) => x.score));
    if (best > 0) clauses = scored.filter((x) => x.score >= best * 0.9).map((x) => x.c);
  }
  let text = clauses.join('，');
  // A bare date or figure ("到2020年底") is followed by the clause that says what happens by then.
  if (text.length <= 10 && clauses.length === 1) {
    const parts = s.split(/[，,；;]/).map((x) => x.trim()).filter(Boolean);
    const at = parts.findIndex((x) => x.includes(text));
    if (at >= 0 && at + 1 < parts.length) text = `${text}，${parts[at + 1]}`;
  }
  const first = tidyFact(sentence.split(/[，,；;：:]/)[0]);
  const SPAN = /(\d{4}\s*[-—－至到]\s*\d{4}\s*年(底)?|到\s*\d{4}\s*年(底)?|\d{4}\s*年(底)?前?)/;
  // "其中…" takes its period from the sentence it continues ("到2025年").
  const span = SPAN.exec(first)?.[0] ?? (before && /^(其中|包括)/.test(s) ? SPAN.exec(tidyFact(before.split(/[，,；;：:]/)[0]))?.[0] : undefined);
  if (span && !text.includes(span)) text = `${span}，${text}`;
  else if (!clauses.some((c) => c.includes(first)) && first.length <= 24 && text.length + first.length < LEAD_MAX) text = `${first}，${text}`;
  return text.length > LEAD_MAX * 1.6 ? `${text.slice(0, LEAD_MAX * 1.5)}…` : text;
}

/**
 * Picks the lead among the top hits: the sentence that best matches the question among those holding a fact of the
 * asked type; only when no close hit holds one does an untyped sentence lead (and the answer says what is missing).
 */
export function chooseLead(hits: Hit[], terms: Map<string, number>, k: Lexicon, qt: QuestionType): Lead | undefined {
  const first = pickLead(hits, terms, k, qt, WANTED[qt]);
  if (first?.typed || !FALLBACK[qt]) return first;
  const second = pickLead(hits, terms, k, qt, FALLBACK[qt]!);
  return second?.typed ? { ...second, fallback: true } : first;
}

/** chooseLead for one set of wanted fact types. */
export function pickLead(hits: Hit[], all: Map<string, number>, k: Lexicon, qt: QuestionType, wanted: FactType[]): Lead | undefined {
  const { search } = k;
  const top = hits[0];
  if (!top) return undefined;
  const candidates = hits.filter((h, i) => i === 0 || (i < 6 && h.score >= top.score * 0.5));
  let typed: (Lead & { score: number }) | undefined;
  let any: (Lead & { score: number }) | undefined;
  for (const [rank, h] of candidates.entries()) {
    const sentences = sentencesOf(h.unit);
    // A clause that opens with the asked year ("（一）2025年目标。…") is about that year in each of its sentences.
    const opens = yearOf(h.unit);
    const terms = opens && all.has(opens) ? new Map([...all].filter(([t]) => t !== opens)) : all;
    const yearContext = opens && all.has(opens) ? all.get(opens)! * search.idf(opens) : 0;
    const titled = !h.unit.fields && sentences.length > 1 && sentences[0].length <= 20 && !/[，,]/.test(sentences[0]);
    const weight = rank === 0 ? 1 : 0.5 + 0.5 * (h.score / top.score);
    const departments = qt === 'who' && departmentsOf(h.unit) !== undefined;
    const words = [...terms.keys()].join(' ');
    const bound = questionPattern(k.glossary, 'asksMost').test(words) ? 'max' : questionPattern(k.glossary, 'asksLeast').test(words) ? 'min' : undefined;
    // The section title is the context of each of its sentences ("一、总体目标" for the figures under it), at half weight.
    // (Not when the title is the clause's own first sentence, as "(六)创建…" over the clause "（六）创建…".)
    const title = (h.unit.heading.split(' ').pop() ?? '').replace(/^[（(][一二三四五六七八九十]+[）)]|^[一二三四五六七八九十]+、/, '').replace(/[。.]$/, '');
    const context = title && !h.unit.text.includes(title) ? 0.5 * scoreSentence(h.unit.heading, terms, search) : 0;
    sentences.forEach((s, i) => {
      const facts = departments ? [{ type: 'body' as const, text: '', sentence: i, clause: s }] : factsOfType(h.unit, wanted).filter((f) => f.sentence === i);
      // A notice's salutation ("各区、县（市）市场监督管理局，各有关单位：…") names its addressees, not who does what.
      const salutation = i === 0 && /^各[^。：:]{0,60}[：:]/.test(s);
      // "其中…" continues the sentence before it, whose words ("到2025年") it shares.
      const said = i > 0 && /^(其中|包括|含)/.test(s) ? `${sentences[i - 1]}${s}` : s;
      let score = ((scoreSentence(said, terms, search) + context + yearContext) * (titled && i === 0 && !facts.length ? 0.4 : 1) * (salutation ? 0.3 : 1) + 0.3 * h.score) * weight;
      // The clause holding the fact is where the asked thing is said ("奖励资金由市财政…" for "奖金谁出"), not just near it.
      if (wanted.length && facts.length && !departments) score += 0.5 * Math.max(...facts.map((f) => scoreSentence(f.clause, terms, search))) * weight;
      // "最多能拿多少" wants the ceiling, "最少" the floor.
      if (bound && facts.some((f) => f.bound === bound)) score += 3;
      // "什么时候申报": a day or a part of the year (每年4月1日至5月31日) says when; a count of working days (公示5个工作日) only how long.
      if (qt === 'when' && facts.length && facts.every((f) => f.type === 'deadline' && f.value)) score *= 0.7;
      if (qt === 'list' && (s.match(/、/g) ?? []).length >= 2) score += 2;
      const lead = { unit: h.unit, sentence: i, text: s, typed: facts.length > 0 || !wanted.length, score };
      // A what-question looks for no fact type: a close second hit competes on its sentences too.
      if ((rank === 0 || (qt === 'fact' && h.score >= top.score * 0.9)) && (!any || score > any.score)) any = lead;
      if (wanted.length && facts.length && (!typed || score > typed.score + 1e-9)) typed = lead;
    });
  }
  return typed ?? any;
}

/** The lead sentence for the chosen clause, shaped to the question type. */
export function leadText(lead: Lead, qt: QuestionType, terms: Map<string, number>, k: Lexicon, q = ''): string {
  const { search } = k;
  const u = lead.unit;
  const sentences = sentencesOf(u);
  // A table row's column the question names ("配合单位有哪些", "工作目标是什么") is the answer.
  const column = u.fields && Object.keys(u.fields).filter((c) => u.fields![c] && q.includes(c)).sort((a, b) => b.length - a.length)[0];
  if (column) return `${column}：${tidyFact(u.fields![column])}`;
  if (qt === 'who') {
    const deps = departmentsOf(u);
    const s = sentences[lead.sentence] ?? '';
    // "第一责任人是谁": the clause names the role's holder itself; the closing parenthesis only lists the departments.
    const inside = !u.fields && /(?:是|(?<!成)为|由)[^，。；]{0,12}(?:人|者|长|代表|局|委|政府|单位|中心|协会|小组)/.test(s) && !deps?.includes(s.replace(/[（()）。]/g, ''));
    if (deps && !inside) {
      // The task named: the sentence that best matches the question, cut around its first matched word.
      const ranked = sentences.filter((x) => !deps.includes(x.replace(/^[^：]*：/, '').replace(/[（()）。]/g, ''))).map((x) => ({ x, score: scoreSentence(x, terms, search) })).sort((a, b) => b.score - a.score);
      let what = tidyFact((ranked[0]?.x ?? sentences[0] ?? '').replace(/^[^：]{2,6}：/, ''));
      const hit = [...terms.keys()].filter((t) => t.length >= 2 && what.includes(t)).map((t) => what.indexOf(t)).sort((a, b) => a - b)[0] ?? 0;
      if (what.length > 36) what = `${hit > 12 ? '…' : ''}${what.slice(Math.max(0, hit > 12 ? hit - 4 : 0), Math.max(0, hit > 12 ? hit - 4 : 0) + 36)}…`;
      const who = u.fields || /牵头|配合|单位[:：]/.test(deps) ? deps.replace(/;/g, '；').replace(/:/g, '：') : `负责部门：${deps}`;
      const room = LEAD_MAX - who.length - 5;
      return room >= 12 ? `${who}（事项：${what.length > room ? `${what.slice(0, room).replace(/…$/, '')}…` : what}）` : who;
    }
  }
  if (u.fields && (qt === 'quantity' || qt === 'list') && u.fields['工作目标']) {
    return `工作目标：${clauseLead(u.fields['工作目标'], factsOfType(u, WANTED.quantity).filter((f) => sentences[f.sentence]?.startsWith('工作目标')), terms, search)}`;
  }
  const s = sentences[lead.sentence];
  const items = itemTitles(u);
  if ((qt === 'list' || qt === 'fact') && items.length >= 3 && questionPattern(k.glossary, 'asksItems').test(q)) {
    return items.join('；');
  }
  if (/[：:]$/.test(s)) {
    // The sentence introduces a list: its items are the fact.
    return [s, ...sentences.slice(lead.sentence + 1, lead.sentence + 6)].map(tidyFact).join(' ');
  }
  if (qt === 'list') {
    const targets = sentences
      .map((x, i) => ({ x, i, score: scoreSentence(x, terms, search) }))
      .filter((r) => r.i !== lead.sentence && /\d/.test(r.x) && r.score >= scoreSentence(s, terms, search) * 0.6);
    const picked = [{ x: s, i: lead.sentence }, ...targets].sort((a, b) => a.i - b.i).slice(0, 4);
    if (picked.length > 1) return picked.map((p) => tidyFact(p.x)).join('');
  }
  const facts = factsOfType(u, WANTED[qt]).filter((f) => f.sentence === lead.sentence);
  if (qt === 'fact' && sentences.length > 1) {
    // A what-question whose words spread over two sentences of the clause gets both, when they stay short together.
    const own = scoreSentence(s, terms, search);
    const other = sentences.map((x, i) => ({ x, i, score: scoreSentence(x, terms, search) })).filter((r) => r.i !== lead.sentence).sort((a, b) => b.score - a.score)[0];
    if (other && other.score >= own * 0.8 && tidyFact(s).length + tidyFact(other.x).length <= LEAD_MAX * 1.6) {
      return [{ x: s, i: lead.sentence }, other].sort((a, b) => a.i - b.i).map((p) => tidyFact(p.x)).join('');
    }
  }
  if ((qt === 'fact' || qt === 'list') && s.length < 40 && lead.sentence + 1 < sentences.length) {
    // A short heading-like sentence ("加强行业自律。") is followed by what it asks for.
    return `${tidyFact(s)}${clauseLead(sentences[lead.sentence + 1], [], terms, search)}`;
  }
  return clauseLead(s, facts, terms, search, sentences[lead.sentence - 1]);
}

/**
 * A second answer cut to one clause of its sentence: the clause that scores best on the part's own words (plus `bonus`),
 * among those `keep` accepts where any does; the text as it is when no clause scores or none is shorter.
 */
export function oneClause(sentence: string | undefined, text: string, own: Map<string, number>, search: UnitSearch, bonus: (c: string) => number = () => 0, keep?: (c: string) => boolean): string {
  const clauses = tidyFact(sentence ?? text).split(/[，,；;]/).filter((c) => c.length >= 4);
  const kept = keep ? clauses.filter(keep) : [];
  const best = (kept.length ? kept : clauses).map((c) => ({ c, score: scoreSentence(c, own, search) + bonus(c) })).sort((a, b) => b.score - a.score)[0];
  return best && best.score > 0 && best.c.length < text.length ? best.c.replace(/[。；;]$/, '') : text;
}
