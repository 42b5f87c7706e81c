/** The Telegram channel driven by grammY against telegram-test-api (a real Bot API emulator on loopback), through a loopback proxy for long polling and scripted errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramServer as TelegramServerType, StoredBotUpdate } from 'telegram-test-api/lib/telegramServer.js';
import { pino } from 'pino';
import { TelegramChannel } from '../../src/channels/telegram-channel.ts';
import { PermanentSendError, TemporarySendError, type MessageHandler } from '../../src/core/channel.ts';
import type { IncomingMessage, OutgoingMessage } from '../../src/core/types.ts';
import { BotApiProxy } from './bot-api-proxy.ts';
import { waitFor, freePort } from '../helpers/wait.ts';
import { startTelegramEmulator, type TelegramEmulator } from './telegram-emulator.ts';

const TOKEN = '700001:AAtest-token-for-the-polling-channel';
const silent = pino({ level: 'silent' });

/** A tiny stand-in for the core: a two-question pre-check with buttons, and policy-like answers otherwise. */
function makeTestHandler(send: (m: OutgoingMessage) => Promise<void>, log: IncomingMessage[]): MessageHandler {
  const step = new Map<string, number>();
  const yesNo = [
    { label: '是', value: '是' },
    { label: '否', value: '否' },
  ];
  return async (msg) => {
    log.push(msg);
    const chat = msg.chat;
    let replies: OutgoingMessage[];
    if (msg.text === '/precheck') {
      step.set(chat, 1);
      replies = [{ chat, text: '问题 1/2：贵企业是否在开平市注册？', choices: yesNo, data: { precheck: { ask: 'registeredInKaiping' } } }];
    } else if (step.get(chat) === 1 && (msg.text === '是' || msg.text === '否')) {
      step.set(chat, 2);
      replies = [{ chat, text: '问题 2/2：是否具有独立法人资格？', choices: yesNo, data: { precheck: { ask: 'independentLegalPerson' } } }];
    } else if (step.get(chat) === 2 && (msg.text === '是' || msg.text === '否')) {
      step.delete(chat);
      replies = [{ chat, text: `预检结果：${msg.text === '是' ? '符合' : '不符合'}申报条件（依据第五条）。`, data: { precheck: { eligible: msg.text === '是' } } }];
    } else if (msg.text === 'slow') {
      await new Promise((r) => setTimeout(r, 600));
      replies = [{ chat, text: '慢回复完成' }];
    } else {
      replies = [{ chat, text: `您问：${msg.text}\n答：优秀奖奖励 3000 元/次（《开平市水暖卫浴产品质量优秀奖评审管理办法》第七条）。` }];
    }
    for (const r of replies) await send(r);
    return replies;
  };
}

describe('TelegramChannel with grammY against telegram-test-api', () => {
  let server: TelegramServerType;
  let proxy: BotApiProxy;
  let emulator: TelegramEmulator | undefined;
  let channel: TelegramChannel;
  const received: IncomingMessage[] = [];
  const seenIds: number[] = [];
  const extraChannels: TelegramChannel[] = [];

  /** Bot messages stored by the emulator for one chat and token. */
  const botMessages = (chatId: number, token = TOKEN): StoredBotUpdate[] =>
    emulator!.botMessages(token, chatId);

  /** Waits until a chat has at least `n` bot messages and returns them. */
  const waitBotMessages = (chatId: number, n: number, token = TOKEN, timeoutMs = 10_000) =>
    waitFor(() => {
      const list = botMessages(chatId, token);
      return list.length >= n ? list : undefined;
    }, timeoutMs, `${n} bot messages in chat ${chatId}`);

  beforeAll(async () => {
    emulator = await startTelegramEmulator();
    ({ server, proxy } = emulator);
    const seen = new Set<number>();
    channel = new TelegramChannel({
      token: TOKEN,
      apiRoot: proxy.url,
      adminIds: ['9001'],
      logger: silent,
      dedupe: async (id) => {
        seenIds.push(id);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      },
    });
    await channel.start(makeTestHandler((m) => channel.send(m), received));
  });

  afterAll(async () => {
    for (const c of extraChannels) await c.stop();
    await channel?.stop();
    await emulator?.stop();
  });

  it('publishes the Chinese command menu at start', () => {
    const calls = proxy.callsOf('setMyCommands');
    expect(calls.length).toBeGreaterThanOrEqual(1);
    const commands = calls[0].body.commands as { command: string; description: string }[];
    expect(commands.map((c) => c.command)).toEqual(['precheck', 'subscribe', 'unsubscribe', 'award', 'awards', 'cancel', 'back', 'forget', 'help']);
    expect(commands.find((c) => c.command === 'precheck')?.description).toBe('奖项申报预检');
    // staff get their own menu in their private chat
    expect(calls.some((c) => (c.body.scope as { chat_id?: number } | undefined)?.chat_id === 9001)).toBe(true);
  });

  it('answers a policy question in a private chat', async () => {
    const client = server.getClient(TOKEN, { userId: 101, chatId: 101, firstName: '张三' });
    await client.sendMessage(client.makeMessage('优秀奖奖金多少？'));
    const [reply] = await waitBotMessages(101, 1);
    expect(reply.message.text).toContain('3000 元/次');
    expect(reply.message.text).toContain('第七条');
    expect(reply.message.parse_mode).toBe('HTML');
    const msg = received.find((m) => m.chat === '101');
    expect(msg).toMatchObject({ channel: 'telegram', chat: '101', user: '101', text: '优秀奖奖金多少？' });
    expect(Math.abs(msg!.at.getTime() - Date.now())).toBeLessThan(10_000);
  });

  it('runs a full pre-check with inline buttons answered through callback queries', async () => {
    const chatId = 102;
    const client = server.getClient(TOKEN, { userId: chatId, chatId });
    await client.sendCommand(client.makeCommand('/precheck'));
    const press = async (index: number, buttonIndex: number) => {
      const list = await waitBotMessages(chatId, index + 1);
      const question = list[index];
      const keyboard = (question.message.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
      const button = keyboard.flat()[buttonIndex];
      await client.sendCallback(
        client.makeCallbackQuery(button.callback_data, {
          message: { message_id: question.messageId, text: question.message.text, reply_markup: question.message.reply_markup },
        } as never),
      );
      return { question, keyboard };
    };
    const first = await press(0, 0);
    expect(first.question.message.text).toBe('问题 1/2：贵企业是否在开平市注册？');
    expect(first.keyboard).toEqual([
      [
        { text: '是', callback_data: '是' },
        { text: '否', callback_data: '否' },
      ],
    ]);
    const second = await press(1, 0);
    expect(second.question.message.text).toBe('问题 2/2：是否具有独立法人资格？');
    const list = await waitBotMessages(chatId, 3);
    expect(list[2].message.text).toBe('预检结果：符合申报条件（依据第五条）。');
    expect(received.filter((m) => m.chat === String(chatId)).map((m) => m.text)).toEqual(['/precheck', '是', '是']);
    // the pressed question is marked and loses its keyboard; the press is acknowledged
    await waitFor(() => (botMessages(chatId)[0].message.text.includes('✅ 是') ? true : undefined));
    expect(proxy.callsOf('answerCallbackQuery').length).toBeGreaterThanOrEqual(2);
    // pressing the old question's button again is acknowledged but not passed on
    const acks = proxy.callsOf('answerCallbackQuery').length;
    await press(0, 1);
    await waitFor(() => (proxy.callsOf('answerCallbackQuery').length > acks ? true : undefined));
    expect(String(proxy.callsOf('answerCallbackQuery').at(-1)!.body.text)).toContain('已过期');
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((m) => m.chat === String(chatId))).toHaveLength(3);
  });

  it('escapes HTML in the text it sends', async () => {
    const client = server.getClient(TOKEN, { userId: 103, chatId: 103 });
    await client.sendMessage(client.makeMessage('<b>粗体</b> & <script>x</script>'));
    const [reply] = await waitBotMessages(103, 1);
    expect(reply.message.text).toContain('&lt;b&gt;粗体&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;');
    expect(reply.message.text).not.toContain('<b>');
    expect(reply.message.parse_mode).toBe('HTML');
  });

  it('shows the whole clause behind an answer as an expandable quote, escaped', async () => {
    await channel.send({ chat: '104', text: '获奖企业每次奖励3000元。', more: { value: '原文', text: '第七条 <全文> & 更多' } });
    const [reply] = await waitBotMessages(104, 1);
    expect(reply.message.text).toBe('获奖企业每次奖励3000元。\n<blockquote expandable>第七条 &lt;全文&gt; &amp; 更多</blockquote>');
    expect(reply.message.text).not.toContain('回复 原文');
  });

  it('in a group, answers only mentions and commands, with the mention stripped', async () => {
    const groupId = -100500;
    const member = server.getClient(TOKEN, { userId: 104, chatId: groupId, type: 'group', chatTitle: '水暖协会群' });
    await member.sendMessage(member.makeMessage('大家好，今天开会'));
    await member.sendCommand(member.makeCommand('/help@SomeOtherBot'));
    await member.sendMessage(member.makeMessage('@TestNameBot 优秀奖奖金多少'));
    await member.sendCommand(member.makeCommand('/help@TestNameBot'));
    await waitBotMessages(groupId, 2);
    const texts = received.filter((m) => m.chat === String(groupId)).map((m) => m.text);
    expect(texts).toEqual(['优秀奖奖金多少', '/help']);
    expect(received.filter((m) => m.chat === String(groupId)).every((m) => m.user === '104')).toBe(true);
  });

  it('skips a redelivered update (dedupe by update_id)', async () => {
    const client = server.getClient(TOKEN, { userId: 105, chatId: 105 });
    proxy.redeliverNextBatch();
    await client.sendMessage(client.makeMessage('重复投递测试'));
    await waitBotMessages(105, 1);
    await waitFor(() => (proxy.redelivered > 0 && proxy.callsOf('getUpdates').filter((c) => c.scripted).length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((m) => m.chat === '105')).toHaveLength(1);
    expect(botMessages(105)).toHaveLength(1);
    const counts = new Map<number, number>();
    for (const id of seenIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].some((n) => n >= 2)).toBe(true);
  });

  it('paces a broadcast to 50 users under 30 messages a second', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => 2000 + i);
    const before = proxy.callsOf('sendMessage').length;
    const t0 = Date.now();
    await Promise.all(ids.map((id) => channel.send({ chat: String(id), text: '通知：优秀奖申报将于下月开始。', data: { broadcast: { id: 'b-1' } } })));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(49 * channel.minSendIntervalMs * 0.9);
    for (const id of ids) expect(botMessages(id)).toHaveLength(1);
    const times = proxy
      .callsOf('sendMessage')
      .slice(before)
      .map((c) => c.at)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(50);
    // any 31 consecutive sends span at least about a second (nominally 30 × 34 ms = 1,020 ms; slack for timers under load)
    for (let i = 0; i + 30 < times.length; i++) expect(times[i + 30] - times[i]).toBeGreaterThanOrEqual(900);
  });

  it('sends at most one message a second to one chat', async () => {
    const before = proxy.callsOf('sendMessage').length;
    await Promise.all([1, 2, 3].map((n) => channel.send({ chat: '3001', text: `第 ${n} 条` })));
    const calls = proxy.callsOf('sendMessage').slice(before);
    expect(calls.map((c) => c.body.text)).toEqual(['第 1 条', '第 2 条', '第 3 条']);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(900);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(900);
  });

  it('honours a 429 retry_after from the server and delivers the message exactly once', async () => {
    proxy.failNext('sendMessage', {
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
    });
    const before = proxy.callsOf('sendMessage').length;
    const t0 = Date.now();
    await channel.send({ chat: '3101', text: '限流后重试的提醒' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const calls = proxy.callsOf('sendMessage').slice(before);
    expect(calls.map((c) => c.scripted)).toEqual([true, false]);
    expect(botMessages(3101).map((m) => m.message.text)).toEqual(['限流后重试的提醒']);
  });

  it('maps a long 429 to TemporarySendError with the wait, and keeps nothing half-sent', async () => {
    proxy.failNext('sendMessage', {
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 120', parameters: { retry_after: 120 } },
    });
    const err = await channel.send({ chat: '3102', text: '稍后再发' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporarySendError);
    expect((err as TemporarySendError).retryAfterMs).toBe(120_000);
    expect(botMessages(3102)).toHaveLength(0);
  });

  it('maps 5xx and network failures to TemporarySendError, blocked and missing chats to PermanentSendError', async () => {
    proxy.failNext('sendMessage', { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } });
    await expect(channel.send({ chat: '3103', text: 'x' })).rejects.toBeInstanceOf(TemporarySendError);
    proxy.failNext('sendMessage', { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    await expect(channel.send({ chat: '3104', text: 'x' })).rejects.toBeInstanceOf(PermanentSendError);
    proxy.failNext('sendMessage', { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } });
    await expect(channel.send({ chat: '3105', text: 'x' })).rejects.toBeInstanceOf(PermanentSendError);

    const deadPort = await freePort();
    const offline = new TelegramChannel({ token: TOKEN, apiRoot: `http://127.0.0.1:${deadPort}`, logger: silent });
    await expect(offline.send({ chat: '3106', text: 'x' })).rejects.toBeInstanceOf(TemporarySendError);
    await offline.stop();
  });

  it('sends long text in parts and keeps long choice values behind short callback data', async () => {
    const longValue = '我们是开平市水口镇注册满三年的水暖卫浴企业并且具有独立法人资格'; // > 64 bytes
    const text = `${'政策条文。'.repeat(900)}`; // 4,500 characters
    await channel.send({ chat: '3201', text, choices: [{ label: '确认', value: longValue }] });
    const parts = botMessages(3201);
    expect(parts.length).toBe(2);
    expect(parts[0].message.reply_markup).toBeUndefined();
    const data = (parts[1].message.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0][0].callback_data;
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    const client = server.getClient(TOKEN, { userId: 3201, chatId: 3201 });
    await client.sendCallback(client.makeCallbackQuery(data));
    await waitFor(() => received.find((m) => m.chat === '3201'));
    expect(received.find((m) => m.chat === '3201')?.text).toBe(longValue);
  });

  it('webhook mode: checks the secret token header and answers through the Bot API', async () => {
    const hookToken = '700002:AAtest-token-for-the-webhook-channel';
    const log: IncomingMessage[] = [];
    const hooked: TelegramChannel = new TelegramChannel({
      token: hookToken,
      apiRoot: server.config.apiURL,
      logger: silent,
      webhook: { url: 'https://bot.example.test/telegram/hook', secretToken: 'hook-secret_123', port: 0, host: '127.0.0.1' },
    });
    extraChannels.push(hooked);
    await hooked.start(makeTestHandler((m) => hooked.send(m), log));
    const url = `http://127.0.0.1:${hooked.webhookPort}/telegram/hook`;
    const update = {
      update_id: 500001,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: 601, type: 'private', first_name: '李四' }, from: { id: 601, is_bot: false, first_name: '李四' }, text: '公示期多久？' },
    };
    const post = (headers: Record<string, string>, path = '/telegram/hook') =>
      fetch(`http://127.0.0.1:${hooked.webhookPort}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(update) });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'X-Telegram-Bot-Api-Secret-Token': 'wrong' })).status).toBe(401);
    expect((await post({ 'X-Telegram-Bot-Api-Secret-Token': 'hook-secret_123' }, '/elsewhere')).status).toBe(404);
    const garbled = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': 'hook-secret_123' }, body: '{not json' });
    expect(garbled.status).toBe(400);
    expect(log).toHaveLength(0);
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': 'hook-secret_123' }, body: JSON.stringify(update) });
    expect(ok.status).toBe(200);
    expect(log.map((m) => m.text)).toEqual(['公示期多久？']);
    const [reply] = await waitBotMessages(601, 1, hookToken);
    expect(reply.message.text).toContain('公示期多久？');
    // the same update posted again (Telegram retrying) is not answered twice
    await post({ 'X-Telegram-Bot-Api-Secret-Token': 'hook-secret_123' });
    expect(log).toHaveLength(1);
  });

  it('stop() stops taking updates and waits for the handler in flight', async () => {
    const token = '700003:AAtest-token-for-the-stopping-channel';
    const log: IncomingMessage[] = [];
    const stopping = new TelegramChannel({ token, apiRoot: proxy.url, logger: silent, setCommands: false });
    await stopping.start(makeTestHandler((m) => stopping.send(m), log));
    const client = server.getClient(token, { userId: 701, chatId: 701 });
    await client.sendMessage(client.makeMessage('slow'));
    await waitFor(() => (log.length > 0 ? true : undefined));
    await stopping.stop();
    expect(botMessages(701, token).map((m) => m.message.text)).toEqual(['慢回复完成']);
    await client.sendMessage(client.makeMessage('停止后的消息'));
    await new Promise((r) => setTimeout(r, 600));
    expect(log.map((m) => m.text)).toEqual(['slow']);
    await expect(stopping.send({ chat: '701', text: 'x' })).rejects.toBeInstanceOf(TemporarySendError);
  });
});
