/** Helpers shared by the scheduling handlers: raw command arguments, tags, replies and the staff refusal. */
import type { HandlerContext } from '../core/handler.ts';
import type { OutgoingMessage } from '../core/types.ts';
import { normalizeText } from '../nlu/normalize.ts';
import { cleanText } from '../nlu/sanitize.ts';

/** Longest tag kept; longer ones are cut. */
export const MAX_TAG_LENGTH = 30;

/** Most tags one subscription keeps. */
export const MAX_TAGS = 10;

/**
 * The raw text after the leading slash command ("/broadcast@Bot  <b>hi</b>" → "<b>hi</b>"), untouched except for the
 * whitespace around it: broadcast texts and publicity titles must reach people verbatim, not normalised.
 */
export function rawArgs(rawText: string): string {
  const m = /^\s*[/／][^\s]*/.exec(rawText);
  const rest = m ? rawText.slice(m[0].length) : rawText;
  return rest.replace(/^\s+/, '').replace(/\s+$/, '');
}

/** Normalises a tag so that subscription and broadcast agree: Simplified, half-width, lower-case, no leading #. */
export function normalizeTag(tag: string): string {
  return normalizeText(cleanText(tag)).toLowerCase().replace(/^[#＃]+/, '').trim().slice(0, MAX_TAG_LENGTH);
}

/** Splits "水口镇, 龙头 花洒" into normalised, distinct tags; empty input gives an empty list. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(/[\s,，、;；]+/)
    .filter((t) => !/^--?(tags?|标签)$/i.test(t) && !/^标签[:：]?$/.test(t))
    .map(normalizeTag)
    .filter((t) => t.length > 0);
  return [...new Set(tags)].slice(0, MAX_TAGS);
}

/** A reply to the message's chat. */
export function reply(ctx: HandlerContext, text: string, data?: Record<string, unknown>): OutgoingMessage[] {
  const msg: OutgoingMessage = { chat: ctx.msg.chat, text };
  if (data !== undefined) msg.data = data;
  return [msg];
}

/** The polite refusal for a staff command used by someone who is not staff. */
export function forbidden(ctx: HandlerContext): OutgoingMessage[] {
  return reply(ctx, '抱歉，这是工作人员专用指令，您没有使用权限。如需发布通知，请联系协会工作人员。', { error: 'forbidden' });
}

/** Formats tags for a reply: "水口镇、龙头". */
export function tagList(tags: string[]): string {
  return tags.join('、');
}

/** Callbacks the scheduling handlers fire; the application wires `onEnqueued` to `DeliveryService.poke`. */
export interface SchedulingHooks {
  /** Called after a handler queued outbox messages (a broadcast or a publicity notice). */
  onEnqueued?: () => void;
}
