/** The WeChat channel driven by wechaty over wechaty-puppet-mock: private chats, @-mentions in rooms, numbered choices, reminders and logout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatyBuilder } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { pino } from 'pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WechatChannel } from '../../src/channels/wechat-channel.ts';
import { DeliveryService } from '../../src/scheduling/delivery-service.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { PermanentSendError, TemporarySendError, type MessageHandler } from '../../src/core/channel.ts';
import type { IncomingMessage, OutgoingMessage } from '../../src/core/types.ts';
import { waitFor } from '../helpers/wait.ts';

type ContactMock = ReturnType<mock.Mocker['createContact']>;
type RoomMock = ReturnType<mock.Mocker['createRoom']>;
/** What a mock contact or room saw: a message from the bot. */
interface Seen {
  text: string;
  at: number;
}

const silent = pino({ level: 'silent' });
const BROADCAST_GAP_MS = 300;

/** A tiny stand-in for the core: a two-question pre-check with choices, and policy-like answers otherwise. */
function makeTestHandler(send: (m: OutgoingMessage) => Promise<void>, log: IncomingMessage[]): MessageHandler {
  const step = new Map<string, number>();
  const yesNo = [
    { label: '是', value: 'yes' },
    { label: '否', value: 'no' },
  ];
  return async (msg) => {
    log.push(msg);
    const chat = msg.chat;
    let replies: OutgoingMessage[];
    if (msg.text === '/precheck') {
      step.set(chat, 1);
      replies = [{ chat, text: '问题 1/2：贵企业是否在开平市注册？', choices: yesNo }];
    } else if (step.get(chat) === 1 && (msg.text === 'yes' || msg.text === 'no')) {
      step.set(chat, 2);
      replies = [{ chat, text: '问题 2/2：近三年是否有抽检不合格记录？', choices: yesNo }];
    } else if (step.get(chat) === 2 && (msg.text === 'yes' || msg.text === 'no')) {
      step.delete(chat);
      replies = [{ chat, text: `预检结果：${msg.text === 'no' ? '符合' : '不符合'}申报条件。` }];
    } else if (msg.text === 'slow') {
      await new Promise((r) => setTimeout(r, 600));
      replies = [{ chat, text: '慢回复完成' }];
    } else {
      replies = [{ chat, text: `您问：${msg.text}\n答：公示期为 10 个自然日（工作方案（十）2）。` }];
    }
    for (const r of replies) await send(r);
    return replies;
  };
}

describe('WechatChannel with wechaty and wechaty-puppet-mock', () => {
  let mocker: mock.Mocker;
  let puppet: PuppetMock;
  let channel: WechatChannel;
  let botUser: ContactMock;
  let alice: ContactMock;
  let bob: ContactMock;
  let carol: ContactMock;
  let room: RoomMock;
  const received: IncomingMessage[] = [];
  const inbox = new Map<string, Seen[]>();

  /** Records what the bot says to a contact or in a room. */
  const listen = (target: ContactMock | RoomMock) => {
    inbox.set(target.id, []);
    (target as unknown as NodeJS.EventEmitter).on('message', (m: { payload: { talkerId?: string; text?: string } }) => {
      if (m.payload.talkerId === botUser.id) inbox.get(target.id)!.push({ text: m.payload.text ?? '', at: Date.now() });
    });
  };
  const seen = (id: string) => inbox.get(id) ?? [];
  const waitSeen = (id: string, n: number) => waitFor(() => (seen(id).length >= n ? seen(id) : undefined), 10_000, `${n} bot messages to ${id}`);

  beforeAll(async () => {
    mocker = new mock.Mocker();
    puppet = new PuppetMock({ mocker });
    const wechaty = WechatyBuilder.build({ puppet });
    channel = new WechatChannel({ wechaty, logger: silent, minSendIntervalMs: BROADCAST_GAP_MS, adminIds: ['staff-1'] });
    await channel.start(makeTestHandler((m) => channel.send(m), received));
    botUser = mocker.createContact({ name: '政策助手' });
    alice = mocker.createContact({ name: '陈老板' });
    bob = mocker.createContact({ name: '李经理' });
    carol = mocker.createContact({ name: '王会计' });
    room = mocker.createRoom({ topic: '开平水暖协会', memberIdList: [botUser.id, alice.id, bob.id, carol.id] });
    for (const t of [alice, bob, carol, room]) listen(t);
    const loggedIn = new Promise((resolve) => wechaty.once('login', resolve));
    mocker.login(botUser);
    await loggedIn;
  });

  afterAll(async () => {
    await channel?.stop();
  });

  it('answers a question in a private chat', async () => {
    alice.say('公示期多久？').to(botUser);
    const [reply] = await waitSeen(alice.id, 1);
    expect(reply.text).toContain('公示期为 10 个自然日');
    expect(received.find((m) => m.chat === alice.id)).toMatchObject({ channel: 'wechat', chat: alice.id, user: alice.id, text: '公示期多久？' });
  });

  it('in a room, answers only when @-mentioned, without the mention', async () => {
    bob.say('大家好，下午开会').to(room);
    bob.say('@政策助手 优秀奖奖金多少', [botUser]).to(room);
    await waitSeen(room.id, 1);
    carol.say('@政策助手\u2005公示在哪里看').to(room); // typed mention without a mention list
    await waitSeen(room.id, 2);
    const inRoom = received.filter((m) => m.chat === room.id);
    expect(inRoom.map((m) => [m.user, m.text])).toEqual([
      [bob.id, '优秀奖奖金多少'],
      [carol.id, '公示在哪里看'],
    ]);
    expect(seen(room.id)[0].text).toContain('优秀奖奖金多少');
  });

  it('runs a pre-check with numbered answers (回复 1/2) mapped back to choice values', async () => {
    const before = received.filter((m) => m.chat === carol.id).length;
    carol.say('/precheck').to(botUser);
    const [q1] = await waitSeen(carol.id, 1);
    expect(q1.text).toBe('问题 1/2：贵企业是否在开平市注册？\n\n回复 1 表示 是，回复 2 表示 否');
    carol.say('1').to(botUser);
    const [, q2] = await waitSeen(carol.id, 2);
    expect(q2.text).toContain('问题 2/2');
    carol.say('２').to(botUser); // full-width digit
    const [, , verdict] = await waitSeen(carol.id, 3);
    expect(verdict.text).toBe('预检结果：符合申报条件。');
    // after a plain reply, a bare number is passed through unchanged
    carol.say('1').to(botUser);
    await waitSeen(carol.id, 4);
    expect(received.filter((m) => m.chat === carol.id).slice(before).map((m) => m.text)).toEqual(['/precheck', 'yes', 'no', '1']);
  });

  it('delivers a reminder sent through send()', async () => {
    const n = seen(bob.id).length;
    await channel.send({
      chat: bob.id,
      text: '提醒：贵企业的优秀奖将于 2027-02-28 到期，如需继续享受，请在到期前重新申报。',
      data: { reminder: { kind: 'award_expiring', expires: '2027-02-28' } },
    });
    const list = await waitSeen(bob.id, n + 1);
    expect(list[n].text).toContain('2027-02-28 到期');
    await channel.send({ chat: room.id, text: '通知：公示期自 2026-01-05 起，至 2026-01-14 止。', data: { broadcast: { id: 'b-9' } } });
    const inRoom = await waitSeen(room.id, 3);
    expect(inRoom[2].text).toContain('公示期自 2026-01-05 起');
  });

  it('has its broadcasts paced at minSendIntervalMs by the outbox, and replies sent without that wait', async () => {
    const targets = [alice, bob, carol];
    const counts = targets.map((t) => seen(t.id).length);
    const store = await SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'wechat-pace-')), 'pace.db'));
    try {
      for (const t of targets) {
        await store.enqueue({ key: `b-10:${t.id}`, kind: 'broadcast', channel: 'wechat', chat: t.id, text: '群发通知：下月开始申报。', data: { broadcast: { id: 'b-10' } }, dueAt: 0 }, new Date());
      }
      const delivery = new DeliveryService(store, new Map([['wechat', channel]]), { journalPath: false });
      await delivery.runDue(new Date());
      await delivery.stop();
    } finally {
      await store.close();
    }
    const times = targets.map((t, i) => seen(t.id)[counts[i]].at).sort((a, b) => a - b);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(BROADCAST_GAP_MS - 50);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(BROADCAST_GAP_MS - 50);
  });

  it('refuses an unknown contact permanently', async () => {
    await expect(channel.send({ chat: 'no-such-contact', text: 'x' })).rejects.toBeInstanceOf(PermanentSendError);
  });

  it('throws TemporarySendError while logged out, and sends again after login', async () => {
    const loggedOut = new Promise((resolve) => channel.wechaty.once('logout', resolve));
    await puppet.logout('test');
    await loggedOut;
    expect(channel.loggedIn).toBe(false);
    const err = await channel.send({ chat: alice.id, text: '掉线期间的提醒', data: { reminder: { kind: 'publicity_ending', ends: '2026-01-14' } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporarySendError);
    expect(seen(alice.id).some((m) => m.text === '掉线期间的提醒')).toBe(false);

    const loggedIn = new Promise((resolve) => channel.wechaty.once('login', resolve));
    mocker.login(botUser);
    await loggedIn;
    await channel.send({ chat: alice.id, text: '掉线期间的提醒', data: { reminder: { kind: 'publicity_ending', ends: '2026-01-14' } } });
    await waitFor(() => (seen(alice.id).some((m) => m.text === '掉线期间的提醒') ? true : undefined));
    expect(seen(alice.id).filter((m) => m.text === '掉线期间的提醒')).toHaveLength(1);
  });

  it('knows its staff by contact ID', () => {
    expect(channel.isStaff('staff-1')).toBe(true);
    expect(channel.isStaff(alice.id)).toBe(false);
  });

  it('stop() waits for the handler in flight and then refuses sends', async () => {
    const n = seen(bob.id).length;
    bob.say('slow').to(botUser);
    await waitFor(() => (received.some((m) => m.chat === bob.id && m.text === 'slow') ? true : undefined));
    await channel.stop();
    expect(seen(bob.id).slice(n).map((m) => m.text)).toEqual(['慢回复完成']);
    await expect(channel.send({ chat: bob.id, text: 'x' })).rejects.toBeInstanceOf(TemporarySendError);
  });
});
