/** Composes cited answers for a chat: the asked fact first, then the source, then the trimmed verbatim quote. */
import type { Citation, PolicyAnswer } from '../core/types.ts';
import { extractEntities } from '../nlu/entities.ts';
import type { IntentClassifier } from '../nlu/intent-classifier.ts';
import { normalizeText } from '../nlu/normalize.ts';
import { decideByDate } from './date-condition.ts';
import type { Segmenter } from '../nlu/segmenter.ts';
import { configuredAwards } from '../dialogue/award-loader.ts';
import { eligibilityFromQuestion } from './eligibility.ts';
import { sentencesOf, type Fact, type FactType } from './facts.ts';
import { shortPlace, type Glossary } from './glossary.ts';
import type { PlaceMatcher } from './places.ts';
import type { PolicyDocument, Unit } from './policy-schema.ts';
import { withoutOwnTitle, type Hit, type UnitSearch } from './search.ts';

/** Everything the answerer needs, built once at start-up. */
export interface Knowledge {
  segmenter?: Segmenter;
  documents: PolicyDocument[];
  units: Unit[];
  search: UnitSearch;
  classifier: IntentClassifier;
  glossary: Glossary;
  places: PlaceMatcher;
}

/** Intents that are conversation, not policy questions. */
export const CHAT_INTENTS = new Set(['greeting', 'help', 'thanks']);

/** Intents that need a chat session (handled by the dispatcher, not by a one-off question). */
export const SESSION_INTENTS = new Set(['subscribe', 'unsubscribe', 'award_register', 'award_list', 'precheck_start', 'profile_check', 'cancel']);

/** Words asking about the present, when a lapsed policy must be flagged. */
const NOW_WORDS = /现在|目前|如今|当前|还能|还可以|还有效|还管用|还算数|还执行|还适用|今年|明年|今后|以后|still|now|currently|this year/i;

/** Longest lead sentence, in characters, where the fact allows. */
const LEAD_MAX = 80;

/** A sentence up to this long leads whole; a longer one is cut to the clauses that hold the facts. */
const LEAD_WHOLE = 50;

/** Longest quoted excerpt, in characters. */
const EXCERPT_MAX = 70;

/** The date as YYYY-MM-DD in the given time zone. */
export function isoDay(d: Date, timeZone = 'Asia/Shanghai'): string {
  let f = DAY_FORMATS.get(timeZone);
  if (!f) DAY_FORMATS.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(d);
}

/** One date formatter per time zone (building one costs more than formatting). */
const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Each document's units and whole text, grouped once per loaded corpus. */
const BY_DOC = new WeakMap<Unit[], Map<string, { units: Unit[]; text?: string }>>();

/** The units of one document. */
function unitsOf(k: Knowledge, docId: string): Unit[] {
  return groupOf(k, docId).units;
}

/** The group of one document, built on first use. */
function groupOf(k: Knowledge, docId: string): { units: Unit[]; text?: string } {
  let groups = BY_DOC.get(k.units);
  if (!groups) {
    BY_DOC.set(k.units, (groups = new Map()));
    for (const u of k.units) {
      const g = groups.get(u.docId);
      if (g) g.units.push(u);
      else groups.set(u.docId, { units: [u] });
    }
  }
  return groups.get(docId) ?? { units: [] };
}

/** The whole text of a document, from the corpus's units. */
function documentText(k: Knowledge, docId: string): string {
  const g = groupOf(k, docId);
  g.text ??= g.units.map((u) => u.text).join(' ');
  return g.text;
}

/** Formats YYYY-MM-DD as a Chinese date. */
export function cnDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Removes layout spaces between Chinese text and numbers, and spells 千元 amounts out in yuan (万元 stays as written). */
export function tidyFact(text: string): string {
  return text
    .replace(/(\d+(?:\.\d+)?)\s*千元/g, (_, n) => `${Math.round(Number(n) * 1000)}元`)
    .replace(/([\u4e00-\u9fff（）])\s+(\d)/g, '$1$2')
    .replace(/(\d)\s+([\u4e00-\u9fff%])/g, '$1$2')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** Builds a citation for a unit: the full verbatim clause, and the excerpt that holds the fact. */
export function citationOf(u: Unit, excerpt?: string): Citation & { excerpt?: string } {
  // A document in Traditional characters is quoted in its own script (the original lines up with the text character for character).
  const own = (s: string) => {
    const at = u.original ? u.text.indexOf(s) : -1;
    return at >= 0 ? u.original!.slice(at, at + s.length) : s;
  };
  const c: Citation & { excerpt?: string } = { title: u.title, article: u.article, quote: (u.original ?? u.text).replace(/\s*\n\s*/g, '\n') };
  if (excerpt) c.excerpt = own(excerpt);
  return c;
}

/** The word a document calls itself by (办法, 方案, 计划 …), for "原办法规定". */
function selfName(doc: PolicyDocument | undefined): string {
  const m = /(办法|方案|计划|规定|细则|通知|纲要|意见|规划)(?:[(（][^)）]*[)）])?$/.exec(doc?.title ?? '');
  return m ? m[1] : '文件';
}

/** Whether a document has lapsed at the given date. */
function lapsed(doc: PolicyDocument | undefined, now: Date): boolean {
  return Boolean(doc?.expires && isoDay(now) > doc.expires);
}

/** The one-line lapse warning for a document at the given date, or '' when it is in force or undated. */
export function validityWarning(doc: PolicyDocument | undefined, now: Date): string {
  if (!doc || !lapsed(doc, now)) return '';
  return `⚠️ 该${selfName(doc)}已于${cnDate(doc.expires!)}到期（按提问日期计），现行做法请问${doc.region || '当地'}市场监管部门。`;
}

/** The office to contact about a document. */
export function contactOf(doc: PolicyDocument | undefined): string {
  return doc?.region ? `${doc.region}市场监督管理局` : '当地市场监督管理局';
}

/** What kind of fact a question asks for. */
export type QuestionType = 'when' | 'duration' | 'cadence' | 'money' | 'quantity' | 'who' | 'where' | 'list' | 'yesno' | 'fact';

/** Whether the text contains any of the words. */
function hasAny(text: string, words: readonly string[]): boolean {
  return words.some((w) => text.includes(w));
}

/** Reads the question's type from the glossary's question words (截止到哪天 → when, 多少钱 → money, 谁 → who …). */
export function questionType(q: string, g: Glossary): QuestionType {
  // "which Zhongshan bureau leads…" asks which bureau, whatever names it.
  const t = q.toLowerCase().replace(/\bwhich\s+(?:[a-z']+\s+){1,2}(bureau|office|department|agency|body|authority|government)s?\b/g, 'which $1');
  const w = g.questionWords;
  if (hasAny(t, w.cadence) || /(多久|多长时间|几年|几个月).{0,4}一次|(每|一)(年|季度|月|届).{0,2}几次|(一年|每年|几年)(评|办|开展|举办|评选)(几次|一次)/.test(t)) return 'cadence';
  // "咨询电话是多少": how to reach the office is asked, whatever else the question names.
  if (hasAny(t, w.contact)) return 'who';
  // "那几个条件" points at things already named; it does not ask how many.
  const howMany = /多少|(?<![那这])几|how many|how much|比例|率/.test(t);
  // "能把奖印在包装盒上不": a closing 不/没 asks yes or no, as 吗 does.
  const closingNot = /[\u4e00-\u9fff](不|没|没有)[？?]?$/.test(t) && !/多少|几/.test(t);
  if (!howMany && (hasAny(t, w.yesno) || closingNot) && !hasAny(t, w.when) && !hasAny(t, w.who) && !hasAny(t, w.where)) return 'yesno';
  if (hasAny(t, w.when) && !/有效期(几|多|是)/.test(t)) return 'when';
  if (hasAny(t, w.duration)) return 'duration';
  const counted = /多少(家|个|项|名|张|件|种|次|人|份|%)|(?<!哪)几(家|个|项|名|张|件|种|次|届|份)/.test(t);
  if (hasAny(t, w.where) && !/多少|几|哪(些|种|类|项|家|个(?!地方))/.test(t) && !hasAny(t, w.who)) return 'where';
  if (hasAny(t, w.who) && !/多少|几/.test(t)) return 'who';
  if (hasAny(t, w.money) && !counted && (/多少|几|how much|怎么算|(奖励|补贴|补助|资助)标准|金额|最少|最低|最多|最高|what(?:'s| is| are)? (?:the )?(?:reward|prize|bonus|subsidy|amount|money)/.test(t))) return 'money';
  if (hasAny(t, w.who) && /(哪|几)(个|些|几个)?(部门|单位|局|机构)|谁|牵头|负责|who/.test(t)) return 'who';
  if (/多少(家|个|项|名|张|件|种|次|人|份|%)|(?<!哪)几(家|个|项|名|张|件|种|次|届|份)|比例|覆盖率|率(是|达|要)|百分之/.test(t)) return 'quantity';
  if (hasAny(t, w.who)) return 'who';
  if (hasAny(t, w.list)) return 'list';
  if (hasAny(t, w.quantity)) return 'quantity';
  if (/什么|啥|哪|what/.test(t)) return 'fact';
  if (hasAny(t, w.yesno) || /[?？]$/.test(t)) return 'yesno';
  return 'fact';
}

/** Intents that imply a type when the question's words leave it open. */
const INTENT_TYPES: Record<string, QuestionType> = { target_lookup: 'quantity', award_amount: 'money', department_lookup: 'who', award_validity: 'duration' };

/** The question type, with the intent deciding where the words do not. */
function refineType(qt: QuestionType, intent: string, q: string, g: Glossary): QuestionType {
  // "某市的认证目标有哪些": a city's targets are its figures, so a list of the words the intent implies (目标) is answered
  // with the figures.
  if (qt === 'list' && INTENT_TYPES[intent] === 'quantity' && (g.intentTerms[intent] ?? []).some((w) => q.includes(w))) return 'quantity';
  return qt === 'fact' && !/什么|啥|哪|what/i.test(q) ? INTENT_TYPES[intent] ?? qt : qt;
}

/** Fact types that answer each question type, best first. */
const WANTED: Record<QuestionType, FactType[]> = {
  when: ['date', 'deadline'],
  duration: ['duration', 'deadline'],
  cadence: ['cadence'],
  money: ['amount'],
  quantity: ['quota', 'count', 'percent', 'threshold', 'amount'],
  who: ['body', 'contact'],
  where: ['place'],
  list: [],
  yesno: [],
  fact: [],
};

/** Fact types that answer a question type less directly, used only when no close clause holds a fact of the first kind. */
const FALLBACK: Partial<Record<QuestionType, FactType[]>> = { when: ['duration'], duration: ['date'], quantity: ['duration'], where: ['body'] };

/** Scores a sentence against the question's weighted terms. */
function scoreSentence(s: string, terms: Map<string, number>, search: UnitSearch): number {
  let score = 0;
  const lower = s.toLowerCase();
  for (const [t, w] of terms) if (lower.includes(t)) score += w * search.idf(t);
  return score;
}

/**
 * Scores a clause like scoreSentence, but a term the clause only uses as the tail of a longer name counts a third:
 * "管理体系认证" in "环境管理体系认证" (or in "职业健康安全管理体系/认证") names another thing than the question's
 * 质量管理体系认证, when the noun before it (环境, 职业健康安全) is not one the question uses.
 */
function scoreClause(c: string, terms: Map<string, number>, search: UnitSearch): number {
  const keys = [...terms.keys()];
  const lower = c.toLowerCase();
  // Each word of the clause with its offset, to find the word in which a term's occurrence starts.
  const spans: { word: string; start: number }[] = [];
  let offset = 0;
  for (const word of search.wordsOf(lower)) {
    const at = lower.indexOf(word, offset);
    if (at < 0) continue;
    spans.push({ word, start: at });
    offset = at + word.length;
  }
  const siblingAt = (t: string, at: number) => {
    const w = spans.findLast((x) => x.start <= at);
    if (!w || w.start === at || w.start + w.word.length <= at) return false;
    const before = w.word.slice(0, at - w.start);
    return !keys.some((k) => k.includes(before) || k.includes(w.word)) && search.isNoun(before);
  };
  let score = 0;
  for (const [t, w] of terms) {
    let at = lower.indexOf(t);
    if (at < 0) continue;
    let own = false;
    for (; at >= 0 && !own; at = lower.indexOf(t, at + 1)) own = !siblingAt(t, at);
    score += (own ? 1 : 0.3) * w * search.idf(t);
  }
  return score;
}

/** Facts of a unit of the wanted types. */
function factsOfType(u: Unit, types: FactType[]): Fact[] {
  return u.facts ? u.facts.filter((f) => types.includes(f.type)) : [];
}

/** Whether a unit holds any fact of the types (without building a list). */
function holdsType(u: Unit, types: FactType[]): boolean {
  return u.facts !== undefined && u.facts.some((f) => types.includes(f.type));
}

/** Departments named in a table row's unit columns or in a clause's closing parenthesis. */
function departmentsOf(u: Unit): string | undefined {
  if (u.fields) {
    const parts = Object.entries(u.fields).filter(([k, v]) => v && /单位$/.test(k)).map(([k, v]) => `${k}：${v}`);
    return parts.length ? parts.join('；') : undefined;
  }
  const m = /[（(\[]([^（()）\[\]]*?(?:局|处|部|政府|协会|负责|单位|海关|委)[^（()）\[\]]*)[）)\]][。]?\s*$/.exec(u.text.trim());
  return m ? m[1] : undefined;
}

/** A chosen lead: the sentence index in its unit, and the clause text to lead with. */
interface Lead {
  unit: Unit;
  sentence: number;
  text: string;
  /** Whether the lead holds a fact of the asked type. */
  typed: boolean;
  /** Whether that fact is only of a fallback type (a period where a date was asked). */
  fallback?: boolean;
}

/** Cuts a sentence to the clauses holding the given facts (with the subject clause when it fits), marking nothing. */
function clauseLead(sentence: string, facts: Fact[], terms?: Map<string, number>, search?: UnitSearch, before?: string): string {
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
function chooseLead(hits: Hit[], terms: Map<string, number>, search: UnitSearch, qt: QuestionType): Lead | undefined {
  const first = pickLead(hits, terms, search, qt, WANTED[qt]);
  if (first?.typed || !FALLBACK[qt]) return first;
  const second = pickLead(hits, terms, search, qt, FALLBACK[qt]!);
  return second?.typed ? { ...second, fallback: true } : first;
}

/** chooseLead for one set of wanted fact types. */
function pickLead(hits: Hit[], terms: Map<string, number>, search: UnitSearch, qt: QuestionType, wanted: FactType[]): Lead | undefined {
  const top = hits[0];
  if (!top) return undefined;
  const candidates = hits.filter((h, i) => i === 0 || (i < 6 && h.score >= top.score * 0.5));
  let typed: (Lead & { score: number }) | undefined;
  let any: (Lead & { score: number }) | undefined;
  for (const [rank, h] of candidates.entries()) {
    const sentences = sentencesOf(h.unit);
    const titled = !h.unit.fields && sentences.length > 1 && sentences[0].length <= 20 && !/[，,]/.test(sentences[0]);
    const weight = rank === 0 ? 1 : 0.5 + 0.5 * (h.score / top.score);
    const departments = qt === 'who' && departmentsOf(h.unit) !== undefined;
    const words = [...terms.keys()].join(' ');
    const bound = /最多|最高|上限|封顶|总额|most|maximum/i.test(words) ? 'max' : /最少|最低|至少|保底|least|minimum/i.test(words) ? 'min' : undefined;
    // The section title is the context of each of its sentences ("一、总体目标" for the figures under it), at half weight.
    // (Not when the title is the clause's own first sentence, as "(六)创建…" over the clause "（六）创建…".)
    const title = (h.unit.heading.split(' ').pop() ?? '').replace(/^[（(][一二三四五六七八九十]+[）)]|^[一二三四五六七八九十]+、/, '').replace(/[。.]$/, '');
    const context = title && !h.unit.text.includes(title) ? 0.5 * scoreSentence(h.unit.heading, terms, search) : 0;
    sentences.forEach((s, i) => {
      const facts = departments ? [{ type: 'body' as const, text: '', sentence: i, clause: s }] : factsOfType(h.unit, wanted).filter((f) => f.sentence === i);
      // A notice's salutation ("各区、县（市）市场监督管理局，各有关单位：…") names its addressees, not who does what.
      const salutation = i === 0 && /^各[^。：]{0,60}：/.test(s);
      // "其中…" continues the sentence before it, whose words ("到2025年") it shares.
      const said = i > 0 && /^(其中|包括|含)/.test(s) ? `${sentences[i - 1]}${s}` : s;
      let score = ((scoreSentence(said, terms, search) + context) * (titled && i === 0 && !facts.length ? 0.4 : 1) * (salutation ? 0.3 : 1) + 0.3 * h.score) * weight;
      // The clause holding the fact is where the asked thing is said ("奖励资金由市财政…" for "奖金谁出"), not just near it.
      if (wanted.length && facts.length && !departments) score += 0.5 * Math.max(...facts.map((f) => scoreSentence(f.clause, terms, search))) * weight;
      // "最多能拿多少" wants the ceiling, "最少" the floor.
      if (bound && facts.some((f) => f.bound === bound)) score += 3;
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
function leadText(lead: Lead, qt: QuestionType, terms: Map<string, number>, search: UnitSearch, q = ''): string {
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
  if ((qt === 'list' || qt === 'fact') && items.length >= 3 && /流程|程序|步骤|环节|条件|哪些|哪几|怎样|怎么|如何|what|which|steps|conditions/i.test(q)) {
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

/** An item's first phrase, cut to about 30 characters; a long one keeps the figure that makes it a condition (连续3次以上). */
function shortItem(s: string): string {
  if (s.length <= 30) return s;
  const figures = [...s.matchAll(/\d+(?:\.\d+)?\s*(?:次|年|个|家|项|万元|元|%|分|天)(?:以上|以下|以内)?/g)];
  const fig = figures.find((f) => f.index! + f[0].length > 28);
  if (fig) {
    const end = fig.index! + fig[0].length;
    return `${s.slice(0, 12)}…${s.slice(Math.max(12, end - 16), end)}…`;
  }
  return `${s.slice(0, 28)}…`;
}

/** The numbered items of a clause ("（一）企业申报。…（二）材料初审。…"), each by its first phrase. */
function itemTitles(u: Unit): string[] {
  const out: string[] = [];
  for (const line of u.text.split('\n')) {
    const m = /^\s*([（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])\s*([^。；;，,]{2,60})/.exec(line);
    if (m) out.push(`${m[1]}${shortItem(tidyFact(m[2]))}`);
  }
  return out;
}

/** The excerpt of a clause that holds the lead: the sentence, cut around its facts, with … marking cuts. */
function excerptOf(u: Unit, sentence: number, facts: Fact[]): string {
  const sentences = sentencesOf(u);
  let s = (sentences[sentence] ?? sentences[0] ?? u.text).replace(/\s+/g, ' ');
  let before = sentence > 0;
  let after = sentence < sentences.length - 1;
  if (s.length > EXCERPT_MAX) {
    const key = facts[0]?.clause.replace(/\s+/g, ' ') ?? '';
    const at = Math.max(0, key ? s.indexOf(key) : 0);
    // Cuts fall on clause boundaries where one is near, so no word is cut in half ("…业由市政府" → "…获奖企业…").
    const bound = /[，,；;：:。]/g;
    const marks = [...s.matchAll(bound)].map((m) => m.index!);
    const lead = marks.filter((b) => b < at && at - b <= 24).pop();
    // With no boundary near, the excerpt starts at the key itself.
    let start = lead !== undefined ? Math.max(0, Math.min(lead + 1, s.length - EXCERPT_MAX)) : at;
    // A start forced back by the end of the sentence moves on to the next boundary.
    const next = marks.find((b) => b >= start && b - start <= 16 && b < at);
    if (start > 0 && !marks.includes(start - 1) && next !== undefined) start = next + 1;
    let end = Math.min(s.length, start + EXCERPT_MAX);
    const keyEnd = at + key.length;
    const tail = marks.filter((b) => b > Math.max(keyEnd, start + 30) && b < end).pop();
    if (end < s.length && tail !== undefined) end = tail;
    before ||= start > 0;
    after ||= end < s.length;
    s = s.slice(start, end);
  }
  return `${before ? '…' : ''}${s}${after ? '…' : ''}`;
}

/** Ends a sentence with a full stop if it has none (a trailing comma or semicolon becomes the full stop). */
function period(s: string): string {
  const t = s.replace(/[；;，,、：:\s]+$/, '');
  return /[。！？.!?…）)]$/.test(t) ? t : `${t}。`;
}

/** The source line and quote of a citation. */
function sourceLines(c: Citation & { excerpt?: string }, label = '依据'): string[] {
  return [`${label}：《${c.title}》${c.article}`, `“${(c.excerpt ?? c.quote).replace(/\s*\n\s*/g, ' ')}”`];
}

/** Loaded documents grouped by place: "甲市2份、乙省1份…". */
export function corpusSummary(k: Knowledge): string {
  const byPlace = new Map<string, number>();
  for (const d of k.documents) byPlace.set(d.region || '其他', (byPlace.get(d.region || '其他') ?? 0) + 1);
  return [...byPlace.entries()].map(([p, n]) => `${p}${n}份`).join('、');
}

/** Titles of the loaded documents grouped by place, for /docs. */
export function documentList(k: Knowledge, now: Date, regions?: string[]): string {
  const byPlace = new Map<string, PolicyDocument[]>();
  const docs = regions ? k.documents.filter((d) => regions.includes(d.region)) : k.documents;
  for (const d of docs) byPlace.set(d.region || '其他', [...(byPlace.get(d.region || '其他') ?? []), d]);
  const lines = [`${regions ? regions.join('、') : '已'}收录${docs.length}份政策文件：`];
  for (const [place, docs] of byPlace) {
    lines.push(`【${place}】`);
    for (const d of docs) lines.push(`· 《${d.title}》${lapsed(d, now) ? `（已于${cnDate(d.expires!)}到期）` : ''}`);
  }
  return lines.join('\n');
}

/** The reply when the corpus does not cover a question; the loaded places are listed briefly. */
export function notCovered(k: Knowledge, question: string, intent: string, reason: string, place?: string, region?: string): PolicyAnswer {
  const office = place ? `${place.replace(/(省|市)$/, '')}${/省$/.test(place) ? '省' : '市'}市场监督管理局` : region ? `${region}市场监督管理局` : '当地市场监督管理局';
  return {
    question,
    intent,
    found: false,
    answer: `抱歉，${reason}，我不便猜测。建议咨询${office}。\n目前收录：${corpusSummary(k)}（发送 /docs 查看文件列表）。`,
    citations: [],
  };
}

/** Answers one policy question at the given date; never throws (an internal error becomes a polite not-found reply). */
export function answerQuestion(k: Knowledge, rawQuestion: string, now: Date): PolicyAnswer {
  try {
    return answerOrThrow(k, rawQuestion, now);
  } catch (err) {
    if (process.env.DEBUG_ANSWER) process.stderr.write(`answer failed: ${(err as Error).stack}\n`);
    return { question: rawQuestion, intent: 'error', found: false, answer: '抱歉，处理这个问题时出了点问题，请换个说法再问一次，或咨询当地市场监督管理局。', citations: [] };
  }
}

/** Award names a question mentions, with the documents that set them (title or front matter). */
function awardsNamed(k: Knowledge, q: string): { name: string; docs: PolicyDocument[] }[] {
  const out = new Map<string, PolicyDocument[]>();
  // The glossary's words for an award (优秀将 → 优秀奖; English "excellence" → 优秀奖, matched as a whole word).
  const lower = q.toLowerCase();
  const said = (w: string) => (/^[a-z ]+$/.test(w) ? new RegExp(`(^|[^a-z])${w}([^a-z]|$)`).test(lower) : q.includes(w));
  const expanded = [q, ...Object.entries(k.glossary.synonyms).filter(([w, s]) => (w.endsWith('奖') || s.every((x) => x.endsWith('奖') && x.length >= 3)) && said(w)).flatMap(([, s]) => s)].join(' ');
  for (const d of k.documents) {
    for (const a of d.awards) {
      // Any tail of the name of three characters or more that ends the name (优秀奖, 质量优秀奖) names it.
      for (let i = 0; i + 3 <= a.length; i++) {
        const tail = a.slice(i);
        if (expanded.includes(tail)) {
          out.set(a, [...(out.get(a) ?? []), d]);
          break;
        }
      }
    }
  }
  return [...out.entries()].map(([name, docs]) => ({ name, docs }));
}

/** Award names the question uses that no loaded document sets (the glossary's award terms, or any "…质量奖"). */
function unknownAward(k: Knowledge, q: string, known: string[]): string | undefined {
  // The name is what follows the last verb or particle before 质量奖 ("企业评上质量奖" names no award, only 质量奖).
  const names = [...q.matchAll(/[\u4e00-\u9fff]{2,6}质量奖/g)].map((m) => m[0].replace(/^.*(?:评上|评|获得|获|拿到|拿|申报|报|的|了|写|有|给|上|个)(?=[\u4e00-\u9fff]*质量奖$)/, ''));
  const named = [...k.glossary.terms.filter((t) => t.endsWith('奖') && q.includes(t)), ...names];
  return named.find((n) => !known.some((a) => a.endsWith(n) || n.endsWith(a.slice(-3))));
}

/** The body of answerQuestion. */
function answerOrThrow(k: Knowledge, rawQuestion: string, now: Date): PolicyAnswer {
  const question = rawQuestion;
  const q = normalizeText(rawQuestion);
  if (!q) {
    return { question, intent: 'empty', found: false, answer: '您好，请直接输入您想了解的政策问题，例如某个奖项的奖励金额、申报条件或某市的认证目标。', citations: [] };
  }
  const guess = k.classifier.classify(q);
  const intent = guess.intent;
  if (CHAT_INTENTS.has(intent) && guess.confidence > 0.6 && q.length <= 12) {
    return { question, intent, found: false, answer: chatReply(intent, k), citations: [] };
  }
  const entities = extractEntities(q);
  const places = k.places.match(q);
  if (places.uncovered.length && !places.covered.length) {
    return notCovered(k, question, intent, `现有政策库未收录${places.uncovered[0]}的相关政策`, places.uncovered[0]);
  }
  // "<某市>", "<某市>有哪些政策": a place and nothing else asked gets the list of that place's documents.
  if (places.covered.length) {
    let rest = q;
    for (const r of places.covered) rest = rest.split(r).join('').split(shortPlace(r)).join('');
    if (!rest.replace(/[\s，。？！?!,.、]|请问|你好|您好|现在|目前|都|有|哪些|什么|啥|的|相关|质量|政策|文件|办法|规定|方案|计划|吗|呢|么|一下|看看|介绍/g, '')) {
      const lines = [documentList(k, now, places.covered), '可以直接问具体问题，例如奖励金额、申报条件、目标任务或牵头部门。'];
      return { question, intent: 'document_list', found: true, answer: lines.join('\n'), citations: [] };
    }
  }
  const terms = k.search.queryTerms(q);
  for (const t of k.glossary.intentTerms[intent] ?? []) if (!terms.has(t)) terms.set(t, 0.5);
  const asked = firstPart(q);
  const qt = refineType(questionType(asked, k.glossary), intent, asked, k.glossary);
  const foreign = foreignTopics(k, q);
  // An unknown term of three characters or more that is what the question is about ("所得税是按15%交吗") weighs three
  // times as much; shorter ones are often colloquial words for what the documents say otherwise (封顶, 比赛).
  const weighed = [...foreign, ...foreign.filter((f) => f.length >= 3 && !/哪|什么|啥|怎/.test(f) && isSubject(q, f)).flatMap((f) => [f, f])];
  const yearMiss = missingYear(k, q, places.covered);
  if (yearMiss) return notCovered(k, question, intent, yearMiss, undefined, places.covered[0]);

  const awards = awardsNamed(k, q);
  const awardDocs = new Set(awards.flatMap((a) => a.docs.map((d) => d.id)));
  const strange = unknownAward(k, q, awards.map((a) => a.name));
  const regionFilter = places.covered.length ? (u: Unit) => places.covered.includes(u.region) : undefined;
  let hits = rank(k, q, terms, qt, regionFilter, awardDocs);

  // Validity of a document itself ("这个办法还有效吗").
  const asksValidity = /(办法|文件|方案|计划|通知|规定|政策)(本身)?的?有效期|还有效|有效吗|过期了吗|过期没|过期了没|过没过期|失效|废止|作废|还能用吗|还管用|不管用|还算数|还执行|还适用|还能按|还在(搞|做|执行|实施|进行|推行)|还搞|什么时候(开始)?(施行|实施|生效)|哪天(施行|实施|生效)|施行日期|生效日期|(哪年|哪一年|什么时候|啥时候|何时|几时)(结束|到期|截止|为止|失效)|(结束|到期|失效)(时间|日期)|still valid|in force|expired|when does it end/i.test(q);
  // When a document was issued ("哪天印发的", "啥时候发的") is its own metadata.
  if (/(哪天|哪一天|什么时候|啥时候|何时|哪年|日期|when|谁|哪个单位|哪个部门|什么单位|哪家|哪个机关).{0,6}(印发|发布|出台|下发|发的|颁布)|(印发|发布|出台|下发|颁布)(的)?(日期|时间|单位|机关)|(印发|发布|出台|下发|颁布)于|\bissued\b|date of issue/i.test(q)) {
    const issued = issuedAnswer(k, question, q, places.covered, awards, hits, now);
    if (issued) return issued;
  }
  const aboutDocument = /办法|文件|政策|规定|方案|计划|通知|行动|policy|rules|plan|scheme/i.test(q) || !awards.length;
  if (asksValidity && aboutDocument && !/证书|荣誉|称号|奖牌/.test(q)) {
    const v = policyValidity(k, question, q, places.covered, awards, hits, now);
    if (v) return v;
  }

  // Several places' documents set the award named, and the question names no place: answer for each, briefly.
  const awardRegions = [...new Set(awards.flatMap((a) => a.docs.map((d) => d.region)))];
  if (!places.covered.length && awardRegions.length > 1) return perPlace(k, question, intent, q, terms, qt, awardRegions, awardDocs, now);

  if (strange && !awards.length && qt === 'money') {
    return notCovered(k, question, intent, `现有政策文件没有写明${strange}的奖励金额`, undefined, places.covered[0]);
  }

  // "合格了4次但有一次不合格，还能报不" names no award: the award whose document answers best is the one meant.
  const topDoc = hits[0] && k.documents.find((d) => d.id === hits[0].unit.docId);
  const meant = awards.length || !topDoc?.awards.length ? awards : [{ name: topDoc.awards[0], docs: [topDoc] }];
  const eligibility = eligibilityAnswer(k, question, intent, q, qt, meant, now);
  if (eligibility) return eligibility;
  const open = deadlineAnswer(k, question, intent, q, qt, hits, now);
  if (open) return open;

  let top = hits[0];
  const topics = significantTerms(k, terms);
  if (regionFilter && (!top || !covers(k, topics, top, weighed))) {
    // The place named may be one another place's clause speaks of ("江门市组织的抽查" in an award's conditions).
    const names = places.covered.flatMap((r) => [r, r.replace(/(省|市)$/, '')]);
    // The units holding a name as an index term, checked against their text (no scan of every unit's text).
    const holding = k.search.unitsWith(names);
    const mentioned = rank(k, q, terms, qt, (u) => (!holding || holding.has(u)) && names.some((n) => u.text.includes(n)), awardDocs);
    if (mentioned[0] && covers(k, topics, mentioned[0], weighed)) {
      hits = mentioned;
      top = hits[0];
    }
  }
  if (process.env.DEBUG_ANSWER) process.stderr.write(`${JSON.stringify({ q, qt, foreign, awards: awards.map((a) => a.name), hits: hits.slice(0, 4).map((h) => [h.unit.docId, h.unit.article, +h.score.toFixed(2)]) })}\n`);
  if (!top || !covers(k, topics, top, weighed)) {
    return notCovered(k, question, intent, foreign.length ? `现有政策文件没有涉及“${foreign[0]}”的条款` : '现有政策库没有涉及这个问题的条款', undefined, places.covered[0]);
  }
  // No close clause holds the asked kind of fact: the best clause that does, if it still answers the question.
  const first = WANTED[qt].length ? chooseLead(hits, terms, k.search, qt) : undefined;
  if (first && (!first.typed || first.fallback)) {
    const typed = rank(k, q, terms, qt, (u) => (!regionFilter || regionFilter(u)) && holdsType(u, WANTED[qt]), awardDocs);
    if (typed[0] && typed[0].score >= top.score * 0.4 && covers(k, topics, typed[0], weighed)) return composeAnswer(k, question, intent, q, terms, qt, typed, now, !places.covered.length);
  }
  return composeAnswer(k, question, intent, q, terms, qt, hits, now, !places.covered.length);
}

/** Composes the answer from the ranked hits: lapse line, lead, source, excerpt, and at most one related clause. */
function composeAnswer(k: Knowledge, question: string, intent: string, q: string, allTerms: Map<string, number>, qt: QuestionType, hits: Hit[], now: Date, anyPlace: boolean): PolicyAnswer {
  const terms = focusTerms(k, allTerms);
  // Adjacent question words as one phrase ("材料评审") point at the sentence that says exactly that.
  for (const { p } of phrasesOf(k, q)) if (!terms.has(p)) terms.set(p, 0.5);
  // A table column the question names ("配合单位有哪些") makes the rows that have it the candidates.
  const column = hits.findIndex((h, i) => i < 6 && h.score >= hits[0].score * 0.6 && h.unit.fields && Object.keys(h.unit.fields).some((c) => h.unit.fields![c] && q.includes(c)));
  if (column > 0) hits = [hits[column], ...hits.filter((_, i) => i !== column)];
  // A yes/no question is decided by the clause holding its rarest word (synonyms too: 收费 → 收取), among the close hits.
  // "2023年发布的标准还能报吗": a close clause's date condition on what may be claimed decides, against the user's date.
  const byDate = qt === 'yesno' ? decideByDate(q, hits.slice(0, 5).map((h) => h.unit)) : undefined;
  const dateUnit = byDate ? hits[byDate.index].unit : undefined;
  if (qt === 'yesno') {
    const deciding = byDate ? byDate.index : decidingHit(k, hits, terms);
    if (deciding > 0) hits = [hits[deciding], ...hits.filter((_, i) => i !== deciding)];
  }
  // In a message that asks several things, the first question's own words choose the lead; the others weigh little.
  const first = firstPart(q);
  const leadTerms = first !== q ? partTerms(k, first, terms) : new Map(terms);
  // "检验站以后要升级成啥": the verb right before the question word is what is asked; its words weigh three times.
  if (qt === 'fact' || qt === 'list') {
    const asked = askedPredicate(first);
    if (asked) {
      for (const [t, w] of leadTerms) {
        if (t.length >= 2 && asked.predicate.includes(t)) leadTerms.set(t, w * 3);
      }
    }
  }
  const lead = chooseLead(hits, leadTerms, k.search, qt)!;
  const unit = lead.unit;
  const doc = k.documents.find((d) => d.id === unit.docId);
  const wantedFacts = factsOfType(unit, WANTED[qt]).filter((f) => f.sentence === lead.sentence);
  if (WANTED[qt].length && !lead.typed && (qt === 'money' || qt === 'when' || qt === 'cadence' || qt === 'quantity')) {
    const what = qt === 'money' ? '具体金额' : qt === 'cadence' ? '周期或频次' : qt === 'quantity' ? '具体数量' : '具体日期或期限';
    const c = citationOf(unit, excerptOf(unit, lead.sentence, []));
    if (qt === 'money') return notCovered(k, question, intent, `现有政策文件没有写明这项奖励或补贴的${what}`, undefined, doc?.region);
    const lines = [period(`《${doc?.title ?? unit.title}》${unit.article}谈到了这件事，但没有写明${what}`), ...sourceLines(c)];
    return finish(k, question, intent, lines, [c], doc, now);
  }
  // "首席质量官有补贴吗": when the clause never speaks of the thing whose existence is asked, no verdict is given, only
  // what the clause covers. (Whether something may be done, "能不能分开报", is often said in other words, so it is not judged.)
  const object = qt === 'yesno' && /有没有|有无|是否有|(?<![没还])有[\u4e00-\u9fff]{2,6}吗[？?]?$/.test(first) ? askedObject(first)
    // "要交钱吗": whether something must be done or paid, when the clause never speaks of it.
    : qt === 'yesno' ? /(?:要不要|需不需要|(?<!不)(?:需要|要))([\u4e00-\u9fff]{2,3}?)吗?[？?]?$/.exec(first)?.[1] : undefined;
  if (object && unheard(k, object, unit)) {
    const c = citationOf(unit, excerptOf(unit, lead.sentence, []));
    const text = unit.text.toLowerCase();
    const asking = Object.values(k.glossary.questionWords).flat();
    const topic = significantTerms(k, terms).filter((t) => t.length >= 2 && text.includes(t) && !k.places.match(t).covered.length && !asking.some((w) => w.includes(t))).sort((a, b) => b.length - a.length)[0];
    const lines = [period(`《${doc?.title ?? unit.title}》${unit.article}谈到了${topic ?? '相关内容'}，但没有写明${object}`), ...sourceLines(c)];
    return finish(k, question, intent, lines, [c], doc, now);
  }
  let yn = qt === 'yesno' ? yesNoLead(q, unit, lead.sentence, terms, k.search) : undefined;
  // "获奖企业能不能免检": a 可以/不可以 is given only when the clause speaks of what is asked (免检), not of something else.
  const thing = qt === 'yesno' ? askedObject(first) ?? /(?:要|需要|能|可以|会)([\u4e00-\u9fff]{2,4}?)吗[？?]?$/.exec(first)?.[1] : undefined;
  if (yn && thing && unheard(k, thing, unit)) yn = undefined;
  if (byDate && unit === dateUnit) yn = { verdict: byDate.ok ? '可以。' : '不可以。', sentence: byDate.sentence };
  if (yn) {
    lead.sentence = yn.sentence;
    lead.text = sentencesOf(unit)[yn.sentence];
  }
  // "有银行参与吗": whether a body takes part is answered by the departments the clause names.
  const deps = qt === 'yesno' && /参与|参加|负责|牵头|配合|管不管/.test(q) ? departmentsOf(unit) : undefined;
  const named = deps ? [...terms.keys()].filter((t) => t.length >= 2 && deps.includes(t) && !/参与|参加|负责|牵头|配合/.test(t)) : [];
  let text = named.length ? `有。${deps!.replace(/;/g, '；').replace(/:/g, '：')}` : computed(k, q, qt, unit, lead.sentence) ?? leadText(lead, qt, leadTerms, k.search, first);
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
  const away = extra ? undefined : secondElsewhere(k, q, unit);
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
    const lead2 = chooseLead([h], terms, k.search, qt);
    const c2 = citationOf(h.unit, lead2 ? excerptOf(h.unit, lead2.sentence, factsOfType(h.unit, WANTED[qt]).filter((f) => f.sentence === lead2.sentence)) : undefined);
    citations.push(c2);
    const quote2 = (c2.excerpt ?? c2.quote).replace(/\s*\n\s*/g, ' ');
    lines.push(`${label}：《${c2.title}》${c2.article}：“${quote2.length > 60 ? `${quote2.slice(0, 60)}…` : quote2}”`);
  }
  return finish(k, question, intent, lines, citations, doc, now);
}

/** Sentences of the clause for each item a question enumerates with 、 (other than the lead's own sentence). */
function enumeratedSentences(k: Knowledge, q: string, unit: Unit, leadSentence: number): string[] {
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

/** Splits a message into its questions ("谁牵头？多久评一次"). */
function partsOf(q: string): string[] {
  // "When did it take effect, and for how long?": an English "and" before a question word starts a second question.
  q = q.replace(/,?\s+and\s+(?=(?:for\s+)?(?:how|what|when|who|which|where|is|are|can|do|does)\b)/gi, '？');
  const split = q.split(/[？?；;]|，(?=(?:还|另外|以及|那|再))|还是/).map((p) => p?.trim()).filter((p): p is string => Boolean(p && p.length >= 2));
  // A part that asks nothing ("我们厂被抽检不合格，还能去…吗") is the context of the question after it.
  const asks = (p: string) => /什么|啥|哪|谁|几|多少|多久|多长|吗|呢|怎么|如何|是否|能否|可否|有没有|能不能|要不要|[不没][？?]?$|what|when|who|which|where|how|can|does|is /i.test(p);
  const parts: string[] = [];
  let context = '';
  for (const p of split) {
    if (!asks(p) && p !== split[split.length - 1]) context += `${p}，`;
    else {
      parts.push(context + p);
      context = '';
    }
  }
  // "谁指导，配合单位是哪个": a comma before a second question word starts a second question.
  return parts.flatMap((p) => {
    // (几 is a question word here only where it ends the first part, "公示几天啊，…": "几家单位一起制定的标准，资助给谁"
    // asks one thing.)
    const m = /^(.*?(?:(?:什么|啥|哪|谁|多少|多久|多长|吗|呢|怎么|如何)[^，,]*|几[天年月个家次项届回][啊呀呢吗]?))[，,](.*(?:什么|啥|哪|谁|几|多少|多久|多长|吗|呢|怎么|如何).*)$/.exec(p);
    return m && m[1].length >= 2 && m[2].length >= 2 ? [m[1], m[2]] : [p];
  });
}

/** Terms of one question of a message: its own words in full, the rest of the message's at a third. */
function partTerms(k: Knowledge, part: string, all: Map<string, number>): Map<string, number> {
  const own = focusTerms(k, k.search.queryTerms(part));
  for (const [t, w] of all) if (!own.has(t)) own.set(t, w * 0.3);
  return own;
}

/** The first question of a message that asks several, or the whole message. */
function firstPart(q: string): string {
  const parts = partsOf(q);
  return parts.length > 1 ? parts[0] : q;
}

/**
 * A second answer cut to one clause of its sentence: the clause that scores best on the part's own words (plus `bonus`),
 * among those `keep` accepts where any does; the text as it is when no clause scores or none is shorter.
 */
function oneClause(sentence: string | undefined, text: string, own: Map<string, number>, search: UnitSearch, bonus: (c: string) => number = () => 0, keep?: (c: string) => boolean): string {
  const clauses = tidyFact(sentence ?? text).split(/[，,；;]/).filter((c) => c.length >= 4);
  const kept = keep ? clauses.filter(keep) : [];
  const best = (kept.length ? kept : clauses).map((c) => ({ c, score: scoreSentence(c, own, search) + bonus(c) })).sort((a, b) => b.score - a.score)[0];
  return best && best.score > 0 && best.c.length < text.length ? best.c.replace(/[。；;]$/, '') : text;
}

/** The answer to a second question of the message from the best other clause of the same place, when one covers it. */
function secondElsewhere(k: Knowledge, q: string, unit: Unit): { unit: Unit; text: string; sentence: number } | undefined {
  const parts = partsOf(q);
  for (const part of parts.slice(1)) {
    const qt2 = questionType(part, k.glossary);
    const own = k.search.queryTerms(part);
    if (![...own.keys()].some((t) => k.search.hasTerm(t) && t.length >= 2)) continue;
    const hits = rank(k, part, own, qt2, (u) => u.region === unit.region && u !== unit, new Set(), 6);
    if (!hits[0] || !covers(k, significantTerms(k, own), hits[0], foreignTopics(k, part))) continue;
    const lead = chooseLead(hits, focusTerms(k, own), k.search, qt2);
    if (!lead || (WANTED[qt2].length && !lead.typed)) continue;
    let text = leadText(lead, qt2, own, k.search, part).replace(/[。；;]$/, '');
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
function secondPart(k: Knowledge, q: string, qt: QuestionType, unit: Unit, terms: Map<string, number>): { text: string; sentence: number } | undefined {
  const parts = partsOf(q);
  if (parts.length < 2) return undefined;
  for (const part of parts.slice(1)) {
    const qt2 = questionType(part, k.glossary);
    const terms2 = k.search.queryTerms(part);
    for (const [t, w] of terms) if (!terms2.has(t)) terms2.set(t, w * 0.3);
    const lead2 = chooseLead([{ unit, score: 1, matched: [] }], terms2, k.search, qt2);
    if (!lead2 || (qt2 === qt && !unit.fields)) continue;
    const own = k.search.queryTerms(part);
    const yn = qt2 === 'yesno' ? yesNoLead(part, unit, lead2.sentence, terms2, k.search) : undefined;
    if (yn) lead2.sentence = yn.sentence;
    let text = leadText(lead2, qt2, terms2, k.search, part);
    // A second part of only question words ("for how long") is answered by its type alone, from the same clause.
    const bare = ![...own.keys()].some((t) => k.search.hasTerm(t));
    if (bare ? !lead2.typed || !WANTED[qt2].length : scoreSentence(text, own, k.search) <= 0) continue;
    // A second answer is one clause: the one that speaks of the second question's own words.
    if (yn || text.length > LEAD_MAX / 2) {
      // For a yes/no, the clause that says yes or no ("…的免费培训"), where one does.
      const saying = yn ? (c: string) => VERDICT_WORDS.test(c) && scoreSentence(c, own, k.search) > 0 : undefined;
      text = oneClause(sentencesOf(unit)[lead2.sentence], text, own, k.search, undefined, saying);
    }
    if (yn) text = `${yn.verdict}${text}`;
    return { text, sentence: lead2.sentence };
  }
  return undefined;
}

/** Every award name the loaded documents set, computed once per corpus. */
const AWARD_NAMES = new WeakMap<PolicyDocument[], string[]>();

/** The loaded documents' award names. */
function awardNames(k: Knowledge): string[] {
  let a = AWARD_NAMES.get(k.documents);
  if (!a) AWARD_NAMES.set(k.documents, (a = [...new Set(k.documents.flatMap((d) => d.awards))]));
  return a;
}

/**
 * The question's words for choosing a sentence: names of the place and of the award locate the document, not the
 * sentence, so they weigh little ("佛山标杆奖评审委员会主任谁来当" is decided by 主任, not by 佛山 or 标杆奖).
 */
function focusTerms(k: Knowledge, terms: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const awards = awardNames(k);
  const names = (t: string) => k.places.match(t).covered.length > 0 || (t.length >= 2 && awards.some((a) => a.endsWith(t) || (t.endsWith('奖') && a.includes(t))));
  const naming = [...terms.keys()].filter(names);
  // A word inside a name the question uses (优秀 in 优秀奖) names it too.
  for (const [t, w] of terms) out.set(t, naming.some((n) => n.includes(t)) ? w * 0.2 : w);
  return out;
}

/** Puts the lapse warning first (and phrases the lead as what the document said), and builds the answer. */
function finish(k: Knowledge, question: string, intent: string, lines: string[], citations: Citation[], doc: PolicyDocument | undefined, now: Date): PolicyAnswer {
  void k;
  const warn = validityWarning(doc, now);
  if (warn) {
    // "《…》<条款>谈到了…" already says whose words these are.
    if (!lines[0].startsWith('《')) lines[0] = `原${selfName(doc)}规定：${lines[0]}`;
    lines.unshift(warn);
  }
  return { question, intent, found: true, answer: lines.join('\n'), citations };
}

/** A computed amount, when the user states their own count ("合格5次能拿多少") and the clause states an amount per unit. */
function computed(k: Knowledge, q: string, qt: QuestionType, unit: Unit, sentence: number): string | undefined {
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
    return `${n}${per.per}还不够：${tidyFact(need.f.clause).slice(0, 50)}（${need.u.article}）；达到后按${tidyFact(per.clause).replace(/^.*?(每)/, '$1')}计`;
  }
  const total = n * per.value!;
  const result = floor && floor.value! > total ? floor.value! : total;
  return `${n}${per.per}可得${result}元（${per.value}元 × ${n}${per.per} = ${total}元${floor && floor.value! > total ? `，按最少${floor.value}元计` : ''}）`;
}

/** Whether a unit is an empty form's header row ("序号｜所属行业｜…｜进展情况及成效"): it names columns, not a measure. */
function formHeader(u: Unit): boolean {
  const cells = u.text.split(/[｜|]/).map((c) => c.trim()).filter(Boolean);
  return cells.length >= 4 && cells.every((c) => c.length <= 10);
}

/** Index of the close hit that holds the question's rarest topic word, or -1. */
function decidingHit(k: Knowledge, hits: Hit[], terms: Map<string, number>): number {
  const stop = new Set(k.glossary.stopwords);
  // (Counts and years, "一次", "4次", "三年", are the user's own facts, not what decides.)
  // (Nor do pronouns and measure words, "每个", "这些": only content words, nouns, verbs and the like.)
  const content = (t: string) => !k.segmenter || /^(n|v|a|j|l|i|b)/.test(k.segmenter.tagged(t)[0]?.tag ?? 'n');
  const words = [...terms.entries()].filter(([t, w]) => w >= 0.6 && t.length >= 2 && !stop.has(t) && !k.places.match(t).covered.length && !/\d|^[一二两三四五六七八九十]+[次年个家项]$/.test(t) && content(t)).sort((a, b) => k.search.idf(b[0]) - k.search.idf(a[0]));
  const close = hits.filter((h, i) => i < 5 && h.score >= hits[0].score * 0.5 && !formHeader(h.unit));
  for (const [t] of words) {
    const holders = close.filter((h) => h.unit.text.includes(t));
    if (holders.length && holders.length < close.length) return hits.indexOf(holders[0]);
  }
  return -1;
}

/** A plain 可以/不可以 for a yes/no question, decided by the sentence holding the question's rarest word. */
function yesNoLead(q: string, u: Unit, sentence: number, terms: Map<string, number>, search: UnitSearch): { verdict: string; sentence: number } | undefined {
  const all = sentencesOf(u);
  // A closing "(各区县政府负责)" names who does it; it says neither yes nor no, so it never decides.
  const bare = (x: string) => /^[（(\[][^（()）\[\]]*[）)\]][。]?$/.test(x.trim());
  const sentences = all.map((x) => (bare(x) && all.length > 1 ? '' : x));
  // The deciding word: the rarest question word or synonym (收费 → 收取) that the clause holds.
  const inUnit = [...terms.entries()].filter(([t, w]) => w >= 0.6 && t.length >= 2 && sentences.some((x) => x.includes(t)));
  let at = inUnit.length ? sentences.findIndex((x) => x.includes(inUnit.sort((a, b) => search.idf(b[0]) * b[1] - search.idf(a[0]) * a[1])[0][0])) : sentence;
  // The thing asked about ("有没有补贴" → 补贴, 资助) decides, where the clause speaks of it, over rarer words of the context.
  const object = askedObject(q);
  if (object) {
    const words = new Map([...search.queryTerms(object)].filter(([t]) => t.length >= 2));
    const scored = sentences.map((x, i) => ({ i, score: scoreSentence(x, words, search) })).sort((a, b) => b.score - a.score || a.i - b.i);
    if (scored[0]?.score > 0) at = scored[0].i;
  }
  const v = verdictOf(q, sentences[at] ?? '');
  return v ? { verdict: v, sentence: at } : undefined;
}

/** What a what-question asks: the verb just before its question word ("检验站以后要升级成啥" → 升级), or undefined. */
function askedPredicate(q: string): { predicate: string } | undefined {
  const at = q.search(/什么|啥|哪些|哪几/);
  if (at < 0) return undefined;
  const m = /([\u4e00-\u9fff]{2})$/.exec(q.slice(0, at).replace(/(成|为|了|的|有)$/, ''));
  return m && !/^(是|有|要|做|干|为|都|还)+$/.test(m[1]) ? { predicate: m[1] } : undefined;
}

/** Whether a short asked-about noun (补贴, 免检, 收费) is absent from the clause, with its synonyms and longer forms. */
function unheard(k: Knowledge, object: string, unit: Unit): boolean {
  if (object.length > 4) return false;
  const stop = stopwordsOf(k);
  const words = [...k.search.queryTerms(object).keys(), ...k.search.synonymsOf(object)].filter((t) => t.length >= 2 && !stop.has(t));
  const text = `${unit.text} ${unit.heading}`.toLowerCase();
  return words.length > 0 && !words.some((t) => text.includes(t));
}

/** Words by which a clause says yes or no. */
const VERDICT_WORDS = /不收取|免费|不收费|无需|不需|不必|不得|不能|不予|禁止|严禁|可以|允许|必须|须|应当|鼓励|支持|给予|给以|不设|不再|没有/;

/** The words a yes/no question asks about: what follows 有没有/能不能/是否/可以…, or what 有/要 governs before a closing 吗. */
function askedObject(q: string): string | undefined {
  const after = /(?:有没有|有无|能不能|可不可以|是否|要不要|需不需要|会不会|是不是|可否|给不给|发不发)([\u4e00-\u9fff]{2,8})/.exec(q);
  if (after) return after[1];
  // "可以印在产品包装上吗": what may be done.
  const may = /(?:可以|能|允许|准许)([\u4e00-\u9fff]{3,10}?)(?:吗|么|不|[？?]|$)/.exec(q);
  if (may) return may[1];
  const before = /(?:有|给|发|能拿|能领)([\u4e00-\u9fff]{2,6})吗[？?]?$/.exec(q);
  if (before) return before[1];
  // "名单要公示吗": what must be done.
  return /(?<!不)(?:需要|要)([\u4e00-\u9fff]{2,6}?)吗[？?]?$/.exec(q)?.[1];
}

/** 可以/不可以/需要/不需要 as the deciding sentence states it, for what the question asks. */
function verdictOf(q: string, deciding: string): string | undefined {
  if (!deciding) return undefined;
  const asksMay = /可以|能|可不可以|能不能|允许|行不行|算不算|认不认|can |may |allowed/i.test(q);
  const asksNeed = /需要|要不要|需不需要|必须|是否要|得不得|need|must/i.test(q);
  if (/名额|限制|限额|上限/.test(q) && /不限/.test(deciding)) return '没有限制。';
  if (/收费|收钱|交钱|要钱|费用|免费|fee|charge/i.test(q) && /不收取|免费|不收费|无需缴纳|不需缴纳/.test(deciding)) return '不收费。';
  if (asksMay && /不得|不能|不予|禁止|严禁|不推荐/.test(deciding)) return '不可以。';
  if (asksMay && /(?<!不)(可以|可多项|可重新|可在|可|允许)/.test(deciding) && !/不得|不能|不予|禁止|严禁/.test(deciding)) return '可以。';
  // "检测机构能申报高新技术企业吗" — "支持符合条件的检验检测认证机构申报高新技术企业".
  if (asksMay && /支持|鼓励/.test(deciding) && !/不得|不能|不予|禁止|严禁|不支持|不鼓励/.test(deciding)) return '可以。';
  if (asksNeed && /须|必须|应当|需|要求|应/.test(deciding) && !/不需|无需|不必|不收取/.test(deciding)) return '需要。';
  if (asksNeed && /不需|无需|不必|不收取|免/.test(deciding)) return '不需要。';
  // "有没有/会不会/要不要/是不是": the clause that holds the asked words says it does (or, with a negation, that it does not).
  const negated = /不得|不予|禁止|严禁|不设|不再|没有|未/.test(deciding);
  const positive = /鼓励|支持|推动|推行|推进|实施|建立|开展|设立|给予|给以|要求|应当|组织|加大|加强|强化|完善|健全|落实|依法|移送|制订|制定|纳入|培育|推广|发挥|大力|积极|进行|实行|执行|引导|优先|可以|将/.test(deciding);
  const asked = /有没有|有无|有.{1,12}吗/.test(q) ? ['有', '没有'] : /会不会|会.{1,12}吗/.test(q) ? ['会', '不会'] : /要不要|要.{1,12}吗/.test(q) ? ['需要', '不需要'] : /是不是|是否/.test(q) ? ['是', '不是'] : /^(does|do|is|are|will)\b/i.test(q) ? ['是的', '不'] : undefined;
  if (asked && negated && !positive) return `${asked[1]}。`;
  if (asked && positive && !negated) return `${asked[0]}。`;
  return undefined;
}

/** "现在还能报吗": the application deadline the best document states, judged at the date of asking. */
function deadlineAnswer(k: Knowledge, question: string, intent: string, q: string, qt: QuestionType, hits: Hit[], now: Date): PolicyAnswer | undefined {
  if (!(qt === 'yesno' || qt === 'when') || !/现在|目前|如今|当前|今年|还来得及|截止了吗|过了吗|晚了吗|now|still/i.test(q) || !/报|申请|申报|apply/i.test(q) || !hits[0]) return undefined;
  const docId = hits[0].unit.docId;
  for (const u of unitsOf(k, docId)) {
    const f = (u.facts ?? []).find((x) => x.type === 'deadline' && /\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日/.test(x.text));
    if (!f) continue;
    const m = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/.exec(f.text)!;
    const day = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
    const today = isoDay(now);
    const lead = today > day ? `不能了：申报已于${cnDate(day)}截止（按提问日期${cnDate(today)}）。` : `可以：申报截止时间为${cnDate(day)}（按提问日期${cnDate(today)}，还没有截止）。`;
    const c = citationOf(u, excerptOf(u, f.sentence, [f]));
    return { question, intent, found: true, answer: [lead, ...sourceLines(c)].join('\n'), citations: [c] };
  }
  return undefined;
}

/** An eligibility verdict from facts the user states about their enterprise ("注册两年了可以申请吗"). */
function eligibilityAnswer(k: Knowledge, question: string, intent: string, q: string, qt: QuestionType, awards: { name: string; docs: PolicyDocument[] }[], now: Date): PolicyAnswer | undefined {
  const aboutApplying = /评|申报|申请|报名|(能|可以|想|要|能不能)报|参评|获奖|拿奖|apply|eligible/i.test(q);
  if (!aboutApplying || !(qt === 'yesno' || /够不够|够吗|行不行|符不符合|符合吗|能评|能报|能申|can we|eligible/i.test(q))) return undefined;
  // Only an award the question names, and only when it has pre-check rules, is judged.
  const rules = configuredAwards().filter((r) => awards.some((a) => a.docs.some((d) => d.id === r.document.id || d.title === r.document.title)));
  if (!rules.length) return undefined;
  const e = eligibilityFromQuestion(q, now, rules);
  if (!e) return undefined;
  const doc = k.documents.find((d) => d.id === e.document) ?? k.documents.find((d) => d.title === e.citations[0]?.title);
  const lines = [period(e.fact), ...e.citations.flatMap((c, i) => (i === 0 ? sourceLines(c) : [`相关：《${c.title}》${c.article}`]))];
  return finish(k, question, intent, lines, e.citations, doc, now);
}

/** Answers for each place whose documents set the award named, one short line each. */
function perPlace(k: Knowledge, question: string, intent: string, q: string, terms: Map<string, number>, qt: QuestionType, regions: string[], awardDocs: Set<string>, now: Date): PolicyAnswer {
  const lines = [`${regions.length}个地方的文件都有这个奖项，分别是：`];
  const citations: Citation[] = [];
  // One search over the award's documents, then the best clauses of each place (at most four places).
  const all = rank(k, q, terms, qt, (u) => awardDocs.has(u.docId), awardDocs, 12 * Math.min(4, regions.length));
  const places = [...new Set(all.map((h) => h.unit.region))].filter((r) => regions.includes(r)).slice(0, 4);
  for (const region of places) {
    const hits = all.filter((h) => h.unit.region === region);
    const lead = chooseLead(hits, terms, k.search, qt);
    if (!lead) continue;
    const doc = k.documents.find((d) => d.id === lead.unit.docId);
    const c = citationOf(lead.unit, excerptOf(lead.unit, lead.sentence, []));
    citations.push(c);
    const text = computed(k, q, qt, lead.unit, lead.sentence) ?? leadText(lead, qt, terms, k.search, firstPart(q));
    lines.push(`【${region}】${period(text)}（《${c.title}》${c.article}${lapsed(doc, now) ? `，已于${cnDate(doc!.expires!)}到期` : ''}）`);
  }
  lines.push('请告诉我是哪个地方，例如在问题里加上城市名。');
  return { question, intent, found: citations.length > 0, answer: lines.join('\n'), citations };
}

/** Ranks units for the question: BM25, then the best sentence, adjacent-word phrases, the asked fact type and the award named. */
function rank(k: Knowledge, q: string, terms: Map<string, number>, qt: QuestionType, filter: ((u: Unit) => boolean) | undefined, awardDocs: Set<string>, limit = 12): Hit[] {
  const raw = k.search.search(terms, limit, filter);
  const wanted = WANTED[qt];
  const phrases = phrasesOf(k, q);
  // "认证目标有哪些": a section whose title names what is asked (一、总体目标) is about it.
  const asked = askedPredicate(q)?.predicate;
  return raw
    .map((h) => {
      let best = 0;
      for (const s of sentencesOf(h.unit)) best = Math.max(best, scoreSentence(withoutOwnTitle(s, h.unit.title), terms, k.search));
      let score = h.score + 0.5 * best;
      if (phrases.length) {
        const text = h.unit.text.replace(/\s+/g, '');
        score += 0.5 * phrases.filter((x) => text.includes(x.p)).reduce((a, x) => a + x.w, 0);
      }
      if (awardDocs.has(h.unit.docId)) score *= 1.4;
      if (asked && h.unit.heading.includes(asked)) score *= 1.5;
      if (formHeader(h.unit)) score *= 0.5;
      // The notice that issues a plan names its addressees and the plan; it sets no measure of its own.
      if (h.unit.kind === 'notice' && !/问题|反映|联系|印发|发布|通知|contact|problem/i.test(q)) score *= 0.7;
      // "评审流程是怎样的", "要哪些条件": a clause that lists its steps or conditions as items.
      if (/流程|程序|步骤|环节|哪些条件|什么条件|啥条件|条件有/.test(q) && itemTitles(h.unit).length >= 3) score *= 1.5;
      if (wanted.length && factsOfType(h.unit, wanted).length) score *= 1.15;
      if (qt === 'who' && departmentsOf(h.unit)) score *= 1.1;
      return { ...h, score };
    })
    .sort((a, b) => b.score - a.score);
}

/** Pairs of adjacent question words, as phrases a clause may contain ("抽检计划"). */
function phrasesOf(k: Knowledge, q: string): { p: string; w: number }[] {
  if (!k.segmenter) return [];
  const stop = new Set(k.glossary.stopwords);
  const words = k.segmenter.words(q).filter((w) => /[\u4e00-\u9fff]/.test(w) && !stop.has(w));
  const out: { p: string; w: number }[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    if (words[i].length + words[i + 1].length < 3) continue;
    // No phrase starts with a particle: "的认证" would match every "…的认证" in the corpus ("发布的" still says something).
    if (/^[的了地得之]$/.test(words[i])) continue;
    out.push({ p: words[i] + words[i + 1], w: k.search.idf(words[i]) + k.search.idf(words[i + 1]) });
  }
  return out;
}

/** Part-of-speech tags of words that name a topic. */
const TOPIC_TAGS = new Set(['n', 'nz', 'j', 'vn', 'nt', 'l', 's', 'i']);

/** Weight of a topic word the corpus never uses, against the idf of the words it does know. */
const FOREIGN_WEIGHT = 6;

/** Topic words in the question that the corpus never uses (社保, 个税, 最低工资 …). */
export function foreignTopics(k: Knowledge, q: string): string[] {
  const out: string[] = [];
  const stop = new Set(k.glossary.stopwords);
  const colloquial = new Set(k.glossary.colloquial);
  const english = q.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  const cjk = q.match(/[\u4e00-\u9fff]/g) ?? [];
  if (english.length >= 3 && english.length * 2 > cjk.length) {
    const content = english.filter((w) => !stop.has(w) && !k.places.match(w).covered.length);
    if (!content.some((w) => k.search.synonymsOf(w).length)) out.push(...content);
  }
  if (!k.segmenter) return out;
  const tagged = k.segmenter.tagged(q, false);
  // Single characters the segmenter could not join ("稳" + "岗") may be one word the documents never use.
  for (let i = 0; i + 1 < tagged.length; i++) {
    const [a, b] = [tagged[i], tagged[i + 1]];
    if (a.word.length !== 1 || b.word.length !== 1 || !/^[\u4e00-\u9fff]{2}$/.test(a.word + b.word)) continue;
    if (!/^(a|v|n|vn)$/.test(a.tag) || !/^n/.test(b.tag) || /[的了呢吗啊吧么是在有和就都也还能会要才刚我你他它这那个次年月日天钱奖国省市县区镇]/.test(a.word + b.word)) continue;
    const w = a.word + b.word;
    if (!k.search.knows(w) && !stop.has(w) && !colloquial.has(w) && !k.search.synonymsOf(w).length) out.push(w);
  }
  for (const { word, tag } of tagged) {
    if (!TOPIC_TAGS.has(tag) || stop.has(word) || colloquial.has(word) || k.search.synonymsOf(word).length) continue;
    if (!/^[\u4e00-\u9fff]{2,}$/.test(word) || k.places.match(word).covered.length) continue;
    if (k.search.knows(word) || k.search.expandAbbreviation(word).length) continue;
    const parts = k.segmenter.terms(word).filter((p) => p.length >= 2 && p !== word);
    const covered = new Set<number>();
    for (const p of parts) {
      if (!k.search.knows(p) && !colloquial.has(p)) continue;
      const at = word.indexOf(p);
      for (let i = at; i >= 0 && i < at + p.length; i++) covered.add(i);
    }
    if (covered.size / word.length >= 0.6) continue;
    out.push(word);
  }
  return [...new Set(out)];
}

/** Whether a word is the subject the question asks about: directly followed by its predicate, or ending the question. */
function isSubject(q: string, word: string): boolean {
  const at = q.indexOf(word);
  return at >= 0 && /^(是|的?(标准|比例|税率|金额)|按|要|需要|怎么|怎样|如何|多少|几|有没有|能不能|可以|可不可以|吗|[？?。]|$)/.test(q.slice(at + word.length).trim());
}

/** A reason to decline when the question names a plan year the region's documents do not cover. */
function missingYear(k: Knowledge, q: string, regions: string[]): string | undefined {
  const m = /((?:19|20)\d{2})\s*年?.{0,10}(计划|方案|办法|文件|政策)/.exec(q);
  if (!m || regions.length !== 1) return undefined;
  const year = m[1];
  const docs = k.documents.filter((d) => d.region === regions[0]);
  const covered = docs.some((d) => d.title.includes(year) || (d.effective && d.expires && d.effective.slice(0, 4) <= year && year <= d.expires.slice(0, 4)) || d.issued?.startsWith(year) || (d.expires && d.issued && d.issued.slice(0, 4) <= year && year <= d.expires.slice(0, 4)));
  if (covered || !docs.length) return undefined;
  return `现有政策库没有${regions[0]}${year}年的相关文件（已收录：${docs.map((d) => `《${d.title}》`).join('、')}）`;
}

/** Stopwords and the glossary's interrogative question words (啥时候, 多会儿: they ask; they name no topic). */
const STOPS = new WeakMap<Glossary, Set<string>>();

/** The words that carry no topic, built once per glossary. */
function stopwordsOf(k: Knowledge): Set<string> {
  let s = STOPS.get(k.glossary);
  if (!s) {
    // The yes/no words and their parts ("能不能" → 不能) ask; they name no topic either.
    const yesno = k.glossary.questionWords.yesno.map((w) => w.trim()).filter((w) => /^[\u4e00-\u9fff]{3,}$/.test(w));
    const parts = k.segmenter ? yesno.flatMap((w) => k.segmenter!.terms(w)) : [];
    STOPS.set(k.glossary, (s = new Set([...k.glossary.stopwords, ...Object.values(k.glossary.questionWords).flat().map((w) => w.trim()).filter((w) => /什么|啥|哪|几|多少|多久|多长|谁|吗|何|怎|多会/.test(w)), ...yesno, ...parts])));
  }
  return s;
}

/** The query's topic terms: no expansions, stopwords, numbers or place names. */
function significantTerms(k: Knowledge, terms: Map<string, number>): string[] {
  const stop = stopwordsOf(k);
  // A part of a colloquial word the question uses ("龙头" of 水龙头) is as colloquial as the word.
  const colloquial = new Set(k.glossary.colloquial);
  const spoken = [...terms.keys()].filter((t) => colloquial.has(t));
  return [...terms.entries()]
    .filter(([t, w]) => w >= 1 && t.length >= 2 && !stop.has(t) && !k.places.match(t).covered.length && !/\d|^[一二两三四五六七八九十]+[次年个家项]$/.test(t) && !/^[a-z]{1,2}$/.test(t))
    .filter(([t]) => !spoken.some((c) => c !== t && c.includes(t)))
    .map(([t]) => t);
}

/**
 * Whether the top hit answers the question: its clause covers half of the question's topic weight, or its clause a
 * third and its whole document three quarters (an owner's extra context words rarely sit in the one clause).
 */
function covers(k: Knowledge, topics: string[], hit: Hit, foreign: string[]): boolean {
  const unit = coverage(k, topics, hit.unit.text + ' ' + hit.unit.heading + ' ' + hit.unit.title, foreign);
  if (unit >= 0.5) return true;
  if (unit < 0.3) return false;
  const docText = documentText(k, hit.unit.docId);
  return coverage(k, topics, `${docText} ${hit.unit.title}`, foreign) >= 0.66;
}

/** Share of the question's known topic weight that the text covers, counting synonyms and abbreviations. */
function coverage(k: Knowledge, terms: string[], covered: string, foreign: string[] = []): number {
  const text = covered.toLowerCase();
  let total = 0;
  let got = 0;
  for (const t of terms) {
    const syn = [...k.search.synonymsOf(t), ...k.search.expandAbbreviation(t)];
    if (!k.search.knows(t) && !syn.length) continue;
    // A word the corpus holds only as a run of characters ("选出" inside "评选出") says little: it weighs 1.
    const w = k.search.hasTerm(t) ? k.search.idf(t) : k.search.knows(t) ? 1 : 2;
    total += w;
    if (text.includes(t) || syn.some((s) => text.includes(s))) got += w;
  }
  for (const f of foreign) if (!terms.includes(f) || !k.search.knows(f)) total += FOREIGN_WEIGHT;
  return total ? got / total : 0;
}

/** The document a question about a document's own dates is about: the award's, the place's only one, or the best hit's. */
function documentAsked(k: Knowledge, q: string, regions: string[], awards: { name: string; docs: PolicyDocument[] }[], hits: Hit[]): PolicyDocument | undefined {
  let doc: PolicyDocument | undefined = awards[0]?.docs[0];
  const inRegion = regions.length ? k.documents.filter((d) => regions.includes(d.region)) : k.documents;
  if (!doc && inRegion.length === 1) doc = inRegion[0];
  if (!doc) {
    const kind = /(办法|方案|计划|通知|规定)/.exec(q)?.[1];
    const byKind = kind ? inRegion.filter((d) => d.title.includes(kind)) : [];
    doc = byKind.length === 1 ? byKind[0] : k.documents.find((d) => d.id === hits[0]?.unit.docId);
  }
  return doc;
}

/** Answers when a document was issued, from its metadata, citing its notice or opening. */
function issuedAnswer(k: Knowledge, question: string, q: string, regions: string[], awards: { name: string; docs: PolicyDocument[] }[], hits: Hit[], now: Date): PolicyAnswer | undefined {
  const doc = documentAsked(k, q, regions, awards, hits);
  if (!doc?.issued) return undefined;
  const units = unitsOf(k, doc.id);
  const clause = units.find((u) => u.kind === 'notice') ?? units.find((u) => u.kind === 'preamble') ?? units[0];
  const c = citationOf(clause, excerptOf(clause, 0, []));
  const lines = [`《${doc.title}》于${cnDate(doc.issued)}印发${doc.issuer ? `（${doc.issuer}${doc.docNumber ? `，${doc.docNumber}` : ''}）` : ''}。`, ...sourceLines(c)];
  const warn = validityWarning(doc, now);
  if (warn) lines.unshift(warn);
  return { question, intent: 'policy_validity', found: true, answer: lines.join('\n'), citations: [c] };
}

/** Answers whether a document is still in force, judged at the date of asking. */
function policyValidity(k: Knowledge, question: string, q: string, regions: string[], awards: { name: string; docs: PolicyDocument[] }[], hits: Hit[], now: Date): PolicyAnswer | undefined {
  const doc = documentAsked(k, q, regions, awards, hits);
  if (!doc) return undefined;
  const today = isoDay(now);
  const units = unitsOf(k, doc!.id);
  const clause = units.find((u) => u.article === doc!.validitySource) ?? units.find((u) => u.kind === 'notice') ?? units.find((u) => u.kind === 'preamble') ?? units[0];
  let fact: string;
  if (doc.issued && today < doc.issued) {
    fact = `按提问日期${cnDate(today)}，《${doc.title}》尚未印发（印发日期为${cnDate(doc.issued)}）。`;
  } else if (doc.expires && today > doc.expires) {
    fact = `已过有效期：《${doc.title}》${doc.effective ? `自${cnDate(doc.effective)}起施行，` : ''}已于${cnDate(doc.expires)}到期（按提问日期${cnDate(today)}）。现行规定请向${contactOf(doc)}确认。`;
  } else if (doc.expires) {
    fact = `仍在有效期内：《${doc.title}》有效期至${cnDate(doc.expires)}（按提问日期${cnDate(today)}）。`;
  } else {
    fact = `《${doc.title}》${doc.issued ? `于${cnDate(doc.issued)}印发，` : ''}${doc.effective ? `自${cnDate(doc.effective)}起施行，` : ''}文件没有写明有效期，是否仍在执行请向${contactOf(doc)}确认。`;
  }
  const c = citationOf(clause, doc.validityNote && doc.validitySource === clause.article ? doc.validityNote.replace(/^[^：]*：/, '') : excerptOf(clause, 0, []));
  const source = doc.validitySource === '标题' ? [`依据：《${doc.title}》标题（${doc.validityNote}）`] : sourceLines(c);
  const citations = [c];
  if (!doc.expires) {
    // With no validity of its own, the latest year the document's targets run to ("争取到2025年") is worth knowing.
    const horizon = units
      .flatMap((u) => (u.facts ?? []).filter((f) => f.type === 'date' && /^(到|至)\d{4}年(底)?$/.test(f.text)).map((f) => ({ u, f, year: Number(/\d{4}/.exec(f.text)![0]) })))
      .sort((a, b) => b.year - a.year)[0];
    if (horizon) {
      const c2 = citationOf(horizon.u, excerptOf(horizon.u, horizon.f.sentence, [horizon.f]));
      citations.push(c2);
      source.push(`文中目标期限：${horizon.f.text}（${horizon.u.article}）`, ...sourceLines(c2, '目标').slice(1));
    }
  }
  return { question, intent: 'policy_validity', found: true, answer: [fact, ...source].join('\n'), citations };
}

/** Canned replies for conversational intents; the greeting names the places the loaded documents come from. */
export function chatReply(intent: string, k?: Knowledge): string {
  switch (intent) {
    case 'greeting':
      return `您好！我是政策助手，可以回答产品质量政策问题，每个回答都附文件和条款原文。${k ? `目前收录：${corpusSummary(k)}。` : ''}发送“帮助”查看用法。`;
    case 'thanks':
      return '不客气！还有其他政策问题随时问我。';
    default:
      return HELP_TEXT;
  }
}

/** The help text listing what the bot can do. */
export const HELP_TEXT = [
  '我可以帮您：',
  '1. 查政策：直接提问，如“质量奖奖金多少”“认证目标多少家”“首席质量官谁牵头”；发送 /docs 查看已收录的文件；',
  '2. 预检奖项申报条件：发送 /precheck 或“我们能评奖吗”；',
  '3. 订阅公示和到期提醒：发送 /subscribe（可加标签，如 /subscribe 某某镇），退订发送 /unsubscribe；',
  '4. 登记获奖日期以便到期提醒：发送 /award 2024-03-01，查看发送 /awards。',
  '其他命令：/cancel 取消预检，/back 修改上一题，/forget 删除企业资料；回答后回复“原文”可查看条款全文。',
].join('\n');
