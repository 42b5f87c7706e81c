/** Groups the questions the bot could not answer: one group per family of similar wordings, with counts and dates. */
import type { QuestionFrame } from '../nlu/frame.ts';
import { normalizeText } from '../nlu/normalize.ts';
import type { UnansweredEntry } from './console-db.ts';

/** Polite and filler words that do not change what is asked. */
const FILLER = /请问|你好|您好|麻烦|一下|我想问|想问|问下|问问|请教|谢谢|我们|咱们|我司|公司|企业|[吗呢吧啊呀么嘛哦]/g;

/** The wording a question is grouped by: Simplified, lower-case, without punctuation, spaces and filler words. */
export function wordingKey(question: string): string {
  const t = normalizeText(question).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
  return t.replace(FILLER, '') || t;
}

/** Character bigrams of a wording. */
function bigrams(s: string): Set<string> {
  const chars = [...s];
  const out = new Set<string>();
  if (chars.length === 1) out.add(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  return out;
}

/** Dice similarity of two bigram sets, 0..1. */
function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return (2 * common) / (a.size + b.size);
}

/** Wordings at least this similar fall into one group. */
export const SIMILARITY = 0.6;

/** One group of similar questions. */
export interface QuestionGroup {
  /** Every normalised wording in the group (marking the group handled marks all of them). */
  wordings: string[];
  /** The most recent wording as asked. */
  example: string;
  /** Up to five distinct wordings as asked. */
  variants: string[];
  count: number;
  lastAt: number;
  channels: string[];
  /** The bot's latest reply. */
  lastReply: string;
  reasons: string[];
  /** Whether staff marked the group handled after its last question. */
  handled: boolean;
  /** How the bot understands the group's example now (see withFrames): staff see which word was not understood. */
  frame?: QuestionFrame;
}

/** The groups, each with the frame the bot understands its example into today. */
export function withFrames(groups: QuestionGroup[], understand: (question: string) => QuestionFrame): QuestionGroup[] {
  return groups.map((g) => {
    try {
      return { ...g, frame: understand(g.example) };
    } catch {
      return g;
    }
  });
}

/** Names of the question types, as staff read them. */
const TYPE_NAMES: Record<string, string> = { when: '日期', duration: '期限', cadence: '频次', money: '金额', quantity: '数量', who: '部门', where: '地点', list: '列举', yesno: '是否', fact: '事实' };

/** One line saying how a question was understood: type, places, awards, topic words, and the words no document uses. */
export function frameLine(f: QuestionFrame): string {
  const parts = [`类型：${TYPE_NAMES[f.type] ?? f.type}（意图 ${f.intent}）`];
  const places = [...f.places.covered, ...f.places.uncovered.map((p) => `${p}（未收录）`)];
  if (places.length) parts.push(`地点：${places.join('、')}`);
  if (f.awards.length || f.unknownAward) parts.push(`奖项：${[...f.awards, ...(f.unknownAward ? [`${f.unknownAward}（未收录）`] : [])].join('、')}`);
  const topic = f.terms.filter(([, w]) => w >= 1).map(([t]) => t);
  if (topic.length) parts.push(`关键词：${topic.slice(0, 8).join(' ')}`);
  if (f.foreign.length) parts.push(`文件中没有的词：${f.foreign.join('、')}`);
  if (f.yesno?.object) parts.push(`问的是：${f.yesno.object}`);
  return parts.join('；');
}

/** Groups logged questions (newest first) into families of similar wordings, open groups first, then by last date. */
export function groupQuestions(entries: (UnansweredEntry & { handledAt: number | null })[]): QuestionGroup[] {
  const groups: (QuestionGroup & { grams: Set<string>[]; openAfter: boolean })[] = [];
  for (const e of entries) {
    const grams = bigrams(e.wording);
    let g = groups.find((x) => x.wordings.includes(e.wording) || x.grams.some((y) => similarity(y, grams) >= SIMILARITY));
    if (!g) {
      g = { wordings: [], example: e.question, variants: [], count: 0, lastAt: e.at, channels: [], lastReply: e.reply, reasons: [], handled: true, grams: [], openAfter: false };
      groups.push(g);
    }
    if (!g.wordings.includes(e.wording)) {
      g.wordings.push(e.wording);
      g.grams.push(grams);
    }
    if (g.variants.length < 5 && !g.variants.includes(e.question)) g.variants.push(e.question);
    g.count++;
    if (!g.channels.includes(e.channel)) g.channels.push(e.channel);
    if (!g.reasons.includes(e.reason)) g.reasons.push(e.reason);
    // A question asked after its wording was marked handled (or never marked) keeps the group open.
    if (e.handledAt === null || e.at > e.handledAt) g.handled = false;
  }
  return groups
    .map(({ grams: _g, openAfter: _o, ...g }) => g)
    .sort((a, b) => Number(a.handled) - Number(b.handled) || b.lastAt - a.lastAt);
}
