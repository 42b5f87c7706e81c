/**
 * A verdict only where a clause gives it. Before a yes/no or an amount is given from a clause, the clause must speak
 * of what is asked: a benefit (补贴, 报销, 免费) needs a clause that grants it, a duty (必须, 罚款) one that imposes it
 * (the glossary's verdictEvidence), and the question's most specific topic word (检测设备, 名牌) must be in the clause.
 * Otherwise the answer says what the clause does speak of and that the document does not state the asked thing.
 */
import { questionPattern, ruleOf, type EvidenceRule } from '../nlu/glossary.ts';
import { askedObject, type QuestionType } from '../nlu/question.ts';
import type { Knowledge } from './knowledge.ts';
import type { Unit } from './policy-schema.ts';
import { abbreviates, focusTerms, significantTerms, stopwordsOf } from './retrieval.ts';

/** What the clause does not state: the asked thing, in the question's words. */
export interface Unstated {
  thing: string;
}

/** The benefit and duty families a question asks about. */
export function familiesAsked(k: Knowledge, q: string): EvidenceRule[] {
  return k.glossary.verdictEvidence.families.filter((f) => ruleOf(f).asks.test(q));
}

/** Whether a text holds a word, one of its synonyms or expansions, or (for a long word) each of its parts. */
export function heard(k: Knowledge, word: string, text: string): boolean {
  if (text.includes(word)) return true;
  if ([...k.search.synonymsOf(word), ...k.search.expandAbbreviation(word)].some((s) => text.includes(s))) return true;
  const parts = word.length >= 4 && k.segmenter ? k.segmenter.terms(word).filter((p) => p.length >= 2 && p !== word) : [];
  if (parts.length > 1 && parts.every((p) => text.includes(p))) return true;
  return abbreviates(word, text);
}


/** The question's most specific topic word: the rarest of its topic terms that names neither a place nor an award nor a family. */
function subjectOf(k: Knowledge, q: string, families: EvidenceRule[]): string | undefined {
  const stop = stopwordsOf(k);
  const asked = (t: string) => families.some((f) => ruleOf(f).asks.test(t)) || k.glossary.verdictEvidence.families.some((f) => ruleOf(f).evidence.test(t));
  // Only a noun names a subject ("检测设备", "名牌"); verbs, adverbs and numbers ("分开", "还要", "两类") do not.
  const noun = (t: string) => !k.segmenter || /^(n|nz|vn|nt|nr|ns|l|j|i)/.test(k.segmenter.tagged(t)[0]?.tag ?? '');
  const terms = significantTerms(k, focusTerms(k, k.search.queryTerms(q))).filter((t) => !stop.has(t) && !asked(t) && !k.glossary.colloquial.includes(t) && /[\u4e00-\u9fff]{2}|[a-z]{4}/.test(t) && noun(t));
  return terms.sort((a, b) => k.search.idf(b) - k.search.idf(a) || b.length - a.length)[0];
}

/** Question types whose answer is neither a verdict nor an amount. */
const NO_VERDICT = new Set<QuestionType>(['who', 'when', 'duration', 'cadence', 'where']);

/** What the clause does not state of a yes/no or amount question, or undefined when it states it. */
export function unstated(k: Knowledge, q: string, qt: QuestionType, unit: Unit): Unstated | undefined {
  const text = `${unit.heading} ${unit.text}`.toLowerCase();
  // A question asking who, when, for how long, how often or where asks no verdict and no amount: the benefit it names
  // ("补贴是哪个部门审核", "奖励审核完要公示多长时间") is its topic, not what is asked.
  if (NO_VERDICT.has(qt)) return undefined;
  const families = familiesAsked(k, withoutTitleWords(k, withoutEnglishTitleWords(k, q, unit.title), unit.title));
  if (qt !== 'yesno' && qt !== 'money' && !families.length) return undefined;
  // "奖励在哪个平台上申报": what a what-question asks is the noun after its question word (平台); a benefit named
  // before it is the topic. Only "有什么补贴" asks the benefit itself.
  const noun = qt === 'fact' || qt === 'list' ? questionPattern(k.glossary, 'askedNoun').exec(q)?.[1] : undefined;
  if (noun && !families.some((f) => ruleOf(f).asks.test(noun))) return undefined;
  const object = askedObject(q, k.glossary);
  const missing = families.find((f) => !ruleOf(f).evidence.test(text));
  if (missing) return { thing: object ? wholeObject(q, object) : missing.name };
  // The subject is checked where a benefit or a duty is asked (an amount of money is a benefit).
  if (!families.length && qt !== 'money') return undefined;
  const subject = subjectOf(k, q, families);
  if (subject && !heard(k, subject, text)) return { thing: families.length ? `${subject}的${families[0].name}` : subject };
  return undefined;
}

/** The question without the words the document's title holds (its place, its programme's name). */
export function withoutTitleWords(k: Knowledge, q: string, title: string): string {
  const words = k.segmenter ? k.segmenter.words(q) : [];
  return words.length ? words.filter((w) => w.length < 2 || !title.includes(w)).join('') : q;
}

/** The procedural detail a question asks for (a date, a website …) that no sentence of the close clauses gives, or undefined. */
export function procedureUnstated(k: Knowledge, q: string, units: Unit[]): string | undefined {
  const detail = k.glossary.procedureAsks.details.find((d) => ruleOf(d).asks.test(q));
  if (!detail) return undefined;
  const rule = ruleOf(detail);
  // A sentence gives the detail when it holds the evidence and one of the question's own topic words (the 公众网 used
  // for the publicity does not say where the form is downloaded).
  const own = significantTerms(k, focusTerms(k, k.search.queryTerms(q))).filter((t) => !rule.asks.test(t) && !stopwordsOf(k).has(t));
  // A notice's contact section ("八、联系方式", "联系人：…；联系电话：…") speaks for the whole notice: it needs none of them.
  const section = questionPattern(k.glossary, 'contactSection');
  for (const u of units) {
    const wide = section.test(u.heading);
    for (const s of u.text.split(/[。；;\n]/)) {
      if (rule.evidence.test(s) && (!own.length || wide || section.test(s) || own.some((t) => heard(k, t, s)))) return undefined;
    }
  }
  return detail.name;
}

/**
 * A year the question asks about ("2021年的目标", "2023年要达到多少家") that the clause does not speak of: the clause
 * names other years, or the document's period ends before it or starts after it. The document's own title year
 * ("2013年重点行动计划") is a name, not an asked year.
 */
export function yearUnstated(k: Knowledge, q: string, unit: Unit): string | undefined {
  const doc = k.documents.find((d) => d.id === unit.docId);
  const years = [...q.matchAll(/(?<!\d)((?:19|20)\d{2})(?!\d)\s*年?/g)].map((m) => m[1]).filter((y) => !doc?.title.includes(y) && !unit.title.includes(y));
  if (!years.length) return undefined;
  const y = years[0];
  const text = `${unit.heading} ${unit.text}`;
  if (text.includes(y)) return undefined;
  const others = [...text.matchAll(/(?<!\d)((?:19|20)\d{2})(?!\d)/g)].map((m) => m[1]).filter((x) => x !== y);
  const from = doc?.effective ?? doc?.issued;
  const outside = Boolean((doc?.expires && y > doc.expires.slice(0, 4)) || (from && y < from.slice(0, 4)));
  // A span in the clause ("2018-2020年") that holds the year speaks of it.
  const spans = [...text.matchAll(/((?:19|20)\d{2})\s*[-—－至到]\s*((?:19|20)\d{2})/g)].some((m) => m[1] <= y && y <= m[2]);
  return !spans && (others.length || outside) ? `${y}年` : undefined;
}

/** The asked object as the question says it, to the end of its phrase (askedObject stops after eight characters). */
function wholeObject(q: string, object: string): string {
  const at = q.indexOf(object);
  const rest = at < 0 ? '' : (/^[\u4e00-\u9fff]*/.exec(q.slice(at + object.length))?.[0] ?? '');
  const whole = `${object}${rest}`.replace(/(吗|呢|么|不|没有|没)$/, '');
  return whole.length <= 16 ? whole : object;
}

/** The question without the English words whose glossary meaning the title holds ("Quanzhou reward rules" → 奖励办法). */
export function withoutEnglishTitleWords(k: Knowledge, q: string, title: string): string {
  return q.replace(/[a-z][a-z-]*/gi, (w) => ((k.glossary.synonyms[w.toLowerCase()] ?? []).some((s) => s.length >= 2 && title.includes(s)) ? ' ' : w));
}
