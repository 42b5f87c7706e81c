/** Reads pre-check answers out of free Chinese text; pure functions, the clock is passed in. */
import { normalizeDigits, parseChineseNumber } from '../nlu/chinese-numbers.ts';
import {
  SLOTS,
  SLOT_KEYWORDS,
  isNumericSlot,
  type PrecheckAnswers,
  type Slot,
} from './precheck-slots.ts';

const CN_NUM = '零〇一二两三四五六七八九十百千万';
const NUM = `(?:\\d+(?:\\.\\d+)?|[${CN_NUM}]+)`;
const CN_DIGIT = '零〇一二两三四五六七八九';

/** Normalises text for matching: half-width digits and punctuation, lower case, award and office names removed. */
export function prepareText(text: string): string {
  return normalizeDigits(text)
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .toLowerCase()
    .replace(/《[^》]*》/g, ' ')
    .replace(/(?:开平市?)?水暖卫浴(?:行业)?(?:产品)?质量(?:优秀|提升)?(?:奖|工作方案)(?:评审管理办法)?/g, ' ')
    .replace(/(?:产品)?质量优秀奖|优秀奖/g, ' ')
    .replace(/(?:开平市?)?(?:市场监督管理局|市场监管局)/g, ' ');
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

type Reader = (clauses: Clause[], now: Date, lenient: boolean) => boolean | number | undefined;

/** Combines mentions: any positive mention wins, else any negative one. */
function verdictOf(pos: boolean, neg: boolean): boolean | undefined {
  return pos ? true : neg ? false : undefined;
}

const PLUMBING_WORDS =
  /水暖|卫浴|洁具|水龙头|龙头|水嘴|花洒|淋浴|阀门|角阀|马桶|坐便器|坐厕|浴室柜|地漏|管件|水槽|面盆|台盆|浴缸|卫生陶瓷|厨卫|五金卫浴/;
const PLUMBING_NEG = /不是|不属于|非|不做|不生产|没做|没有做|没有生产|不算|并非|不搞|不干/;

const readPlumbing: Reader = (clauses) => {
  let pos = false;
  let neg = false;
  for (const c of clauses) {
    for (const m of matches(PLUMBING_WORDS, c.text)) {
      if (PLUMBING_NEG.test(windowBefore(c.text, m.index, 5))) neg = true;
      else pos = true;
    }
  }
  return verdictOf(pos, neg);
};

const KAIPING_WORDS = /开平|水口镇|水口|月山|沙塘|赤坎|翠山湖|三埠|苍城|马冈|塘口|蚬冈|长沙街道/;
const KAIPING_NEG = /不在|不是|非|没在|没有在|不属于|没有|没|未在|并非/;
const OTHER_PLACES = /佛山|广州|深圳|东莞|中山|珠海|江门市区|蓬江|江海区|新会|台山|鹤山|恩平|外地|外省|外市|省外|市外/;

const readKaiping: Reader = (clauses) => {
  let pos = false;
  let neg = false;
  for (const c of clauses) {
    for (const m of matches(KAIPING_WORDS, c.text)) {
      const after = c.text.slice(m.index + m[0].length, m.index + m[0].length + 3);
      if (KAIPING_NEG.test(windowBefore(c.text, m.index, 5)) || /^(?:市)?(?:以外|之外|外)/.test(after)) neg = true;
      else pos = true;
    }
    const other = OTHER_PLACES.exec(c.text);
    if (other && /注册|登记|成立|在|于/.test(c.text) && !KAIPING_NEG.test(windowBefore(c.text, other.index, 4))) neg = true;
  }
  return verdictOf(pos, neg);
};

const REG_CONTEXT = /注册|成立|登记|创办|创立|开办|办厂|建厂|开厂|开业|设立|营业执照/;
const YEARS_CONTEXT = new RegExp(`${REG_CONTEXT.source}|开平|企业|公司|厂|经营|干了|做了|办了|开了`);
const INSPECTION_CONTEXT = /抽检|抽查|合格|检验|检测|次|回/;

const readYears: Reader = (clauses, now, lenient) => {
  const today = chinaDate(now);
  for (const c of clauses) {
    const t = c.text;
    if (INSPECTION_CONTEXT.test(t) && !REG_CONTEXT.test(t)) continue;
    const hasRegContext = REG_CONTEXT.test(t);

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
    const short = new RegExp(`(?<!\\d)(\\d{2})\\s*年(?:的时候|就|才)?(?:在开平)?(?:注册|成立|登记|创办|创立|开办|设立)`).exec(t);
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
    const rel = /(今年|去年|前年)(?:才|刚)?(?:在开平)?(?:注册|成立|登记|创办|创立|开办|设立)/.exec(t);
    if (rel) {
      const offset = rel[1] === '今年' ? 0 : rel[1] === '去年' ? 1 : 2;
      return yearsSince(today.y - offset, undefined, undefined, now);
    }
    if (/^(?:刚|才|刚刚)(?:注册|成立)/.test(t) && (lenient || hasRegContext)) return 0;

    // Duration: 6年, 五年, 三年多, 十来年, 不到3年.
    if (!(lenient || YEARS_CONTEXT.test(t))) continue;
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

const LEGAL_POS = /独立法人|法人资格|企业法人|法人企业|法人单位|是法人/;
const LEGAL_NEG_WORDS = /分公司|个体户|个体工商户|个体经营|分厂|办事处|非法人/;
const LEGAL_NEG = /不是|非|没有|没|不具备|不具有|无|不算|不属于|并非/;

const readLegalPerson: Reader = (clauses) => {
  let pos = false;
  let neg = false;
  for (const c of clauses) {
    for (const m of matches(LEGAL_POS, c.text)) {
      const after = c.text.slice(m.index + m[0].length, m.index + m[0].length + 6);
      if (LEGAL_NEG.test(windowBefore(c.text, m.index, 5)) || /^(?:资格)?(?:是|为)?(?:没有|没|无|不具备)/.test(after)) neg = true;
      else pos = true;
    }
    for (const m of matches(LEGAL_NEG_WORDS, c.text)) {
      if (!/不是|非|并非|不属于/.test(windowBefore(c.text, m.index, 4))) neg = true;
    }
  }
  return verdictOf(pos, neg);
};

const TAX_WORDS = /(?:缴税|纳税|完税|交税|税收|税务)(?:证明|凭证|记录)|税单|完税/;
const TAX_NEG_BEFORE = /不能|不可以|没有|没|无法|不会|不行|开不|拿不|提供不|不/;
const TAX_NEG_AFTER = /^(?:也|都)?(?:开不|拿不|提供不|没有|没|不能|不行|不可以|办不|无法|出不)/;

const readTax: Reader = (clauses) => {
  let pos = false;
  let neg = false;
  for (const c of clauses) {
    for (const m of matches(TAX_WORDS, c.text)) {
      const after = c.text.slice(m.index + m[0].length, m.index + m[0].length + 6);
      if (TAX_NEG_BEFORE.test(windowBefore(c.text, m.index, 6)) || TAX_NEG_AFTER.test(after)) neg = true;
      else pos = true;
    }
  }
  return verdictOf(pos, neg);
};

const VIOLATION = '(?:违法|违规|违章|环保问题|安全问题|安全事故)';
const COMPLIANT_DOUBLE_NEG = new RegExp(
  `(?:没有|没|无|未|从未|从没|不存在|不曾)(?:任何|过)?${VIOLATION}(?:[和或及与/]?(?:任何)?${VIOLATION})*`,
);
const COMPLIANT_NEG =
  /不合规|证照不全|证照不齐|证件不全|手续不全|资质不全|无证|没有证照|没证|缺证|(?:没有|未|没)取得|违法|违规|违章|(?:环保|排放|能耗|安全|节能)[^,]{0,4}(?:不达标|不合格|超标)|不符合(?:环保|国家|相关|产业|法律|法规|要求|标准|安全|节能)/;
const COMPLIANT_POS =
  /(?<!不)合规|证照齐|证件齐全|手续齐全|资质齐全|执照齐全|证照都有|证都有|(?:环保|排放|能耗|安全|节能)[^,]{0,4}(?<!不)达标|(?<!不)符合(?:环保|国家|相关|产业|法律|法规|要求|标准|安全|节能)|守法|依法经营|合法经营|取得(?:了)?(?:相关|有关|所需)?(?:证照|许可证|资质)/;

const readCompliant: Reader = (clauses) => {
  let pos = false;
  let neg = false;
  for (const c of clauses) {
    let t = c.text;
    if (COMPLIANT_DOUBLE_NEG.test(t)) {
      pos = true;
      t = t.replace(new RegExp(COMPLIANT_DOUBLE_NEG.source, 'g'), '_');
    }
    if (COMPLIANT_NEG.test(t)) neg = true;
    else if (COMPLIANT_POS.test(t)) pos = true;
  }
  return neg ? false : pos ? true : undefined;
};

const PASS_PATTERNS = [
  new RegExp(`(?<!不)合格(?:了|过)?(?:共|总共|一共|累计)?\\s*(${NUM})\\s*[多几]?\\s*[次回]`),
  new RegExp(`(${NUM})\\s*[多几]?\\s*[次回](?:以上)?(?:都|均|全部|全都|全)?(?:是|为|检验|检测|抽检|抽查)?(?:都|均|全部|全都|全)?合格`),
  new RegExp(`合格次数(?:是|为|有)?\\s*(${NUM})`),
];
const PASS_INSPECTION = new RegExp(`(?:抽检|抽查|检验|检测|送检)(?:了|过)?(?:共|总共|一共|累计)?\\s*(${NUM})\\s*[多几]?\\s*[次回]`);

function validCount(token: string): number | undefined {
  const n = toNumber(token);
  return n !== undefined && n <= 1000 ? Math.floor(n) : undefined;
}

/** Strips filler words around a short answer such as "大概5个吧" so that only the value remains. */
function stripFillers(t: string): string {
  return t
    .replace(/\s+/g, '')
    .replace(/^(?:大概|大约|约|差不多|应该是?|有|是|共|一共|总共|累计|我们|我司|公司)+/, '')
    .replace(/(?:个|了|吧|啦|呢|哦|左右|以上|多|。|!|\.)+$/, '');
}

const readPasses: Reader = (clauses, _now, lenient) => {
  for (const c of clauses) {
    for (const re of PASS_PATTERNS) {
      const m = re.exec(c.text);
      if (m) {
        const n = validCount(m[1]);
        if (n !== undefined) return n;
      }
    }
    if (!c.text.includes('不合格') && /合格|通过|过关/.test(c.text)) {
      const m = PASS_INSPECTION.exec(c.text);
      if (m) {
        const n = validCount(m[1]);
        if (n !== undefined) return n;
      }
    }
  }
  if (!lenient) return undefined;
  const whole = clauses.map((c) => c.text).join('');
  if (/^(?:没有|没|无|零次|0次|一次都没有|一次也没有|都没有|没合格过|没有合格过|一次都没)$/.test(whole)) return 0;
  for (const c of clauses) {
    for (const m of matches(new RegExp(`(${NUM})\\s*[多几]?\\s*[次回]`), c.text)) {
      const after = c.text.slice(m.index + m[0].length);
      if (/^\s*(?:都|均|是)?不合格/.test(after) || /不合格(?:了|过)?$/.test(c.text.slice(0, m.index))) continue;
      const n = validCount(m[1]);
      if (n !== undefined) return n;
    }
  }
  const bare = stripFillers(whole);
  if (new RegExp(`^${NUM}$`).test(bare)) return validCount(bare);
  return undefined;
};

const FAILED_NEG_BEFORE = /没|无|未|不曾|从不|从来不|零|(?<!\d)0\s*次/;
const FAILED_NEG_AFTER = /^(?:记录|次数|情况)?(?:[:是为有])?\s*(?:无|没有|没|0|零)/;
const ALL_PASSED = /(?:都|均|全部|全都|次次|每次都|一直都?|一直是)合格|从没有?不合格|从未不合格/;

const readFailed: Reader = (clauses, _now, lenient) => {
  let pos = false;
  let neg = false;
  let allPassed = false;
  for (const c of clauses) {
    for (const m of matches(/不合格/, c.text)) {
      const before = windowBefore(c.text, m.index, 6);
      const after = c.text.slice(m.index + 3, m.index + 10);
      if (FAILED_NEG_BEFORE.test(before) || FAILED_NEG_AFTER.test(after)) neg = true;
      else pos = true;
    }
    if (ALL_PASSED.test(c.text)) allPassed = true;
  }
  const result = verdictOf(pos, neg);
  if (result !== undefined) return result;
  if (allPassed) return false;
  if (!lenient) return undefined;
  for (const c of clauses) {
    if (c.text.includes('合格')) continue;
    const m = new RegExp(`(${NUM})\\s*[次回]`).exec(c.text);
    if (m) {
      const n = validCount(m[1]);
      if (n !== undefined) return n > 0;
    }
  }
  return undefined;
};

const COMPLAINT_WORDS = /投诉|处罚|罚款|罚过|被罚|受罚|罚单|罚了/;
const COMPLAINT_NEG_BEFORE = /没|无|未|不曾|从不|从来不|零/;
const COMPLAINT_NEG_AFTER = /^(?:过)?(?:和|或|及|、|与)?(?:投诉|处罚|罚款)?(?:记录|情况)?(?:也|都|均)?(?:[:是为])?\s*(?:没有|没|无|0|零)/;
const COMPLAINT_POS_BEFORE = /被|有|受|遭|接到|收到|吃过|吃了|出过/;

const readComplaints: Reader = (clauses) => {
  let pos = false;
  let neg = false;
  for (const c of clauses) {
    for (const m of matches(COMPLAINT_WORDS, c.text)) {
      const before = windowBefore(c.text, m.index, 6);
      const after = c.text.slice(m.index + m[0].length, m.index + m[0].length + 8);
      if (COMPLAINT_NEG_BEFORE.test(before) || COMPLAINT_NEG_AFTER.test(after)) neg = true;
      else if (
        COMPLAINT_POS_BEFORE.test(before) ||
        /罚过|被罚|受罚|罚单|罚了/.test(m[0]) ||
        /^(?:过|了)/.test(after) ||
        new RegExp(`^${NUM}\\s*次`).test(after)
      )
        pos = true;
    }
  }
  return verdictOf(pos, neg);
};

const READERS: Record<Slot, Reader> = {
  plumbingProducts: readPlumbing,
  registeredInKaiping: readKaiping,
  yearsRegistered: readYears,
  independentLegalPerson: readLegalPerson,
  taxCertificate: readTax,
  compliant: readCompliant,
  spotCheckPasses: readPasses,
  spotCheckFailed: readFailed,
  complaintsOrPenalties: readComplaints,
};

/** Reads every slot clearly stated in a message (e.g. a one-message company profile); questions in the text are ignored. */
export function extractAnswers(text: string, now: Date): PrecheckAnswers {
  const clauses = splitClauses(prepareText(text)).filter((c) => !c.question);
  const answers: PrecheckAnswers = {};
  for (const slot of SLOTS) {
    const value = READERS[slot](clauses, now, false);
    if (value !== undefined) answers[slot] = value;
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
 * Reads the answer to the slot currently asked, more leniently than extractAnswers: bare numbers count for numeric
 * slots and plain yes/no replies for yes/no slots, unless the reply is about other conditions.
 */
export function readSlotAnswer(slot: Slot, text: string, now: Date): boolean | number | undefined {
  const prepared = prepareText(text);
  const clauses = splitClauses(prepared);
  const statements = clauses.filter((c) => !c.question);
  const value = READERS[slot](statements, now, true);
  if (value !== undefined || isNumericSlot(slot)) return value;
  const first = statements[0];
  if (!first) return undefined;
  const others = extractAnswers(first.text, now);
  if (Object.keys(others).some((s) => s !== slot)) return undefined;
  return parseYesNo(first.text);
}

/** Finds the slot a correction names ("改一下注册年限" → yearsRegistered), preferring the longest keyword, and where it ends. */
export function findSlotMention(text: string): { slot: Slot; end: number } | undefined {
  const t = prepareText(text);
  let best: { slot: Slot; index: number; length: number } | undefined;
  for (const slot of SLOTS) {
    for (const keyword of SLOT_KEYWORDS[slot]) {
      const index = t.indexOf(keyword);
      if (index < 0) continue;
      if (!best || keyword.length > best.length || (keyword.length === best.length && index < best.index)) {
        best = { slot, index, length: keyword.length };
      }
    }
  }
  return best && { slot: best.slot, end: best.index + best.length };
}

const CORRECTION_VERB = /(?<!整)改|更正|说错|填错|答错|弄错|搞错|写错|打错|选错|错了|重新回答|重答|重填|纠正/;
const CORRECTION_WORDS =
  /(?:修改|更改|更正|纠正|(?<!整)改)(?:一下|下)?|(?:说|填|答|弄|搞|写|打|选)?错了?|重新回答|重答|重填|一下/g;
const VALUE_MARKER = /改成|改为|改到|应该是|应是|应为|其实是|实际是|实际上是|更正为|(?<!不)是|为|成/g;

/** A correction request: which slot to re-ask (or undefined to go back one step) and the new value if the message carries it. */
export interface Correction {
  slot?: Slot;
  value?: boolean | number;
}

/** Recognises corrections such as "改一下注册年限", "注册年限说错了" or "注册年限改成5年"; undefined when the text is not one. */
export function parseCorrection(text: string, now: Date): Correction | undefined {
  const t = prepareText(text);
  if (!CORRECTION_VERB.test(t)) return undefined;
  const mention = findSlotMention(t);
  if (!mention) return {};
  const tail = t.slice(mention.end);
  let valueText = tail.replace(CORRECTION_WORDS, ' ');
  for (const m of tail.matchAll(VALUE_MARKER)) {
    const rest = tail.slice(m.index + m[0].length);
    if (compact(rest)) valueText = rest;
  }
  if (!compact(valueText)) return { slot: mention.slot };
  const value = readSlotAnswer(mention.slot, valueText, now);
  return value === undefined ? { slot: mention.slot } : { slot: mention.slot, value };
}
