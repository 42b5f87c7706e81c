/** Parsing of Chinese, Arabic and mixed number expressions such as 十二, 二十五, 3千, 1.5万 and 三千元. */

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

const SMALL_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 10_000, 亿: 100_000_000 };

/** Characters that can appear in a Chinese numeral, for building regular expressions. */
export const CHINESE_NUMERAL_CHARS = '零〇一二两三四五六七八九十百千万亿';

/** Converts full-width digits (０-９) and the full-width full stop (．) to ASCII; other characters are kept. */
export function normalizeDigits(s: string): string {
  return s.replace(/[０-９．]/g, (c) => (c === '．' ? '.' : String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30)));
}

type Token = { kind: 'num'; value: number; zero: boolean } | { kind: 'unit'; value: number; big: boolean };

function tokenize(s: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const literal = /^\d+(?:\.\d+)?/.exec(rest);
    if (literal) {
      tokens.push({ kind: 'num', value: Number(literal[0]), zero: false });
      i += literal[0].length;
      continue;
    }
    const c = s[i];
    if (c in DIGITS) tokens.push({ kind: 'num', value: DIGITS[c], zero: c === '零' || c === '〇' });
    else if (c in SMALL_UNITS) tokens.push({ kind: 'unit', value: SMALL_UNITS[c], big: false });
    else if (c in BIG_UNITS) tokens.push({ kind: 'unit', value: BIG_UNITS[c], big: true });
    else return undefined;
    i += 1;
  }
  return tokens;
}

/**
 * Parses a number written in Chinese numerals, Arabic digits or a mix ("十二", "二十五", "3千", "1.5万", "两", "三千元" → 3000,
 * "二零一九" → 2019); returns undefined when the whole string is not a number.
 */
export function parseChineseNumber(s: string): number | undefined {
  let text = normalizeDigits(s)
    .trim()
    .replace(/^人民币/, '')
    .replace(/(?:元|块钱|块)$/, '')
    .trim();
  // Thousands separators between digits, e.g. 1,000 or 1，000.
  text = text.replace(/(\d)[,，](?=\d{3}(?:\D|$))/g, '$1');
  if (text === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);

  // A run of bare digits such as 二零一九 is read digit by digit; two digits without a zero (三四, 两三) are an
  // approximate range, not a number.
  if (/^[零〇一二两三四五六七八九]{2,}$/.test(text)) {
    if (text.length === 2 && !/[零〇]/.test(text)) return undefined;
    return Number([...text].map((c) => DIGITS[c]).join(''));
  }

  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) return undefined;

  let total = 0; // Sum of completed 万/亿 groups.
  let section = 0; // Value below the next big unit.
  let current: number | null = null; // Pending digit not yet attached to a unit.
  let prev: Token | null = null;
  for (const token of tokens) {
    if (token.kind === 'num') {
      if (current !== null && !(prev?.kind === 'num' && prev.zero)) return undefined; // Two digits in a row, e.g. 三四.
      current = token.value;
    } else if (!token.big) {
      if (current === null) {
        if (token.value !== 10) return undefined; // Only 十 may stand without a leading digit.
        current = 1;
      }
      section += current * token.value;
      current = null;
    } else {
      const groupValue = section + (current ?? 0);
      if (groupValue === 0) return undefined;
      if (token.value === 100_000_000) {
        total = (total + groupValue) * token.value;
      } else {
        total += groupValue * token.value;
      }
      section = 0;
      current = null;
    }
    prev = token;
  }
  if (current !== null) {
    // Colloquial shortening: 两千五 = 2500, 三百五 = 350, 两万五 = 25000.
    const before = tokens.length >= 2 ? tokens[tokens.length - 2] : undefined;
    if (before && before.kind === 'unit' && before.value >= 100) current *= before.value / 10;
    section += current;
  }
  return total + section;
}

/**
 * Writes colloquial amounts of money as documents write them: "一个亿" → "1亿元", "五百万" → "500万元",
 * "两千万" → "2000万元", "1个亿" → "1亿元". Amounts already in digits ("200万") are left as they are.
 */
export function documentAmounts(s: string): string {
  return s.replace(new RegExp(`(\\d+(?:\\.\\d+)?|[${CHINESE_NUMERAL_CHARS}]+)(\\s*个\\s*)?(亿|万)(元|块钱|块)?`, 'g'), (whole, num: string, ge: string | undefined, unit: string) => {
    if (/^\d/.test(num) && !ge) return whole;
    const n = parseChineseNumber(num);
    if (n === undefined || n <= 0) return whole;
    return `${n}${unit}元`;
  });
}
