import { describe, expect, it } from 'vitest';
import { Bot } from '../../src/core/bot.ts';
import type { OutgoingMessage } from '../../src/core/types.ts';
import { reviveChatState } from '../../src/dialogue/conversation.ts';
import { isLive, type Topic } from '../../src/dialogue/topic.ts';
import { TopicResolver } from '../../src/dialogue/topic-followup.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { tempDb } from '../helpers/chat.ts';
import { ASKED, knowledge, docIdOf } from '../helpers/knowledge.ts';

const minutes = (n: number) => new Date(ASKED.getTime() + n * 60_000);

/** One chat with the real bot over a real SQLite file; each message a minute after the last. */
async function chatWith(opts: { ttl?: number } = {}) {
  const store = await SqliteStore.open(tempDb());
  const bot = new Bot({ knowledge: knowledge(), store, staff: {}, topicTtlMinutes: opts.ttl });
  let t = 0;
  const say = async (text: string, at: Date = minutes(t++), chat = 'c1', thread?: string): Promise<OutgoingMessage[]> =>
    bot.handle({ channel: 'wechat', chat, user: thread ?? 'u1', text, at, ...(thread ? { thread } : {}) });
  return { say, store, close: () => store.close() };
}

const joined = (rs: OutgoingMessage[]) => rs.map((r) => r.text).join('\n');
/** A message's data, read loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const data = (m: OutgoingMessage | undefined): Record<string, any> => m?.data ?? {};

describe('a chat keeps its topic', () => {
  it('answers follow-ups that drop the subject about the topic award', async () => {
    const c = await chatWith();
    expect(joined(await c.say('开平优秀奖奖金多少'))).toContain('3000元');
    expect(joined(await c.say('那公示几天？'))).toMatch(/10\s*天/);
    const validity = await c.say('有效期几年');
    // The award's own validity (第九条), not the rules' five years.
    expect(joined(validity)).toContain('第九条');
    expect(validity[0].data?.topic).toMatchObject({ docs: [docIdOf('kaiping-award')], use: 'follow-up' });
    expect(joined(await c.say('那个办法哪年发的'))).toContain('2016年8月5日');
    await c.close();
  });

  it('asks the last question again for the place a "X呢" names, and says so when that document does not state it', async () => {
    const c = await chatWith();
    expect(joined(await c.say('江门2025年质量管理体系认证目标多少家'))).toContain('2800家');
    const zs = await c.say('中山呢？');
    expect(joined(zs)).toContain('中山市');
    expect(joined(zs)).not.toMatch(/收录\d份政策文件/); // never the list of Zhongshan's documents
    expect(zs[0].data?.topic).toMatchObject({ docs: [docIdOf('zhongshan')], use: 'what-about' });
    await c.close();
  });

  it('replaces the part a correction names and keeps the rest', async () => {
    const c = await chatWith();
    await c.say('江门2025年质量管理体系认证目标多少家');
    expect(joined(await c.say('我是说环境管理体系'))).toContain('1500家');
    const d = await chatWith();
    await d.say('汕头的质量行动计划什么时候印发的');
    const zs = await d.say('不是汕头，我问的是中山');
    expect(joined(zs)).toContain('2018年10月8日');
    expect(zs[0].data?.topic).toMatchObject({ docs: [docIdOf('zhongshan')], use: 'correction' });
    await c.close();
    await d.close();
  });

  it('lets a new subject win: the old topic never leaks into it', async () => {
    const c = await chatWith();
    await c.say('开平优秀奖奖金多少');
    const st = await c.say('汕头的质量行动计划谁牵头');
    expect(st[0].data?.topic).toMatchObject({ docs: [docIdOf('shantou')], use: 'own-subject' });
    expect(joined(st)).not.toContain('开平');
    await c.close();
  });

  it('takes "那纳税证明呢" after a question about conditions for a follow-up, not the start of a form', async () => {
    const c = await chatWith();
    await c.say('优秀奖申报需要什么条件');
    const r = await c.say('那纳税证明呢？');
    expect(r.some((m) => data(m).precheck)).toBe(false);
    expect(joined(r)).toContain('缴税证明');
    await c.close();
  });

  it('lets the topic lapse after the quiet period and on /cancel', async () => {
    const c = await chatWith({ ttl: 30 });
    await c.say('开平优秀奖奖金多少', minutes(0));
    const late = await c.say('那公示几天？', minutes(45));
    expect(data(late[0]).topic?.use ?? 'new').toBe('new');
    const d = await chatWith();
    await d.say('开平优秀奖奖金多少');
    expect(joined(await d.say('/cancel'))).toContain('话题已结束');
    const after = await d.say('有效期几年');
    expect(data(after[0]).topic?.use ?? 'new').toBe('new');
    await c.close();
    await d.close();
  });

  it('keeps one context per member of a group chat', async () => {
    const c = await chatWith();
    await c.say('开平优秀奖奖金多少', minutes(0), 'room@chatroom', 'alice');
    await c.say('汕头的质量行动计划谁牵头', minutes(1), 'room@chatroom', 'bob');
    const alice = await c.say('那公示几天？', minutes(2), 'room@chatroom', 'alice');
    expect(alice[0].data?.topic).toMatchObject({ docs: [docIdOf('kaiping-award')] });
    expect(joined(alice)).toMatch(/10\s*天/);
    await c.close();
  });

  it('gives the help reply to gibberish, never a form', async () => {
    const c = await chatWith();
    const r = await c.say('qwerty');
    expect(r.some((m) => data(m).precheck)).toBe(false);
    expect(joined(r)).toMatch(/没太明白|帮助/);
    await c.close();
  });
});

describe('questions in the middle of a pre-check', () => {
  it('answers money, validity and who about the award being checked, then repeats the form question', async () => {
    const c = await chatWith();
    const start = await c.say('我们想申请开平的水暖卫浴优秀奖，帮我预检一下');
    const asked = data(start.at(-1)).precheck?.ask;
    expect(asked).toBeTruthy();
    for (const [q, fact] of [['奖金是多少？', '3000元'], ['有效期几年啊', '3年'], ['材料交给哪个部门', '市场监管局']] as const) {
      const r = await c.say(q);
      expect(joined(r)).toContain(fact);
      expect(data(r.at(-1)).precheck?.ask).toBe(asked);
      expect(r.at(-1)?.text).toMatch(/^（预检继续）/);
    }
    await c.close();
  });

  it('explains the current question on "什么意思", answers a change of subject and waits, and reads an answer as an answer', async () => {
    const c = await chatWith();
    const start = await c.say('我们想申请开平的水暖卫浴优秀奖，帮我预检一下');
    const asked = data(start.at(-1)).precheck?.ask;
    const explain = await c.say('这个什么意思');
    expect(data(explain[0]).precheck?.explain).toBe(asked);
    expect(explain[0].text).toMatch(/依据：《/);
    const zs = await c.say('中山今年有什么质量补贴');
    expect(joined(zs)).toContain('中山');
    expect(data(zs.at(-1)).precheck?.ask).toBe(asked);
    const answered = await c.say('是的，在开平注册6年了，有独立法人');
    expect(data(answered.at(-1)).precheck?.ask).not.toBe(asked);
    expect(joined(answered)).not.toContain('没能看懂');
    await c.close();
  });
});

describe('the saved topic', () => {
  it('survives a reload of the chat state and lapses by its own clock', () => {
    const k = knowledge();
    const r = new TopicResolver(k);
    const a = r.answer({ question: '开平优秀奖奖金多少', use: 'new' }, undefined, ASKED);
    const topic = r.topicOf('开平优秀奖奖金多少', a, ASKED) as Topic;
    const revived = reviveChatState(JSON.parse(JSON.stringify({ v: 2, topic })));
    expect(revived.topic).toMatchObject({ subject: '开平优秀奖', docs: [docIdOf('kaiping-award')] });
    expect(revived.topic?.whole).toContain('第七条全文');
    expect(revived.topic?.frame?.type).toBe(topic.frame?.type);
    expect(isLive(revived.topic, minutes(29), 30)).toBe(true);
    expect(isLive(revived.topic, minutes(31), 30)).toBe(false);
    // A damaged topic is dropped; the rest of the state is kept.
    expect(reviveChatState({ v: 2, topic: { q: 1 }, lastAward: 'x' })).toEqual({ v: 2, lastAward: 'x' });
    // Version 1 state (no topic) reads as version 2.
    expect(reviveChatState({ v: 1, lastAward: 'x' })).toEqual({ v: 2, lastAward: 'x' });
  });
});
