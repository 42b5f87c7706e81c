/** Subscribing to and unsubscribing from notices, by command (/subscribe, /unsubscribe) or in words (订阅通知, 退订). */
import type { Handler, HandlerContext } from '../handler.ts';
import type { OutgoingMessage } from '../types.ts';
import type { SchedulingStore } from '../../storage/store.ts';
import { parseTags, reply, tagList } from '../../scheduling/commands.ts';

/** Words that stop notices; checked before the subscribe words because 取消订阅 contains 订阅. */
const UNSUBSCRIBE_WORDS =
  /退订|退定|取消订阅|关闭订阅|取消(?:消息)?(?:通知|推送|提醒)|不要?再(?:推送?|发|提醒|通知)|别再?(?:推送?|发|提醒)了?|关[闭掉](?:通知|提醒|推送)|停止(?:推送|通知|提醒)|不想(?:再)?收|不再接收|不需要(?:通知|推送|提醒)|取关|\bunsubscribe\b|\bstop (?:sending|notif)/i;

/** Words that ask for notices. */
const SUBSCRIBE_WORDS = /订阅|定阅|开启(?:消息)?提醒|开通(?:消息)?提醒|接收通知|加入通知|推送给我|\bsubscribe\b|notify me/i;

/** Asking about one's subscription rather than changing it. */
const STATUS_WORDS = /订阅了(?:吗|没)|有没有订阅|是否(?:已经?)?订阅|订阅状态|我的订阅/;

/** Asking how subscribing works rather than asking for it. */
const HOW_TO_WORDS = /怎么|如何|怎样|什么|哪些|多少|how\b/i;

/** Words that make a classifier guess of (un)subscribe plausible. */
const NOTICE_WORDS = /通知|提醒|推送|消息|公示|公告|告诉我|叫我|推给我|\bnotif|\bremind/i;

/** "订阅通知 水口镇 龙头" → the tags after the verb. */
const WORD_TAGS = /^(?:我要|我想|帮我|请)?(?:订阅|定阅)(?:通知|消息|提醒|推送)?[\s:：,，]+(.+)$/;

/** Help text about subscriptions. */
const HOW_TO =
  '发送 /subscribe 或“订阅通知”即可订阅公示、广播等通知；可以加标签只接收相关的定向通知，例如 /subscribe 水口镇 龙头。发送 /unsubscribe 或“退订”可随时取消。';

/** Builds the subscription handler. */
export function createSubscriptionHandler(store: SchedulingStore): Handler {
  async function subscribe(ctx: HandlerContext, tags: string[] | undefined): Promise<OutgoingMessage[]> {
    const { channel, chat } = ctx.msg;
    const before = await store.getSubscriber(channel, chat);
    const { subscriber, wasActive } = await store.subscribe(channel, chat, tags, ctx.now);
    const data = { subscription: { active: true, tags: subscriber.tags } };
    const tagText = subscriber.tags.length ? `（标签：${tagList(subscriber.tags)}，定向通知只发给带相应标签的订阅者）` : '';
    if (!wasActive) {
      return reply(ctx, `订阅成功！之后的公示通知、公示提醒和协会广播会发送到这里${tagText}。发送 /unsubscribe 或“退订”可随时取消。`, data);
    }
    const same = before !== undefined && JSON.stringify(before.tags) === JSON.stringify(subscriber.tags);
    if (same) {
      const hint = subscriber.tags.length ? '' : '如需按镇街或产品接收定向通知，可发送 /subscribe 加标签，例如 /subscribe 水口镇。';
      return reply(ctx, `您已经订阅了通知${tagText}，无需重复订阅。${hint}`, data);
    }
    return reply(ctx, `已更新订阅标签：${subscriber.tags.length ? tagList(subscriber.tags) : '无'}。`, data);
  }

  async function unsubscribe(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const was = await store.unsubscribe(ctx.msg.channel, ctx.msg.chat);
    const data = { subscription: { active: false, tags: [] } };
    if (!was) return reply(ctx, '您目前没有订阅通知，无需退订。如需订阅，发送 /subscribe 或“订阅通知”。', data);
    return reply(
      ctx,
      '已退订，之后不会再收到公示通知和协会广播。已登记的获奖到期提醒不受影响（发送 /awards 查看或删除）。如需恢复，发送 /subscribe 或“订阅通知”。',
      data,
    );
  }

  async function status(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const s = await store.getSubscriber(ctx.msg.channel, ctx.msg.chat);
    if (s?.active) {
      const tagText = s.tags.length ? `，标签：${tagList(s.tags)}` : '';
      return reply(ctx, `您已订阅通知${tagText}。发送 /unsubscribe 或“退订”可取消。`, { subscription: { active: true, tags: s.tags } });
    }
    return reply(ctx, `您目前没有订阅通知。${HOW_TO}`, { subscription: { active: false, tags: [] } });
  }

  return {
    name: 'subscription',
    async handle(ctx) {
      if (ctx.command === '/subscribe') return subscribe(ctx, ctx.args.trim() ? parseTags(ctx.args) : undefined);
      if (ctx.command === '/unsubscribe') return unsubscribe(ctx);
      if (ctx.command) return undefined;
      const text = ctx.text;
      if (!text) return undefined;
      const unsub = UNSUBSCRIBE_WORDS.test(text);
      const sub = !unsub && SUBSCRIBE_WORDS.test(text);
      if ((unsub || sub) && STATUS_WORDS.test(text)) return status(ctx);
      if ((unsub || sub) && HOW_TO_WORDS.test(text)) return reply(ctx, HOW_TO);
      if (unsub) return unsubscribe(ctx);
      if (sub) {
        const m = WORD_TAGS.exec(text);
        return subscribe(ctx, m ? parseTags(m[1]) : undefined);
      }
      // Only words decide above; the classifier is trusted alone when the text is clearly about notices.
      const { intent, confidence } = ctx.intent;
      if (confidence >= 0.6 && NOTICE_WORDS.test(text) && !HOW_TO_WORDS.test(text)) {
        if (intent === 'unsubscribe') return unsubscribe(ctx);
        if (intent === 'subscribe') return subscribe(ctx, undefined);
      }
      return undefined;
    },
  };
}
