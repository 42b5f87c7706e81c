/** What a question asks, read from its text alone: its type, its parts, and what a yes/no or what-question is about. */
import { type Glossary, type PatternName, questionPattern } from './glossary.ts';

/** The kinds of fact a question may ask for. */
export const QUESTION_TYPES = ['when', 'duration', 'cadence', 'money', 'quantity', 'who', 'where', 'list', 'yesno', 'fact'] as const;

/** What kind of fact a question asks for. */
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Whether the text contains any of the words. */
export function hasAny(text: string, words: readonly string[]): boolean {
  return words.some((w) => text.includes(w));
}

/** Reads the question's type from the glossary's question words (截止到哪天 → when, 多少钱 → money, 谁 → who …). */
export function questionType(q: string, g: Glossary): QuestionType {
  // "which Zhongshan bureau leads…" asks which bureau, whatever names it.
  const t = q.toLowerCase().replace(questionPattern(g, 'whichBodyEnglish', 'g'), 'which $1');
  const w = g.questionWords;
  const is = (name: PatternName) => questionPattern(g, name).test(t);
  if (hasAny(t, w.cadence) || is('cadenceAsk')) return 'cadence';
  // "咨询电话是多少": how to reach the office is asked, whatever else the question names.
  if (hasAny(t, w.contact)) return 'who';
  // "那几个条件" points at things already named; it does not ask how many.
  const howMany = is('howMany');
  // "能把奖印在包装盒上不": a closing 不/没 asks yes or no, as 吗 does.
  const closingNot = is('closingNot') && !is('askingCount');
  if (!howMany && (hasAny(t, w.yesno) || closingNot) && !hasAny(t, w.when) && !hasAny(t, w.who) && !hasAny(t, w.where) && !is('durationAsk')) return 'yesno';
  if (hasAny(t, w.when) && !is('validityHowLong')) return 'when';
  if (hasAny(t, w.duration)) return 'duration';
  const counted = is('countedUnit');
  if (hasAny(t, w.where) && !is('whichKind') && !hasAny(t, w.who)) return 'where';
  if (hasAny(t, w.who) && !is('askingCount')) return 'who';
  if (hasAny(t, w.money) && !counted && is('moneyAsk')) return 'money';
  if (hasAny(t, w.who) && is('whichBody')) return 'who';
  if (is('quantityAsk')) return 'quantity';
  if (hasAny(t, w.who)) return 'who';
  if (hasAny(t, w.list)) return 'list';
  if (hasAny(t, w.quantity)) return 'quantity';
  if (is('whatAsk')) return 'fact';
  if (hasAny(t, w.yesno) || is('endsAsking')) return 'yesno';
  return 'fact';
}

/** Intents that imply a type when the question's words leave it open. */
export const INTENT_TYPES: Record<string, QuestionType> = { target_lookup: 'quantity', award_amount: 'money', department_lookup: 'who', award_validity: 'duration' };

/** The question type, with the intent deciding where the words do not. */
export function refineType(qt: QuestionType, intent: string, q: string, g: Glossary): QuestionType {
  // "某市的认证目标有哪些": a city's targets are its figures, so a list of the words the intent implies (目标) is answered
  // with the figures.
  if (qt === 'list' && INTENT_TYPES[intent] === 'quantity' && (g.intentTerms[intent] ?? []).some((w) => q.includes(w))) return 'quantity';
  return qt === 'fact' && !questionPattern(g, 'whatAsk').test(q) ? INTENT_TYPES[intent] ?? qt : qt;
}

/** Splits a message into its questions ("谁牵头？多久评一次"). */
export function partsOf(q: string, g: Glossary): string[] {
  // "When did it take effect, and for how long?": an English "and" before a question word starts a second question.
  q = q.replace(questionPattern(g, 'andNextQuestion', 'g'), '？');
  // A part that asks nothing ("我们厂被抽检不合格，还能去…吗") is the context of the question after it.
  const asks = (p: string) => questionPattern(g, 'partAsks').test(p);
  const split = q
    .split(questionPattern(g, 'partBreak'))
    .flatMap((p) => (p ? spaced(p, asks) : [p]))
    .map((p) => p?.trim())
    .filter((p): p is string => Boolean(p && p.length >= 2));
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
    const m = questionPattern(g, 'commaSecondQuestion').exec(p);
    return m && m[1].length >= 2 && m[2].length >= 2 ? [m[1], m[2]] : [p];
  });
}

/**
 * A space between Chinese words, typed where a question mark was meant ("…谁负责 每年几次"), ends a question when
 * the words before it ask something and so do the words after it; a space after a mere topic ("开平水暖优秀奖 同一家…")
 * leaves the text whole.
 */
function spaced(p: string, asks: (p: string) => boolean): string[] {
  const bits = p.split(/(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])/);
  if (bits.length < 2) return [p];
  const out: string[] = [];
  let cur = '';
  for (const [i, b] of bits.entries()) {
    cur = cur ? `${cur} ${b}` : b;
    if (i === bits.length - 1 || (asks(cur) && asks(bits.slice(i + 1).join(' ')))) {
      out.push(cur);
      cur = '';
    }
  }
  return out;
}

/** The first question of a message that asks several, or the whole message. */
export function firstPart(q: string, g: Glossary): string {
  const parts = partsOf(q, g);
  return parts.length > 1 ? parts[0] : q;
}

/** What a what-question asks: the verb just before its question word ("检验站以后要升级成啥" → 升级), or undefined. */
export function askedPredicate(q: string, g: Glossary): { predicate: string } | undefined {
  const at = q.search(questionPattern(g, 'askedWhat'));
  if (at < 0) return undefined;
  const m = /([\u4e00-\u9fff]{2})$/.exec(q.slice(0, at).replace(questionPattern(g, 'predicateTail'), ''));
  return m && !questionPattern(g, 'lightVerbs').test(m[1]) ? { predicate: m[1] } : undefined;
}

/** What a who-question asks the body to do: the verb after its question word ("哪个部门审核" → 审核), or undefined. */
export function askedAction(q: string, g: Glossary): string | undefined {
  const m = questionPattern(g, 'askedAction').exec(q);
  const verb = m?.slice(1).find(Boolean);
  return verb && !questionPattern(g, 'lightVerbs').test(verb) && !g.questionWords.who.includes(verb) ? verb : undefined;
}

/** The words a yes/no question asks about: what follows 有没有/能不能/是否/可以…, or what 有/要 governs before a closing 吗. */
export function askedObject(q: string, g: Glossary): string | undefined {
  const after = questionPattern(g, 'objectAfter').exec(q);
  if (after) return after[1];
  // "可以印在产品包装上吗": what may be done.
  const may = questionPattern(g, 'objectMay').exec(q);
  if (may) return may[1];
  const before = questionPattern(g, 'objectHad').exec(q);
  if (before) return before[1];
  // "名单要公示吗": what must be done.
  return questionPattern(g, 'objectNeeded').exec(q)?.[1];
}
