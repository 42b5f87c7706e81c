/** Staff commands: announcing a publicity (/publicity), broadcasting to subscribers (/broadcast), checking broadcasts (/broadcasts) and the web console link (/console). */
import type { Handler, HandlerContext } from '../handler.ts';
import type { OutgoingMessage } from '../types.ts';
import type { BroadcastStats, SchedulingStore } from '../../storage/store.ts';
import { forbidden, normalizeTag, rawArgs, reply, type SchedulingHooks } from '../../scheduling/commands.ts';
import { dateRefusal, daysBetween, formatDayZh, localDay, parseDay } from '../../scheduling/dates.ts';
import { echo } from '../../nlu/sanitize.ts';
import { broadcastReportData, broadcastReportText } from '../../scheduling/outbox.ts';
import { defaultPublicityTitle } from '../../dialogue/award-loader.ts';
import { reminderWords } from '../../scheduling/award-words.ts';
import { firstReminderOn, publicityData, publicityEnds, publicityStages, publicityStartText } from '../../scheduling/reminders.ts';

/** The staff commands this handler owns. */
export const STAFF_COMMANDS: readonly string[] = ['/publicity', '/broadcast', '/broadcasts', '/console'];

/** Which setting lists staff of each channel, for the /myid reply. */
const ADMIN_SETTING: Record<string, string> = { console: 'CONSOLE_ADMIN_IDS', telegram: 'TELEGRAM_ADMIN_IDS', wechat: 'WECHAT_ADMIN_IDS' };

/** Hooks of the staff handler: the scheduling ones plus the web console's sign-in links. */
export interface StaffHooks extends SchedulingHooks {
  /** A one-time sign-in link to the web console for a staff member ("channel:id"), or undefined when the console is off. */
  consoleLink?: (staff: string, now: Date) => Promise<string | undefined>;
}

/** Longest broadcast text accepted (Telegram's limit for one message). */
export const MAX_BROADCAST_LENGTH = 4096;

/** Longest publicity title kept. */
const MAX_TITLE_LENGTH = 200;

/** How to announce a publicity, with its length from the award rules file. */
const publicityUsage = () => `用法：/publicity 开始日期 [标题]，例如 /publicity 2026-01-05 2025年度拟获奖企业名单公示。公示期为${reminderWords().publicityDays}天（含首日）。`;
const BROADCAST_USAGE = '用法：/broadcast 内容，或 /broadcast --tag 水口镇 内容（只发给带该标签的订阅者）。';

/** Splits "--tag 水口镇 text" or "--tag=水口镇 text" into the tag and the verbatim text. */
export function parseBroadcastArgs(args: string): { tag?: string; text: string } {
  const m = /^--tag(?:=|\s+)(\S+)(?:\s+|$)/.exec(args);
  if (!m) return { text: args };
  return { tag: m[1], text: args.slice(m[0].length) };
}

/** Builds the staff handler; `hooks.onEnqueued` is told when messages were queued. */
export function createStaffHandler(store: SchedulingStore, hooks: StaffHooks = {}): Handler {
  async function consoleLink(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const url = await hooks.consoleLink?.(`${ctx.msg.channel}:${ctx.msg.user}`, ctx.now);
    if (!url) return reply(ctx, '网页控制台没有开启（启动时设置 WEB_PORT 即可开启）。', { error: 'console_off' });
    return reply(ctx, `网页控制台登录链接（10分钟内有效，只能使用一次，请勿转发）：\n${url}`, { console_link: { expiresInMinutes: 10 } });
  }

  async function publicity(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const args = rawArgs(ctx.msg.text);
    const first = /^(\S+)\s*([\s\S]*)$/.exec(args);
    if (!first) return reply(ctx, publicityUsage(), { error: 'usage' });
    const parsed = parseDay(first[1]);
    if (!('day' in parsed)) return reply(ctx, `${dateRefusal(parsed.raw, parsed.problem)}\n${publicityUsage()}`, { error: 'invalid_date' });
    const starts = parsed.day;
    // Without a title, the award rules file's publicity title; when there is none to choose, staff are asked for one.
    const title = (first[2].trim() || defaultPublicityTitle() || '').slice(0, MAX_TITLE_LENGTH);
    if (!title) return reply(ctx, `请在开始日期后写上公示标题（已收录的奖项规则没有指定唯一的默认标题）。\n${publicityUsage()}`, { error: 'title_required' });
    const ends = publicityEnds(starts);
    const today = localDay(ctx.now);
    if (ends < today) {
      return reply(ctx, `按此日期，公示期（${formatDayZh(starts)}至${formatDayZh(ends)}）已经结束，未发布。请检查日期。`, { error: 'invalid_date' });
    }
    const p = { title, starts, ends };
    const result = await store.addPublicity(
      { ...p, createdBy: `${ctx.msg.channel}:${ctx.msg.chat}:${ctx.msg.user}`, nextReminderOn: firstReminderOn(publicityStages(ends)) },
      { text: publicityStartText(p, today), data: publicityData('publicity_start', ends) },
      ctx.now,
    );
    const data = { publicity: { id: result.publicity.id, title, starts, ends, recipients: result.recipients, created: result.created } };
    if (!result.created) {
      return reply(ctx, `${formatDayZh(starts)}至${formatDayZh(ends)}的公示已经发布过了（#${result.publicity.id}“${echo(result.publicity.title)}”），同一公示期不会重复发布和通知。`, data);
    }
    if (result.recipients > 0) hooks.onEnqueued?.();
    return reply(
      ctx,
      `已发布公示“${title}”：${formatDayZh(starts)}至${formatDayZh(ends)}，共${daysBetween(starts, ends) + 1}天。` +
        `已向${result.recipients}位订阅者发送公示通知；公示最后三天内和结束次日会再各提醒一次。`,
      data,
    );
  }

  async function broadcast(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const parsed = parseBroadcastArgs(rawArgs(ctx.msg.text));
    if (!parsed.text) return reply(ctx, BROADCAST_USAGE, { error: 'usage' });
    if (parsed.text.length > MAX_BROADCAST_LENGTH) {
      return reply(ctx, `广播内容过长（${parsed.text.length} 字），请控制在 ${MAX_BROADCAST_LENGTH} 字以内。`, { error: 'too_long' });
    }
    const tag = parsed.tag === undefined ? undefined : normalizeTag(parsed.tag) || undefined;
    const { id, recipients } = await store.createBroadcast({ senderChannel: ctx.msg.channel, senderChat: ctx.msg.chat, text: parsed.text, tag }, ctx.now);
    if (recipients === 0) {
      const stats = await store.getBroadcast(id);
      if (stats) return reply(ctx, broadcastReportText(stats), broadcastReportData(stats));
    }
    hooks.onEnqueued?.();
    const audience = tag ? `标签“${tag}”的${recipients}位订阅者` : `${recipients}位订阅者`;
    return reply(ctx, `广播 #${id} 已排队，将按平台限速发送给${audience}。全部处理完后会发来送达报告；也可发送 /broadcasts ${id} 查看进度。`, {
      broadcast_queued: { id, recipients, tag: tag ?? null },
    });
  }

  async function broadcasts(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const id = ctx.args.trim().replace(/^[#＃]/, '');
    if (id) {
      const b = await store.getBroadcast(id);
      if (!b) return reply(ctx, `没有找到广播 #${echo(id, 20)}。`, { error: 'not_found' });
      return reply(ctx, `${line(b)}\n内容：${b.text}`, broadcastReportData(b));
    }
    const list = await store.listBroadcasts(10);
    if (list.length === 0) return reply(ctx, '还没有发过广播。', { broadcasts: [] });
    return reply(ctx, `最近的广播：\n${list.map(line).join('\n')}`, { broadcasts: list.map((b) => broadcastReportData(b).broadcast_report) });
  }

  /** Anyone may ask for their ID, on every channel, to be put on the staff list. */
  function myId(ctx: HandlerContext): OutgoingMessage[] {
    const { channel, user, chat } = ctx.msg;
    const setting = ADMIN_SETTING[channel];
    const how = ctx.isStaff ? '您已是工作人员，可以使用 /broadcast、/publicity 和 /console。' : setting ? `如需使用工作人员功能，请管理员把这个 ID 加入 ${setting}。` : '';
    return reply(ctx, `您的用户 ID：${user || '（无）'}\n本会话 ID：${chat}${how ? `\n${how}` : ''}`, { myid: { channel, user, chat, staff: ctx.isStaff } });
  }

  return {
    name: 'staff',
    async handle(ctx) {
      if (ctx.command === '/myid') return myId(ctx);
      if (!ctx.command || !STAFF_COMMANDS.includes(ctx.command)) return undefined;
      if (!ctx.isStaff) return forbidden(ctx);
      if (ctx.command === '/publicity') return publicity(ctx);
      if (ctx.command === '/broadcast') return broadcast(ctx);
      if (ctx.command === '/console') return consoleLink(ctx);
      return broadcasts(ctx);
    },
  };
}

function line(b: BroadcastStats): string {
  const audience = b.tag ? `标签“${b.tag}”` : '全部';
  return `#${b.id}（${audience}，${b.recipients} 位）：已送达 ${b.delivered}，失败 ${b.failed}，待发送 ${b.pending}${b.cancelled ? `，已取消 ${b.cancelled}` : ''}`;
}
