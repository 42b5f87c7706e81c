/** Registering, listing and removing an enterprise's excellence award for expiry reminders (/award, /awards, or in words). */
import type { Handler, HandlerContext } from '../handler.ts';
import type { OutgoingMessage } from '../types.ts';
import type { AwardRecord, SchedulingStore } from '../../storage/store.ts';
import { reply } from '../../scheduling/commands.ts';
import { dateRefusal, daysBetween, findDate, formatDayZh, localDay } from '../../scheduling/dates.ts';
import { AWARD_WARNING_DAYS, awardExpires, awardStages, firstReminderOn } from '../../scheduling/reminders.ts';
import { reminderWords, type ReminderWords } from '../../scheduling/award-words.ts';

/** Removing a registration: "删除奖项 12", "移除获奖记录 #3". */
const REMOVE_WORDS = /(?:删除|删掉|移除|去掉|取消)\s*(?:这个|该|第)?\s*(?:获奖|奖项|奖|登记|到期提醒|记录)[^\d#＃]{0,8}[#＃]?\s*(\d+)/;

/** Removing without saying which. */
const REMOVE_NO_ID = /(?:删除|删掉|移除|去掉)\s*(?:这个|该)?\s*(?:获奖|奖项|获奖记录|获奖登记|登记的奖)/;

/** Listing registrations. */
const LIST_WORDS =
  /获奖记录|获奖登记|登记的奖|登记过(?:哪些|什么|的)?奖|我的奖项|我的获奖|我(?:记录|录入|登记)的奖|获奖列表|录了几个奖|查看(?:到期)?提醒|我的(?:到期)?提醒|list my awards|my awards|show my reminders/i;

/** Asking to add a registration, which also mentions 获奖记录. */
const ADD_WORDS = /添加|新增|录入|登记一下|帮我登记|记一下|记下|\badd\b|\brecord\b/i;

/** A statement that an award was received. */
const AWARD_CUE = /奖|\baward\b/i;
const RECEIVED_WORDS = /获得|获了|获的|获奖|荣获|拿了|拿的|拿到|拿过|得了|得的|得奖|拿奖|评上|评为|获评|登记|记录|录入|记一下|记下|\b(?:won|got|received|record)\b/i;

/** Whether a text names one of `words` (case-insensitive). */
function namesAny(text: string, words: readonly string[]): boolean {
  const t = text.toLowerCase();
  return words.some((w) => t.includes(w.toLowerCase()));
}

/** A receipt of another award (its rules file's `registration.otherAwards`), with the registered award not named. */
function otherAward(text: string, w: ReminderWords): boolean {
  return namesAny(text, w.otherAwards) && !namesAny(text, w.names);
}

/** Questions about the award rather than statements about one's own. */
const QUESTION = /什么|怎么|如何|多少|哪些|能不能|可不可以|是否|条件|要求|\?|？|吗/;
const FIRST_PERSON = /我们|我司|我公司|本公司|我厂|我单位|咱们|我|\bwe\b|\bour\b/i;

/** How to register, with the award's short name in the example. */
const registerHelp = (w: ReminderWords) => `请告诉我具体的获奖日期（年月日），例如发送 /award 2024-03-01，或说“我们2024年3月1日获得了${w.shortName}”。`;

/** The reply when no rules file describes registrations (none, or several, have a `registration` block). */
const NO_REGISTRATION = '抱歉，目前没有可以登记到期提醒的奖项（奖项规则文件中没有设置获奖有效期）。请联系工作人员。';

/** Builds the award handler. */
export function createAwardHandler(store: SchedulingStore): Handler {
  async function register(ctx: HandlerContext, awardedOn: string): Promise<OutgoingMessage[]> {
    const w = reminderWords();
    if (w.validityYears === undefined) return reply(ctx, NO_REGISTRATION, { error: 'no_registration' });
    const today = localDay(ctx.now);
    if (awardedOn > today) {
      return reply(ctx, `获奖日期 ${formatDayZh(awardedOn)} 晚于今天，请检查后重新发送，例如 /award 2024-03-01。`, { error: 'invalid_date' });
    }
    const expires = awardExpires(awardedOn, w.validityYears);
    const stages = awardStages(expires);
    const { award, created } = await store.addAward(
      { channel: ctx.msg.channel, chat: ctx.msg.chat, awardedOn, expires, nextReminderOn: firstReminderOn(stages) },
      ctx.now,
    );
    const data = { award: { id: award.id, awardedOn: award.awardedOn, expires: award.expires, created } };
    if (!created) {
      return reply(ctx, `这个获奖日期已经登记过了（编号 #${award.id}，有效期至${formatDayZh(award.expires)}）。发送 /awards 查看全部登记。`, data);
    }
    const left = daysBetween(today, expires);
    const basis = w.validityBasis ? `（${w.rulesTitle}${w.validityBasis}）` : '';
    const head = `已登记：贵单位于${formatDayZh(awardedOn)}获得的${w.awardName}（编号 #${award.id}），有效期至${formatDayZh(expires)}${basis}。`;
    let plan: string;
    if (left < 0) {
      plan = `该奖项已于${formatDayZh(expires)}期满，${w.reapplyLapsed}；稍后会再发一条到期提醒。`;
    } else {
      const future = stages.filter((s) => s.dueOn > today);
      const overdue = stages.some((s) => s.dueOn <= today);
      const when = future.map((s) => formatDayZh(s.dueOn)).join('、');
      plan =
        `距到期还有${left}天。到期前${AWARD_WARNING_DAYS.join('、')}天和到期次日会各提醒一次，说明如何重新申报` +
        (when ? `（接下来的提醒：${when}）` : '') +
        (overdue ? '；已过的提醒时间点中最近的一次会尽快补发' : '') +
        '。';
    }
    return reply(ctx, `${head}\n${plan}\n发送 /awards 查看登记，/awards remove ${award.id} 删除。`, data);
  }

  async function list(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const awards = await store.listAwards(ctx.msg.channel, ctx.msg.chat);
    const data = { awards: awards.map((a) => ({ id: a.id, awardedOn: a.awardedOn, expires: a.expires })) };
    if (awards.length === 0) return reply(ctx, `您还没有登记获奖记录。${registerHelp(reminderWords())}`, data);
    const today = localDay(ctx.now);
    const lines = awards.map((a) => `#${a.id}  获奖日期 ${formatDayZh(a.awardedOn)}，有效期至 ${formatDayZh(a.expires)}（${status(a, today)}）`);
    return reply(ctx, `您登记的获奖记录：\n${lines.join('\n')}\n删除某条请发送 /awards remove 编号，例如 /awards remove ${awards[0].id}。`, data);
  }

  async function remove(ctx: HandlerContext, id: number): Promise<OutgoingMessage[]> {
    const ok = await store.removeAward(ctx.msg.channel, ctx.msg.chat, id);
    if (!ok) return reply(ctx, `没有找到编号为 #${id} 的获奖登记。发送 /awards 查看您的登记。`, { error: 'not_found' });
    return reply(ctx, `已删除获奖登记 #${id}，不会再收到它的到期提醒。`, { award_removed: { id } });
  }

  async function command(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const args = ctx.args.trim();
    const rm = /^(?:remove|delete|rm|del|删除|移除)\s*[#＃]?\s*(\S*)/i.exec(args);
    if (rm) {
      if (/^\d+$/.test(rm[1])) return remove(ctx, Number(rm[1]));
      return reply(ctx, '请给出要删除的编号，例如 /awards remove 3；发送 /awards 查看编号。', { error: 'invalid_id' });
    }
    if (args === '') {
      return ctx.command === '/awards' ? list(ctx) : reply(ctx, `${registerHelp(reminderWords())}发送 /awards 查看已登记的奖项。`);
    }
    if (/^(?:list|ls|列表|查看)$/i.test(args)) return list(ctx);
    const found = findDate(args);
    if (!found) return reply(ctx, `没有看懂这个日期。${registerHelp(reminderWords())}`, { error: 'invalid_date' });
    if (!found.day) return reply(ctx, dateRefusal(found.raw, found.problem ?? 'nonexistent', '2024-03-01'), { error: 'invalid_date' });
    return register(ctx, found.day);
  }

  return {
    name: 'award',
    async handle(ctx) {
      if (ctx.command === '/award' || ctx.command === '/awards') return command(ctx);
      if (ctx.command) return undefined;
      const text = ctx.text;
      if (!text) return undefined;
      const rm = REMOVE_WORDS.exec(text);
      if (rm) return remove(ctx, Number(rm[1]));
      if (REMOVE_NO_ID.test(text)) return list(ctx);
      const adding = ADD_WORDS.test(text) || findDate(text) !== undefined;
      if (!adding && LIST_WORDS.test(text)) return list(ctx);
      if (!adding && ctx.intent.intent === 'award_list' && ctx.intent.confidence >= 0.6 && /奖|提醒|登记|award|remind/i.test(text) && !/条件|多少钱|奖励|金额/.test(text)) {
        return list(ctx);
      }
      if (!AWARD_CUE.test(text) || otherAward(text, reminderWords())) return undefined;
      const received = RECEIVED_WORDS.test(text);
      const registerIntent = ctx.intent.intent === 'award_register' && ctx.intent.confidence >= 0.5;
      if (!received && !registerIntent) return undefined;
      const found = findDate(text);
      const question = QUESTION.test(text);
      if (found && received && (!question || FIRST_PERSON.test(text))) {
        if (!found.day) return reply(ctx, dateRefusal(found.raw, found.problem ?? 'nonexistent', '2024-03-01'), { error: 'invalid_date' });
        return register(ctx, found.day);
      }
      if (!found && received && !question && (FIRST_PERSON.test(text) || registerIntent)) {
        return reply(ctx, `可以为您登记获奖信息并在到期前提醒。${registerHelp(reminderWords())}`, { need: 'award_date' });
      }
      return undefined;
    },
  };
}

function status(a: AwardRecord, today: string): string {
  const left = daysBetween(today, a.expires);
  if (left < 0) return `已于${formatDayZh(a.expires)}期满，可重新申报`;
  if (left === 0) return '今天是有效期最后一天';
  return `还有${left}天到期`;
}
