/** Calendar-day arithmetic on YYYY-MM-DD strings, in the bot's time zone (Asia/Shanghai); pure functions. */

/** The time zone every reminder day is counted in. */
export const TIME_ZONE = 'Asia/Shanghai';

const DAY_MS = 86_400_000;

/** From 1992-01-01 (the summer of 1991 was Asia/Shanghai's last with daylight saving) to the end of year 9999. */
const FIXED_FROM = Date.UTC(1991, 11, 31, 16);
const FIXED_UNTIL = Date.UTC(9999, 11, 31, 16);

/**
 * The Asia/Shanghai calendar day of an instant from 1992 to 9999, when the zone is UTC+8 all year, by arithmetic; else
 * undefined. The first time-zone formatter of a process loads ICU's zone data (about 30 ms of every start), which a
 * start that only answers a question never needs.
 */
export function fixedOffsetDay(at: Date): string | undefined {
  const t = at.getTime();
  return t >= FIXED_FROM && t < FIXED_UNTIL ? new Date(t + 8 * 3_600_000).toISOString().slice(0, 10) : undefined;
}

let dayFormat: Intl.DateTimeFormat | undefined;

/** The local calendar day (YYYY-MM-DD, Asia/Shanghai) of an instant. */
export function localDay(at: Date): string {
  const fixed = fixedOffsetDay(at);
  if (fixed) return fixed;
  dayFormat ??= new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
  const parts = dayFormat.formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Whether `year` is a leap year in the Gregorian calendar. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in a month (1-12). */
export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Earliest year a date typed by a person may name: policies, awards and publicity of this bot are all later. */
export const MIN_YEAR = 2000;

/** Latest year a date typed by a person may name. */
export const MAX_YEAR = 2100;

/** Why a written date was not accepted: it names no calendar day (2026-02-30), or its year is outside MIN_YEAR..MAX_YEAR. */
export type DateProblem = 'nonexistent' | 'out_of_range';

/** Checks parts of a date: the day YYYY-MM-DD, or why it is refused. */
export function checkDay(year: number, month: number, day: number): { day: string } | { problem: DateProblem } {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return { problem: 'nonexistent' };
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { problem: 'nonexistent' };
  if (year < MIN_YEAR || year > MAX_YEAR) return { problem: 'out_of_range' };
  return { day: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/** Builds YYYY-MM-DD from parts when they name a real day in MIN_YEAR..MAX_YEAR, otherwise undefined. */
export function makeDay(year: number, month: number, day: number): string | undefined {
  const r = checkDay(year, month, day);
  return 'day' in r ? r.day : undefined;
}

/** Whether `s` is a real day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && makeDay(Number(m[1]), Number(m[2]), Number(m[3])) === s;
}

/**
 * The one polite refusal for a date that was not accepted, wherever it was typed (a chat command, a console form, a
 * scripted clock). `raw` is echoed cut to a few characters.
 */
export function dateRefusal(raw: string, problem: DateProblem | 'unreadable', example = '2026-01-05'): string {
  const shown = raw.length > 24 ? `${raw.slice(0, 24)}…` : raw;
  if (problem === 'out_of_range') return `日期“${shown}”的年份超出范围，请填写${MIN_YEAR}年至${MAX_YEAR}年之间的日期，例如 ${example}。`;
  if (problem === 'nonexistent') return `日期“${shown}”不存在（请检查月份和日子），例如 ${example}。`;
  return `没有看懂日期“${shown}”，请按 ${example} 的格式填写年月日。`;
}

/**
 * Reads a date that should be the whole input (a command argument, a form field, a clock): 2026-01-05, 2026/1/5,
 * 2026.1.5, 2026年1月5日 or 二〇二六年一月五日. Resolves the day, or why it is refused (with the text to echo).
 */
export function parseDay(input: string): { day: string } | { problem: DateProblem | 'unreadable'; raw: string } {
  const t = input.trim();
  const found = findDate(t);
  if (!found || found.raw.trim() !== t) return { problem: 'unreadable', raw: t };
  return found.day ? { day: found.day } : { problem: found.problem ?? 'nonexistent', raw: t };
}

function toEpochDay(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function fromEpochDay(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (before, when negative). */
export function addDays(day: string, n: number): string {
  return fromEpochDay(toEpochDay(day) + n);
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toEpochDay(to) - toEpochDay(from);
}

/**
 * The same day `n` years later. A 29 February that does not exist in the target year becomes 1 March: the anniversary
 * of a leap-day grant falls after 28 February, so a validity "through the day before the anniversary" keeps every day.
 */
export function addYears(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const year = y + n;
  if (m === 2 && d === 29 && !isLeapYear(year)) return `${year}-03-01`;
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A day written for Chinese readers, such as 2027年2月28日. */
export function formatDayZh(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

const CN_DIGIT: Record<string, number> = { 零: 0, 〇: 0, O: 0, o: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** Reads a year written digit by digit in Chinese (二〇二四) or in Arabic digits. */
function readYear(s: string): number | undefined {
  if (/^\d{4}$/.test(s)) return Number(s);
  if (s.length !== 4) return undefined;
  let n = 0;
  for (const ch of s) {
    const v = CN_DIGIT[ch];
    if (v === undefined) return undefined;
    n = n * 10 + v;
  }
  return n;
}

/** Reads a month or day number from 1 to 31 written in Arabic digits or Chinese (十二, 二十一, 三十一). */
function readSmall(s: string): number | undefined {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  const m = /^([一二两三四五六七八九]?)(十?)([一二三四五六七八九]?)$/.exec(s);
  if (!m || s === '') return undefined;
  const [, tens, ten, units] = m;
  if (!ten) return tens && !units ? CN_DIGIT[tens] : undefined;
  return (tens ? CN_DIGIT[tens] : 1) * 10 + (units ? CN_DIGIT[units] : 0);
}

const YEAR = '(\\d{4}|[零〇一二三四五六七八九]{4})';
const SMALL = '(\\d{1,2}|[一二两三四五六七八九十]{1,3})';
const DATE_PATTERNS: RegExp[] = [
  new RegExp(`(?<![\\d.-])${YEAR}\\s*年\\s*${SMALL}\\s*月\\s*${SMALL}\\s*[日号]?`, 'g'),
  // No digit or sign before the year ("-2024-01-01" is not 2024-01-01) and none after the day.
  /(?<![\d.+-])(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?![\d.])/g,
];

/** A full date found in free text. */
export interface FoundDate {
  /** The day, YYYY-MM-DD; undefined when the text names a day that does not exist (2023-02-29) or is out of range. */
  day: string | undefined;
  /** Why `day` is undefined. */
  problem?: DateProblem;
  /** The text as written. */
  raw: string;
}

/** Finds the first full date (year, month and day) in text: 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日 or 二〇二四年三月一日. */
export function findDate(text: string): FoundDate | undefined {
  let best: { index: number; found: FoundDate } | undefined;
  for (const re of DATE_PATTERNS) {
    re.lastIndex = 0;
    const m = re.exec(text);
    if (!m) continue;
    const y = readYear(m[1]);
    const mo = readSmall(m[2]);
    const d = readSmall(m[3]);
    const checked = y !== undefined && mo !== undefined && d !== undefined ? checkDay(y, mo, d) : ({ problem: 'nonexistent' } as const);
    const found: FoundDate = 'day' in checked ? { day: checked.day, raw: m[0] } : { day: undefined, raw: m[0], problem: checked.problem };
    if (!best || m.index < best.index) best = { index: m.index, found };
  }
  return best?.found;
}
