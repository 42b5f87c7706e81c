/** Reads pre-check answers out of free Chinese text, driven by each criterion's words in its award's rules file; pure, the clock is passed in. */
import { normalizeDigits, parseChineseNumber } from '../nlu/chinese-numbers.ts';
import { criterionOf, expandPattern, NUM_SOURCE, type Answers, type AnswerValue, type AwardRules, type Criterion } from './award-rules.ts';

const CN_NUM = '零〇一二两三四五六七八九十百千万';
const NUM = NUM_SOURCE;
const CN_DIGIT = '零〇一二两三四五六七八九';

/** Normalises text for matching: half-width digits and punctuation, lower case, titles and the award's own names removed. */
export function prepareText(text: string, award?: AwardRules): string {
  let t = normalizeDigits(text)
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .toLowerCase()
    .replace(/《[^》]*》/g, ' ');
  for (const p of award?.ignore ?? []) t = t.replace(new RegExp(expandPattern(p), 'g'), ' ');
  return t;
}

/** One clause of a message, with whether it reads as a question. */
interface Clause {
  text: string;
  question: boolean;
}

const CLAUSE_SPLIT = /[,;!?、\n\r\t~…]|(?<!\d)\.|\.(?!\d)|但是|但|不过|可是|然而|而且|并且|另外|同时/;
const QUESTION_WORDS = /吗|是否|什么|怎么|如何|哪些|哪个|哪里|多少|能不能|是不是|有没有|会不会|要不要/;

function splitClauses(input: string): Clause[] {
  const text = input.replace(/(?<=\d)\s+|\s+(?=\d)/g, '').replace(/\s+/g, ',');
  const clauses: Clause[] = [];
  const re = new RegExp(CLAUSE_SPLIT.source, 'g');
  let start = 0;
  const push = (end: number, delimiter: string) => {
    const part = text.slice(start, end).trim();
    if (part) clauses.push({ text: part, question: delimiter === '?' || QUESTION_WORDS.test(part) });
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    push(m.index, m[0]);
    start = m.index + m[0].length;
    if (m[0] === '') re.lastIndex += 1;
  }
  push(text.length, '');
  return clauses;
}

/** Converts a number token, reading "两三" or "三四" as the lower value; undefined when it is not a number. */
function toNumber(token: string): number | undefined {
  const pair = new RegExp(`^[${CN_DIGIT}]{2}$`);
  if (pair.test(token)) {
    const a = parseChineseNumber(token[0]);
    const b = parseChineseNumber(token[1]);
    return a !== undefined && b !== undefined && b === a + 1 ? a : undefined;
  }
  return parseChineseNumber(token);
}

/** The calendar date of `now` in China (UTC+8), independent of the machine's time zone. */
function chinaDate(now: Date): { y: number; m: number; d: number } {
  const shifted = new Date(now.getTime() + 8 * 3600_000);
  return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth() + 1, d: shifted.getUTCDate() };
}

/** Full years elapsed from a registration date (month and day default to 1 January) to `now`; undefined if in the future. */
export function yearsSince(year: number, month: number | undefined, day: number | undefined, now: Date): number | undefined {
  const today = chinaDate(now);
  const m = month ?? 1;
  const d = day ?? 1;
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  let years = today.y - year;
  if (today.m < m || (today.m === m && today.d < d)) years -= 1;
  return years >= 0 ? years : undefined;
}

function windowBefore(text: string, index: number, size: number): string {
  return text.slice(Math.max(0, index - size), index);
}

function matches(re: RegExp, text: string): RegExpExecArray[] {
  const flags = re.flags.includes('g') ? re.flags : `${re.flags}g`;
  return [...text.matchAll(new RegExp(re.source, flags))];
}

/** A regular expression of alternatives (a rules file's word list); a list that is empty never matches. */
function alt(list: readonly string[], anchor: '' | '^' | '$' = ''): RegExp {
  if (list.length === 0) return /(?!)/;
  const body = `(?:${list.map(expandPattern).join('|')})`;
  // Case-insensitive: the text is lower-cased, and a rules file may write "C档" or "ISO9001".
  return new RegExp(anchor === '^' ? `^${body}` : anchor === '$' ? `${body}$` : body, 'i');
}

/** Alternatives as a regex source, for embedding in a larger pattern. */
function altSource(list: readonly string[]): string {
  return list.length ? `(?:${list.map(expandPattern).join('|')})` : '(?!)';
}

type Reader = (clauses: Clause[], now: Date, lenient: boolean) => AnswerValue | undefined;

function validCount(token: string, largest = 1000): number | undefined {
  const n = toNumber(token);
  return n !== undefined && n <= largest ? Math.floor(n) : undefined;
}

/** Strips filler words around a short answer such as "大概5个吧" so that only the value remains. */
function stripFillers(t: string): string {
  return t
    .replace(/\s+/g, '')
    .replace(/^(?:大概|大约|约|差不多|应该是?|有|是|共|一共|总共|累计|我们|我司|公司)+/, '')
    .replace(/(?:个|了|吧|啦|呢|哦|左右|以上|多|。|!|\.)+$/, '');
}

type YesNoRead = Extract<Criterion, { type: 'yes-no' }>['read'];

/** A yes/no reader from a criterion's words: mentions and their negations, words that say no, whole phrases. */
function yesNoReader(r: YesNoRead): Reader {
  const mentions = alt(r.mentions);
  const negBefore = alt(r.negBefore);
  const negAfter = alt(r.negAfter, '^');
  const marks = r.yesMarks && { before: alt(r.yesMarks.before), mentions: alt(r.yesMarks.mentions), after: alt(r.yesMarks.after, '^') };
  const noWords = alt(r.noWords);
  const noContext = r.noWordsContext.length ? alt(r.noWordsContext) : undefined;
  const noCancel = alt(r.noWordsCancel);
  const doubleNeg = r.doubleNegations.length ? alt(r.doubleNegations) : undefined;
  const yesPhrases = alt(r.yesPhrases);
  const noPhrases = alt(r.noPhrases);
  const fallbackNo = alt(r.fallbackNo);
  const count = r.countMeansYes && { unit: new RegExp(`(${NUM})\\s*${altSource(r.countMeansYes.units)}`), skip: alt(r.countMeansYes.skipIf) };
  return (clauses, _now, lenient) => {
    let pos = false;
    let neg = false;
    for (const c of clauses) {
      let t = c.text;
      if (doubleNeg && doubleNeg.test(t)) {
        pos = true;
        t = t.replace(new RegExp(doubleNeg.source, 'g'), '_');
      }
      if (noPhrases.test(t)) neg = true;
      else if (yesPhrases.test(t)) pos = true;
      for (const m of matches(mentions, t)) {
        const before = windowBefore(t, m.index, r.window);
        const after = t.slice(m.index + m[0].length, m.index + m[0].length + r.afterWindow);
        if (negBefore.test(before) || negAfter.test(after)) neg = true;
        else if (!marks || marks.before.test(before) || marks.mentions.test(m[0]) || marks.after.test(after)) pos = true;
      }
      if (!noContext || noContext.test(c.text)) {
        for (const m of matches(noWords, c.text)) {
          if (!noCancel.test(windowBefore(c.text, m.index, r.noWordsWindow))) neg = true;
        }
      }
    }
    const result = r.combine === 'no-wins' ? (neg ? false : pos ? true : undefined) : pos ? true : neg ? false : undefined;
    if (result !== undefined) return result;
    if (clauses.some((c) => fallbackNo.test(c.text))) return false;
    if (!lenient || !count) return undefined;
    for (const c of clauses) {
      if (count.skip.test(c.text)) continue;
      const m = count.unit.exec(c.text);
      if (m) {
        const n = validCount(m[1]);
        if (n !== undefined) return n > 0;
      }
    }
    return undefined;
  };
}

type YearsRead = Extract<Extract<Criterion, { type: 'number' }>['read'], { as: 'years' }>;

/** A reader of a number of years: a duration ("6年", "不到3年"), or a date or year it counts from ("2019年注册的", "去年成立"). */
function yearsReader(r: YearsRead): Reader {
  const verbs = altSource(r.words);
  const regContext = alt(r.words);
  const yearsContext = alt([...r.words, ...r.context]);
  const exclude = alt(r.exclude);
  const place = '(?:在[\\u4e00-\\u9fa5]{1,6}?)?';
  return (clauses, now, lenient) => {
    const today = chinaDate(now);
    for (const c of clauses) {
      const t = c.text;
      if (exclude.test(t) && !regContext.test(t)) continue;
      const hasRegContext = regContext.test(t);

      // Calendar year, optionally with month and day: 2019年注册的, 2019年3月成立, 二零一九年注册.
      const cal = new RegExp(
        `((?:19|20)\\d{2}|[${CN_DIGIT}]{4})\\s*年(?:\\s*(\\d{1,2}|[${CN_NUM}]{1,3})\\s*月(?:份)?(?:\\s*(\\d{1,2}|[${CN_NUM}]{1,3})\\s*[日号])?)?`,
      ).exec(t);
      if (cal && (lenient || hasRegContext)) {
        const year = toNumber(cal[1]) ?? parseChineseNumber(cal[1]);
        if (year !== undefined && year >= 1900) {
          const month = cal[2] ? parseChineseNumber(cal[2]) : undefined;
          const day = cal[3] ? parseChineseNumber(cal[3]) : undefined;
          const years = yearsSince(year, month, day, now);
          if (years !== undefined) return years;
          continue;
        }
      }
      // Two-digit year right before a registration verb: 19年注册的.
      const short = new RegExp(`(?<!\\d)(\\d{2})\\s*年(?:的时候|就|才)?${place}${verbs}`).exec(t);
      if (short) {
        const year = 2000 + Number(short[1]);
        if (year <= today.y) return yearsSince(year, undefined, undefined, now);
      }
      // Bare calendar year as a direct answer: 2019.
      if (lenient && /^(?:19|20)\d{2}$/.test(t)) {
        const years = yearsSince(Number(t), undefined, undefined, now);
        if (years !== undefined) return years;
      }
      // Relative years: 今年注册, 去年成立, 前年注册的.
      const rel = new RegExp(`(今年|去年|前年)(?:才|刚)?${place}${verbs}`).exec(t);
      if (rel) {
        const offset = rel[1] === '今年' ? 0 : rel[1] === '去年' ? 1 : 2;
        return yearsSince(today.y - offset, undefined, undefined, now);
      }
      if (new RegExp(`^(?:刚|才|刚刚)${verbs}`).test(t) && (lenient || hasRegContext)) return 0;

      // Duration: 6年, 五年, 三年多, 十来年, 不到3年.
      if (!(lenient || yearsContext.test(t))) continue;
      const dur = new RegExp(`(不到|不满|未满|没满|没到|不足|还没到|还不到|没有|快要|快|将近|接近|马上就?|差一点|差点)?(${NUM})\\s*(?:个)?([多来几余])?\\s*(?:周)?年(?!份|度)`, 'g');
      for (const m of t.matchAll(dur)) {
        const idx = m.index + (m[1]?.length ?? 0);
        if (/(?:近|最近|过去|这|前|头|每)$/.test(t.slice(0, idx))) continue;
        if (/^(?:内|以内|之内|里|中)/.test(t.slice(m.index + m[0].length))) continue;
        const value = toNumber(m[2]);
        if (value === undefined || value >= 1900 || value > 200) continue;
        const whole = Math.floor(value);
        return m[1] ? Math.max(0, Math.ceil(value) - 1) : whole;
      }
      if (/(?<![0-9一二两三四五六七八九十])半年/.test(t)) return 0;
    }
    if (lenient) {
      const bare = stripFillers(clauses.map((c) => c.text).join(''));
      if (new RegExp(`^${NUM}$`).test(bare)) {
        const value = toNumber(bare);
        if (value !== undefined && value < 200) return Math.floor(value);
      }
    }
    return undefined;
  };
}

type QuantityRead = Extract<Extract<Criterion, { type: 'number' }>['read'], { as: 'quantity' }>;

/** A reader of a quantity with a unit, such as "合格4次" or "自评得分650分". */
function quantityReader(r: QuantityRead, unit: string): Reader {
  const units = altSource([unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), ...r.unitAliases]);
  const w = altSource(r.words);
  const verbs = r.verbs.length ? `|${r.verbs.map(expandPattern).join('|')}` : '';
  const all = '(?:都|均|全部|全都|全)?';
  const patterns = [
    new RegExp(`${w}(?:了|过)?(?:共|总共|一共|累计)?\\s*(${NUM})\\s*[多几]?\\s*${units}`),
    new RegExp(`(${NUM})\\s*[多几]?\\s*${units}(?:以上)?${all}(?:是|为${verbs})?${all}${w}`),
    new RegExp(`${w}${units}数(?:是|为|有)?\\s*(${NUM})`),
  ];
  const byVerb = r.verbs.length ? new RegExp(`${altSource(r.verbs)}(?:了|过)?(?:共|总共|一共|累计)?\\s*(${NUM})\\s*[多几]?\\s*${units}`) : undefined;
  const notWords = alt(r.notWords);
  const notAfter = r.notWords.length ? new RegExp(`^\\s*(?:都|均|是)?${altSource(r.notWords)}`) : /(?!)/;
  const notBefore = r.notWords.length ? new RegExp(`${altSource(r.notWords)}(?:了|过)?$`) : /(?!)/;
  const confirm = alt(r.confirm);
  const zero = r.zero.length ? alt(r.zero, '^') : undefined;
  const zeroWhole = zero && new RegExp(`${zero.source}$`);
  return (clauses, _now, lenient) => {
    for (const c of clauses) {
      for (const re of patterns) {
        const m = re.exec(c.text);
        if (m) {
          const n = validCount(m[1], r.largest);
          if (n !== undefined) return n;
        }
      }
      if (byVerb && !notWords.test(c.text) && confirm.test(c.text)) {
        const m = byVerb.exec(c.text);
        if (m) {
          const n = validCount(m[1], r.largest);
          if (n !== undefined) return n;
        }
      }
    }
    if (!lenient) return undefined;
    const whole = clauses.map((c) => c.text).join('');
    if (zeroWhole?.test(whole)) return 0;
    for (const c of clauses) {
      for (const m of matches(new RegExp(`(${NUM})\\s*[多几]?\\s*${units}`), c.text)) {
        if (notAfter.test(c.text.slice(m.index + m[0].length)) || notBefore.test(c.text.slice(0, m.index))) continue;
        const n = validCount(m[1], r.largest);
        if (n !== undefined) return n;
      }
    }
    const bare = stripFillers(whole);
    if (new RegExp(`^${NUM}$`).test(bare)) return validCount(bare, r.largest);
    return undefined;
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A reader of a calendar date ("2027年3月31日", "2027-03-31", "2027年3月"); outside the question it needs one of the criterion's words. */
function dateReader(words: readonly string[]): Reader {
  const context = alt(words);
  const re = /((?:19|20)\d{2})\s*(?:年|-|\/|\.)\s*(\d{1,2})\s*(?:月|-|\/|\.)?\s*(?:(\d{1,2})\s*[日号]?)?/;
  return (clauses, _now, lenient) => {
    for (const c of clauses) {
      if (!lenient && !context.test(c.text)) continue;
      const m = re.exec(c.text);
      if (!m) continue;
      const y = Number(m[1]);
      const mo = Number(m[2]);
      const d = m[3] ? Number(m[3]) : 1;
      const date = new Date(Date.UTC(y, mo - 1, d));
      if (mo < 1 || mo > 12 || date.getUTCMonth() !== mo - 1) continue;
      return `${y}-${pad(mo)}-${pad(d)}`;
    }
    return undefined;
  };
}

type ChoiceCriterion = Extract<Criterion, { type: 'choice' }>;

/** Words that deny the option right after them ("不是B档", "非低空经济"). */
const OPTION_DENIED = /(?:不是|不属于|不算|并非|非|没有|没|不在)$/;
/** Words that name the option as the answer ("是B档", "属于低空经济", "评为A档", "选C"). */
const OPTION_NAMED = /(?:是|属于|为|选|评为|评了|评的|拿到|拿了|获评|定为|算|在)$/;

/** One mention of an option in a message. */
interface OptionMention {
  value: string;
  index: number;
  length: number;
  named: boolean;
}

/**
 * A reader of a choice. The option named as the answer wins ("B档…属于低空经济": the criterion whose words these are
 * reads its own option wherever it stands), a denied option never counts ("不是B档"), and when every option but one is
 * denied the remaining one is the answer. Mentions of several options with none named as the answer stay unread.
 */
function choiceReader(c: ChoiceCriterion): Reader {
  const options = c.options.map((o) => ({ value: o.value, label: o.label, words: alt(o.words) }));
  return (clauses, _now, lenient) => {
    const mentions: OptionMention[] = [];
    const denied = new Set<string>();
    for (const cl of clauses) {
      const found: OptionMention[] = [];
      for (const o of options) {
        for (const m of matches(o.words, cl.text)) {
          const before = windowBefore(cl.text, m.index, 4);
          if (OPTION_DENIED.test(before)) {
            denied.add(o.value);
            continue;
          }
          found.push({ value: o.value, index: m.index, length: m[0].length, named: OPTION_NAMED.test(before) });
        }
      }
      // A shorter word inside a longer one of another option ("B档" inside "B档以上") is not a mention of its own.
      mentions.push(...found.filter((m) => !found.some((x) => x !== m && x.length > m.length && x.index <= m.index && x.index + x.length >= m.index + m.length)));
    }
    const values = (list: OptionMention[]) => [...new Set(list.map((m) => m.value))].filter((v) => !denied.has(v));
    const named = values(mentions.filter((m) => m.named));
    if (named.length === 1) return named[0];
    const plain = values(mentions);
    if (plain.length === 1 && named.length === 0) return plain[0];
    if (plain.length === 0 && denied.size > 0 && denied.size === options.length - 1) return options.find((o) => !denied.has(o.value))!.value;
    if (lenient) {
      const whole = clauses.map((x) => x.text).join('');
      return options.find((o) => o.label.toLowerCase() === whole)?.value;
    }
    return undefined;
  };
}

const readers = new WeakMap<Criterion, Reader>();

/** The reader of a criterion, built once from its words. */
function readerOf(c: Criterion): Reader {
  let r = readers.get(c);
  if (!r) {
    if (c.type === 'yes-no') r = yesNoReader(c.read);
    else if (c.type === 'number') r = c.read.as === 'years' ? yearsReader(c.read) : quantityReader(c.read, c.unit);
    else if (c.type === 'date') r = dateReader(c.read.words);
    else r = choiceReader(c);
    readers.set(c, r);
  }
  return r;
}

/** Reads every criterion clearly stated in a message (e.g. a one-message company profile); questions in the text are ignored. */
export function extractAnswers(award: AwardRules, text: string, now: Date): Answers {
  const clauses = splitClauses(prepareText(text, award)).filter((c) => !c.question);
  const answers: Answers = {};
  for (const c of award.criteria) {
    const value = readerOf(c)(clauses, now, false);
    if (value !== undefined) answers[c.slot] = value;
  }
  return answers;
}

const UNSURE = /^(?:不知道|不清楚|不确定|不太清楚|不太确定|不了解|不记得|记不清|忘了|说不准|说不清|不好说|不一定|待确认|未知|不懂|可能|也许|或许|好像|估计|大概|没数|不晓得)/;
const SUBJECT_PREFIX = /^(?:我们公司|我们企业|我们|我司|本公司|本企业|咱们|公司|企业|我|这边|目前|现在|都|也)+/;

function compact(text: string): string {
  return text.replace(/[\s,.!?~…;:'"“”‘’()\[\]【】。，！？；：、（）]/g, '');
}

/** Tells whether a reply says the user does not know the answer ("不清楚", "不确定"). */
export function isUnsure(text: string): boolean {
  return UNSURE.test(compact(prepareText(text)).replace(SUBJECT_PREFIX, ''));
}

/** Reads a plain yes/no reply ("是", "对", "有", "嗯", "没错", "可以", "能" / "没有", "不是", "无", "否", "不能", "没", "不"). */
export function parseYesNo(text: string): boolean | undefined {
  const raw = compact(prepareText(text));
  if (!raw) return undefined;
  const t = raw.replace(SUBJECT_PREFIX, '').replace(/(?:的|啊|呀|吧|呢|哦|喔|了|啦|哈|嘛|滴)+$/, '') || raw;
  if (UNSURE.test(t)) return undefined;
  if (/^(?:没问题|没错|不错|没毛病|当然|肯定|确定|必须|yes|ok|okay|y$)/.test(t)) return true;
  if (/^(?:否|不|没|无|未|非|从来没|从来不|从未|从没|一直没|一次也没|一次都没|n$|no$|nope)/.test(t)) return false;
  if (/^(?:是|对|有|嗯|可以|能|行|好|具备|具有|符合|属于|满足|在|齐全|已|可)/.test(t)) return true;
  return undefined;
}

/**
 * Reads the answer to the criterion currently asked, more leniently than extractAnswers: bare numbers count for number
 * criteria and plain yes/no replies for yes/no criteria, unless the reply is about other conditions.
 */
export function readSlotAnswer(award: AwardRules, slot: string, text: string, now: Date): AnswerValue | undefined {
  const c = criterionOf(award, slot);
  if (!c) return undefined;
  const clauses = splitClauses(prepareText(text, award));
  const statements = clauses.filter((x) => !x.question);
  const value = readerOf(c)(statements, now, true);
  if (value !== undefined || c.type !== 'yes-no') return value;
  const first = statements[0];
  if (!first) return undefined;
  const others = extractAnswers(award, first.text, now);
  if (Object.keys(others).some((s) => s !== slot)) return undefined;
  return parseYesNo(first.text);
}

/** Finds the criterion a correction names ("改一下注册年限" → its slot), preferring the longest keyword, and where it ends. */
export function findSlotMention(award: AwardRules, text: string): { slot: string; end: number } | undefined {
  const t = prepareText(text, award);
  let best: { slot: string; index: number; length: number } | undefined;
  for (const c of award.criteria) {
    for (const keyword of c.keywords) {
      const index = t.indexOf(keyword);
      if (index < 0) continue;
      if (!best || keyword.length > best.length || (keyword.length === best.length && index < best.index)) {
        best = { slot: c.slot, index, length: keyword.length };
      }
    }
  }
  return best && { slot: best.slot, end: best.index + best.length };
}

/** Tells whether a criterion's question, when asked, reads this text as a plain "no" (the criterion's `askedNo` words). */
export function isAskedNo(c: Criterion, text: string): boolean {
  return c.askedNo.length > 0 && alt(c.askedNo).test(text);
}

const CORRECTION_VERB = /(?<!整)改|更正|说错|填错|答错|弄错|搞错|写错|打错|选错|错了|重新回答|重答|重填|纠正/;
const CORRECTION_WORDS =
  /(?:修改|更改|更正|纠正|(?<!整)改)(?:一下|下)?|(?:说|填|答|弄|搞|写|打|选)?错了?|重新回答|重答|重填|一下/g;
const VALUE_MARKER = /改成|改为|改到|应该是|应是|应为|其实是|实际是|实际上是|更正为|(?<!不)是|为|成/g;

/** A correction request: which slot to re-ask (or undefined to go back one step) and the new value if the message carries it. */
export interface Correction {
  slot?: string;
  value?: AnswerValue;
}

/** Recognises corrections such as "改一下注册年限", "注册年限说错了" or "注册年限改成5年"; undefined when the text is not one. */
export function parseCorrection(award: AwardRules, text: string, now: Date): Correction | undefined {
  const t = prepareText(text, award);
  if (!CORRECTION_VERB.test(t)) return undefined;
  const mention = findSlotMention(award, t);
  if (!mention) return {};
  const tail = t.slice(mention.end);
  let valueText = tail.replace(CORRECTION_WORDS, ' ');
  for (const m of tail.matchAll(VALUE_MARKER)) {
    const rest = tail.slice(m.index + m[0].length);
    if (compact(rest)) valueText = rest;
  }
  if (!compact(valueText)) return { slot: mention.slot };
  const value = readSlotAnswer(award, mention.slot, valueText, now);
  return value === undefined ? { slot: mention.slot } : { slot: mention.slot, value };
}
