/** Text normalisation for matching: invisible format characters dropped, Traditional → Simplified, full-width → half-width, control characters removed. */
// The Traditional → Simplified build only: the same dictionaries for this direction, a tenth of the full package's code.
import * as OpenCC from 'opencc-js/t2cn';

/** Longest text the understanding pipeline looks at; the rest of a huge message is ignored. */
export const MAX_TEXT = 500;

let toSimplified: ((s: string) => string) | undefined;

/** The conversion's dictionary keys (the strings it replaces) and the longest one's length. */
interface ConversionKeys {
  keys: Set<string>;
  longest: number;
}

/**
 * Every key of the dictionaries opencc-js uses from Hong Kong Traditional to Simplified (its `hk2s` configuration:
 * normalisation, segmentation and conversion), or undefined when they are not laid out as expected. Collecting them
 * takes a few milliseconds; building the converter's tries, about ten times as long.
 */
function conversionKeys(): ConversionKeys | undefined {
  const config = (OpenCC.Locale as unknown as { configs?: Record<string, unknown> }).configs?.hk2s;
  const strings: string[] = [];
  let wellFormed = config !== undefined;
  const walk = (x: unknown): void => {
    if (typeof x === 'string') strings.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
    else wellFormed = false;
  };
  walk(config);
  const keys = new Set<string>();
  let longest = 0;
  for (const dict of strings) {
    for (const entry of dict.split('|')) {
      const space = entry.indexOf(' ');
      if (space <= 0) wellFormed = false;
      const key = entry.slice(0, space);
      keys.add(key);
      longest = Math.max(longest, key.length);
    }
  }
  return wellFormed && keys.size ? { keys, longest } : undefined;
}

let conversion: ConversionKeys | null | undefined;

/**
 * Whether the converter could change the text: some dictionary key occurs in it. A converter replaces only the keys it
 * matches and copies every other character, in each of its steps, so a text with no key comes back unchanged.
 */
export function mayChange(text: string): boolean {
  if (conversion === undefined) conversion = conversionKeys() ?? null;
  if (!conversion) return true;
  const { keys, longest } = conversion;
  for (let i = 0; i < text.length; i++) {
    for (let n = 1; n <= longest && i + n <= text.length; n++) if (keys.has(text.slice(i, i + n))) return true;
  }
  return false;
}

/**
 * Converts Traditional Chinese (Taiwan, Hong Kong or standard) to Simplified. The converter is built on the first text
 * that needs it: most questions contain no Traditional character and are returned as they are.
 */
export function simplify(text: string): string {
  if (!toSimplified && !mayChange(text)) return text;
  const convert = (toSimplified ??= OpenCC.Converter({ from: 'hk', to: 'cn' }));
  return convert(text);
}

/** Converts full-width ASCII letters, digits and punctuation to half-width, keeping Chinese punctuation. */
export function halfWidth(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF05\uFF0B\uFF0D\uFF0E\uFF0F]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/**
 * Removes invisible format characters (Unicode category Cf: zero-width space and joiners, bidi marks and overrides,
 * the byte-order mark, the soft hyphen): "公\u200b示几天" reads as "公示几天".
 */
export function withoutInvisible(text: string): string {
  return text.replace(/\p{Cf}/gu, '');
}

/**
 * Normalises user text for understanding: bounded length, no invisible or control characters, Simplified, half-width.
 * With `keepScript`, the same but in the script the user wrote, for quoting their own words (a company name).
 */
export function normalizeText(text: string, opts: { keepScript?: boolean } = {}): string {
  const visible = withoutInvisible(text);
  const bounded = visible.length > MAX_TEXT ? visible.slice(0, MAX_TEXT) : visible;
  // eslint-disable-next-line no-control-regex
  const printable = bounded.replace(/[\u0000-\u0008\u000B-\u001F\u007F\uFFFD\uFEFF]/g, ' ');
  return halfWidth(opts.keepScript ? printable : simplify(printable)).replace(/\s+/g, ' ').trim();
}
