/**
 * End to end on WeChat: the real core (knowledge, SQLite store, handlers, delivery service) behind the real
 * WechatChannel, driven by wechaty over wechaty-puppet-mock. Mock contacts and a mock room talk to the bot account;
 * assertions are on what they receive from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatyBuilder } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { pino } from 'pino';
import { WechatChannel } from '../../src/channels/wechat-channel.ts';
import { isNumericSlot, precheckQuestion, type Slot } from '../../src/dialogue/precheck-slots.ts';
import { clockFrom, RealCore, sleep, waitFor } from './real-core.ts';

type ContactMock = ReturnType<mock.Mocker['createContact']>;
type RoomMock = ReturnType<mock.Mocker['createRoom']>;

const silent = pino({ level: 'silent' });
/** The bot's clock for this file: a fixed day (every message is stamped from it), so no expectation depends on today. */
const clock = clockFrom('2026-06-01T10:00:00+08:00');
const NUMBERED_YES_NO = '\n\n回复 1 表示 是，回复 2 表示 否';

describe('WeChat end to end: wechaty + wechaty-puppet-mock + the real core', () => {
  let mocker: mock.Mocker;
  let core: RealCore;
  let channel: WechatChannel;
  let botUser: ContactMock;
  let alice: ContactMock;
  let bob: ContactMock;
  let carol: ContactMock;
  let dave: ContactMock;
  let room: RoomMock;
  const inbox = new Map<string, string[]>();

  /** Records what the bot account says to a contact or in a room. */
  const listen = (target: ContactMock | RoomMock) => {
    inbox.set(target.id, []);
    (target as unknown as NodeJS.EventEmitter).on('message', (m: { payload: { talkerId?: string; text?: string } }) => {
      if (m.payload.talkerId === botUser.id) inbox.get(target.id)!.push(m.payload.text ?? '');
    });
  };
  const seen = (id: string) => inbox.get(id) ?? [];
  const waitSeen = (id: string, n: number, timeoutMs = 10_000) => waitFor(() => (seen(id).length >= n ? seen(id) : undefined), timeoutMs, `${n} bot messages to ${id}`);
  const incomingTexts = (chat: string) => core.incoming.filter((m) => m.chat === chat).map((m) => m.text);

  beforeAll(async () => {
    mocker = new mock.Mocker();
    const puppet = new PuppetMock({ mocker });
    const wechaty = WechatyBuilder.build({ puppet });
    core = await RealCore.open({ wechat: [] }, clock);
    channel = new WechatChannel({ wechaty, logger: silent, minSendIntervalMs: 300, dedupe: core.dedupe('wechat') });
    core.deliver([channel]);
    await channel.start(core.handlerFor(channel));
    botUser = mocker.createContact({ name: '政策助手' });
    alice = mocker.createContact({ name: '陈老板' });
    bob = mocker.createContact({ name: '李经理' });
    carol = mocker.createContact({ name: '王会计' });
    dave = mocker.createContact({ name: '周厂长' });
    room = mocker.createRoom({ topic: '开平水暖协会', memberIdList: [botUser.id, alice.id, bob.id, carol.id] });
    for (const t of [alice, bob, carol, dave, room]) listen(t);
    const loggedIn = new Promise((resolve) => wechaty.once('login', resolve));
    mocker.login(botUser);
    await loggedIn;
  });

  afterAll(async () => {
    await channel?.stop();
    await core?.close();
  });

  it('answers a private question with a cited answer', async () => {
    alice.say('优秀奖的有效期是几年').to(botUser);
    const [answer] = await waitSeen(alice.id, 1);
    expect(answer).toContain('有效期为3年');
    expect(answer).toContain('依据：《开平市水暖卫浴产品质量优秀奖评审管理办法》第九条');
    expect(core.incoming.find((m) => m.chat === alice.id)).toMatchObject({ channel: 'wechat', chat: alice.id, user: alice.id, text: '优秀奖的有效期是几年' });
  });

  it('in a room, answers an @-mention and ignores a message without one', async () => {
    bob.say('大家好，下午两点开会').to(room);
    bob.say('@政策助手 优秀奖奖金多少', [botUser]).to(room);
    const [answer] = await waitSeen(room.id, 1);
    expect(answer).toContain('3000');
    expect(answer).toContain('第七条');
    await sleep(500);
    expect(seen(room.id)).toHaveLength(1);
    expect(seen(bob.id)).toHaveLength(0);
    // The core saw only the mention, without the "@政策助手".
    expect(core.incoming.filter((m) => m.chat === room.id).map((m) => [m.user, m.text])).toEqual([[bob.id, '优秀奖奖金多少']]);
  });

  it('in a room, keeps each member\'s own topic: a follow-up is answered about what that member asked', async () => {
    const before = seen(room.id).length;
    carol.say('@政策助手 汕头的质量行动计划谁牵头', [botUser]).to(room);
    await waitSeen(room.id, before + 1);
    bob.say('@政策助手 那公示几天？', [botUser]).to(room);
    const replies = await waitSeen(room.id, before + 2);
    // Bob asked about the Kaiping award before; Carol's question about Shantou in between is hers alone.
    expect(replies[before + 1]).toMatch(/10\s*天/);
    expect(replies[before + 1]).toContain('开平市水暖卫浴产品质量优秀奖评审管理办法');
    expect(core.incoming.filter((m) => m.chat === room.id).map((m) => m.thread)).toEqual([bob.id, carol.id, bob.id]);
  });

  it('runs a pre-check with numbered answers (回复 1/2) and typed numbers up to the verdict', async () => {
    const plan: [Slot, string][] = [
      ['plumbingProducts', '是'],
      ['registeredInKaiping', '是'],
      ['yearsRegistered', '5年'],
      ['independentLegalPerson', '是'],
      ['taxCertificate', '是'],
      ['compliant', '是'],
      ['spotCheckPasses', '4次'],
      ['spotCheckFailed', '否'],
      ['complaintsOrPenalties', '否'],
    ];
    carol.say('/precheck').to(botUser);
    for (const [i, [slot, answer]] of plan.entries()) {
      const question = (await waitSeen(carol.id, i + 1))[i];
      expect(question).toContain(`（第${i + 1}项，共9项）${precheckQuestion(slot)}`);
      if (isNumericSlot(slot)) {
        expect(question).not.toContain('回复 1');
        carol.say(answer).to(botUser);
      } else {
        expect(question.endsWith(NUMBERED_YES_NO), `${slot} offers numbered choices`).toBe(true);
        carol.say(answer === '是' ? '1' : '2').to(botUser);
      }
    }
    const verdict = (await waitSeen(carol.id, plan.length + 1))[plan.length];
    expect(verdict).toContain('预检结论：根据您的回答，贵企业初步符合申报条件');
    expect(verdict).toContain('3000元 × 4次 = 12000元');
    expect(verdict).toContain('第五条');
    expect(verdict).not.toContain('回复 1');
    // The numbers reached the core as the choices they stand for.
    expect(incomingTexts(carol.id)).toEqual(['/precheck', ...plan.map(([, a]) => a)]);
    expect(seen(carol.id)).toHaveLength(plan.length + 1);
  });

  it('delivers an award reminder 90 days before expiry, exactly once even when runDue runs twice at that instant', async () => {
    dave.say('/award 2024-03-01').to(botUser);
    const [registered] = await waitSeen(dave.id, 1);
    expect(registered).toContain('已登记：贵单位于2024年3月1日获得的开平市水暖卫浴产品质量优秀奖');
    expect(registered).toContain('有效期至2027年2月28日');
    expect(registered).toContain('2026年11月30日');

    const at = new Date('2026-11-30T10:00:00+08:00'); // 90 days before 2027-02-28
    await Promise.all([core.delivery.runDue(at), core.delivery.runDue(at)]);
    await core.delivery.runDue(at);
    await sleep(500);
    const reminders = seen(dave.id).filter((t) => t.startsWith('【优秀奖到期提醒】'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toContain('贵单位于2024年3月1日获得的开平市水暖卫浴产品质量优秀奖有效期至2027年2月28日，还有90天到期');
    expect(seen(dave.id)).toHaveLength(2);
    // Nobody else was reminded.
    for (const c of [alice, bob, carol]) expect(seen(c.id).some((t) => t.startsWith('【优秀奖'))).toBe(false);
  });
});
