/** Text normalisation for matching: invisible format characters dropped, Traditional → Simplified, full-width → half-width, control characters removed. */
// The Traditional → Simplified build only: the same dictionaries for this direction, a tenth of the full package's code.
import * as OpenCC from 'opencc-js/t2cn';

/** Longest text the understanding pipeline looks at; the rest of a huge message is ignored. */
export const MAX_TEXT = 500;

let toSimplified: ((s: string) => string) | undefined;

/** Converts Traditional Chinese (Taiwan, Hong Kong or standard) to Simplified. */
export function simplify(text: string): string {
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
