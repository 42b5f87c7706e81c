/** Numbered-text rendering of choices ("回复 1 表示 是") for channels without buttons, and the mapping of replies back to values. */
import type { Choice, OutgoingMessage } from '../core/types.ts';

/** Labels at most this long (in characters) are listed on one line when there are few choices. */
const SHORT_LABEL = 8;

/** The hint appended to an answer whose whole clause is one reply away, on channels without expandable text. */
export const MORE_HINT = '回复 原文 查看全文';

/** A message's text for a plain-text channel: numbered choices, or the "回复 原文" hint when more is behind it. */
export function plainText(msg: OutgoingMessage): string {
  if (msg.choices?.length) return renderChoicesText(msg.text, msg.choices);
  return msg.more ? `${msg.text}\n${MORE_HINT}` : msg.text;
}

/** Appends numbered choices to a message text, e.g. "回复 1 表示 是，回复 2 表示 否". */
export function renderChoicesText(text: string, choices: readonly Choice[]): string {
  if (choices.length === 0) return text;
  const short = choices.length <= 3 && choices.every((c) => [...c.label].length <= SHORT_LABEL);
  const menu = short
    ? choices.map((c, i) => `回复 ${i + 1} 表示 ${c.label}`).join('，')
    : `请回复序号：\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
  return text.trim() ? `${text}\n\n${menu}` : menu;
}

const CHINESE_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** Converts full-width ASCII (digits, letters, punctuation) to half-width and trims. */
function halfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ').trim();
}

/** Normalises a reply or label for exact comparison: half-width, lower-case, no surrounding punctuation or spaces. */
function comparable(s: string): string {
  return halfWidth(s)
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/^[“”"'‘’「」《》()（）\[\]【】]+|[“”"'‘’「」《》()（）\[\]【】.。!！?？,，、~～]+$/g, '');
}

/** Reads a choice number from a reply such as "1", "１", "回复 2", "选2", "第二个" or "(1)"; undefined if it is not one. */
export function parseChoiceNumber(reply: string): number | undefined {
  const s = halfWidth(reply).replace(/\s+/g, '');
  const m = /^(?:回复|选择|选|答)?第?[(（]?([0-9]{1,2}|[一二两三四五六七八九十])[)）]?(?:个|项|号|条)?[.。、,，!！]?$/.exec(s);
  if (!m) return undefined;
  const n = /^[0-9]+$/.test(m[1]) ? Number(m[1]) : CHINESE_DIGITS[m[1]];
  return n !== undefined && n >= 1 ? n : undefined;
}

/** Maps a reply to the value of one of the offered choices (by number or by exact label), or undefined. */
export function parseChoiceReply(reply: string, choices: readonly Choice[]): string | undefined {
  const n = parseChoiceNumber(reply);
  if (n !== undefined) return n <= choices.length ? choices[n - 1].value : undefined;
  const r = comparable(reply);
  if (!r) return undefined;
  return choices.find((c) => comparable(c.label) === r || comparable(c.value) === r)?.value;
}

/** Whether a message is a broadcast or reminder, which must not disturb the choices a chat is answering. */
function isNotice(msg: OutgoingMessage): boolean {
  const d = msg.data;
  return d !== undefined && ('broadcast' in d || 'reminder' in d);
}

/** Per-chat memory of the last choices offered, so a numeric reply can be mapped back to a value. */
export class ChoiceMemory {
  private readonly last = new Map<string, { choices: Choice[]; at: number }>();

  /** Keeps at most `maxChats` chats, each for at most `ttlMs`. */
  constructor(
    private readonly maxChats = 10_000,
    private readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {}

  /** Records what a sent message offers: its choices replace the chat's; a plain reply clears them; notices leave them alone. */
  noteSent(msg: OutgoingMessage, now = Date.now()): void {
    if (msg.choices && msg.choices.length > 0) {
      this.last.delete(msg.chat);
      this.last.set(msg.chat, { choices: [...msg.choices], at: now });
      if (this.last.size > this.maxChats) this.last.delete(this.last.keys().next().value as string);
    } else if (!isNotice(msg)) {
      this.last.delete(msg.chat);
    }
  }

  /** Returns the choice value a reply picks from the chat's last choices (which are then used up), or the reply unchanged. */
  resolve(chat: string, reply: string, now = Date.now()): string {
    const entry = this.last.get(chat);
    if (!entry) return reply;
    if (now - entry.at > this.ttlMs) {
      this.last.delete(chat);
      return reply;
    }
    const value = parseChoiceReply(reply, entry.choices);
    if (value === undefined) return reply;
    this.last.delete(chat);
    return value;
  }

  /** Forgets the choices of a chat. */
  clear(chat: string): void {
    this.last.delete(chat);
  }
}
