/** Calendar-day arithmetic on YYYY-MM-DD strings, in the bot's time zone (Asia/Shanghai); pure functions. */

/** The time zone every reminder day is counted in. */
export const TIME_ZONE = 'Asia/Shanghai';

const DAY_MS = 86_400_000;

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The local calendar day (YYYY-MM-DD, Asia/Shanghai) of an instant. */
export function localDay(at: Date): string {
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

/** Builds YYYY-MM-DD from parts when they name a real day (years 1900-2999), otherwise undefined. */
export function makeDay(year: number, month: number, day: number): string | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whether `s` is a real day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && makeDay(Number(m[1]), Number(m[2]), Number(m[3])) === s;
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
  new RegExp(`${YEAR}\\s*年\\s*${SMALL}\\s*月\\s*${SMALL}\\s*[日号]?`, 'g'),
  /(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)/g,
];

/** A full date found in free text. */
export interface FoundDate {
  /** The day, YYYY-MM-DD; undefined when the text names a day that does not exist (2023-02-29). */
  day: string | undefined;
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
    const day = y !== undefined && mo !== undefined && d !== undefined ? makeDay(y, mo, d) : undefined;
    if (!best || m.index < best.index) best = { index: m.index, found: { day, raw: m[0] } };
  }
  return best?.found;
}
