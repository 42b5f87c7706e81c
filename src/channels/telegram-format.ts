/** Pure helpers for the Telegram channel: HTML escaping, message splitting, inline keyboards and group addressing. */
import type { Choice } from '../core/types.ts';

/** Telegram's limit on one message's text is 4096 characters; we stay below it. */
export const MAX_TEXT_CHARS = 4000;

/** Telegram's limit on callback_data, in bytes. */
export const MAX_CALLBACK_BYTES = 64;

/** Escapes the three characters Telegram's HTML parse mode reserves (&, <, >), so plain text shows verbatim. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Splits plain text into parts of at most `max` characters, preferring paragraph, then line, then sentence breaks. */
export function splitText(text: string, max = MAX_TEXT_CHARS): string[] {
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > max) {
    const chars = [...rest];
    const head = chars.slice(0, max).join('');
    let cut = head.lastIndexOf('\n\n');
    if (cut < head.length / 2) cut = head.lastIndexOf('\n');
    if (cut < head.length / 2) cut = Math.max(head.lastIndexOf('。'), head.lastIndexOf('. ')) + 1;
    if (cut < head.length / 2) cut = head.length;
    parts.push(head.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** Whether a string can be used as callback_data as it is (1 to 64 bytes of UTF-8). */
export function fitsCallbackData(value: string): boolean {
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes >= 1 && bytes <= MAX_CALLBACK_BYTES;
}

/** Arranges choices into keyboard rows: a few short labels share one row, otherwise one button per row. */
export function keyboardRows<T>(choices: readonly Choice[], button: (c: Choice) => T): T[][] {
  const totalChars = choices.reduce((n, c) => n + [...c.label].length, 0);
  if (choices.length <= 3 && totalChars <= 18) return [choices.map(button)];
  return choices.map((c) => [button(c)]);
}

/** Escapes a string for use inside a regular expression. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Returns the text a message addresses to the bot, or undefined if the bot should stay silent.
 * Private chats: every message, with "/cmd@ThisBot" shortened to "/cmd".
 * Groups: only commands (not those addressed to another bot) and messages that @-mention the bot, with the mention removed.
 */
export function addressedText(text: string, botUsername: string, inGroup: boolean): string | undefined {
  const command = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?=\s|$)([\s\S]*)$/.exec(text);
  if (command) {
    const [, name, target, rest] = command;
    if (target && target.toLowerCase() !== botUsername.toLowerCase()) return inGroup ? undefined : `/${name}${rest}`;
    return `/${name}${rest}`;
  }
  if (!inGroup) return text;
  const mention = new RegExp(`@${escapeRegExp(botUsername)}(?![A-Za-z0-9_])`, 'gi');
  if (!mention.test(text)) return undefined;
  return text.replace(mention, ' ').replace(/[ \t\u3000]{2,}/g, ' ').trim();
}
