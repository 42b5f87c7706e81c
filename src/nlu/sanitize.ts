/**
 * Input hygiene, applied once where text enters (every chat channel through the bot core, every command, every console
 * form): what is matched, stored as a tag or sent to subscribers never carries invisible characters, NUL or broken
 * UTF-16, and what is echoed back is cut to a readable length.
 */

/**
 * Invisible format characters: soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width space / non-joiner /
 * joiner, left-to-right and right-to-left marks, bidi embeddings, overrides and isolates, word joiner and invisible
 * operators, and the byte-order mark (zero-width no-break space).
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;

/** C0 controls (NUL included) and DEL, except tab, line feed and carriage return, which carry layout. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** A high surrogate without its low half, or a low surrogate without its high half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes invisible format characters, NUL and other controls, and lone surrogates; keeps everything a person can see. */
export function cleanText(text: string): string {
  return text.replace(LONE_SURROGATE, '').replace(INVISIBLE, '').replace(CONTROLS, '');
}

/** Longest piece of a person's input echoed back in a reply. */
export const MAX_ECHO = 40;

/** A piece of input to quote back in a reply: cleaned, on one line, and cut (with …) when longer than `max`. */
export function echo(text: string, max = MAX_ECHO): string {
  const one = cleanText(text).replace(/\s+/g, ' ').trim();
  const chars = [...one];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : one;
}
