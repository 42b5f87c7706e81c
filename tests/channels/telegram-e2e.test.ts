/**
 * End to end on Telegram: the real core (knowledge, SQLite store, handlers, delivery service) behind the real
 * TelegramChannel (grammY, long polling through @grammyjs/runner), talking HTTP to telegram-test-api through the
 * loopback proxy that scripts 429s. Assertions are on what the emulator stored, i.e. what a user would see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramServer as TelegramServerType, StoredBotUpdate } from 'telegram-test-api/lib/telegramServer.js';
import { pino } from 'pino';
import { TelegramChannel } from '../../src/channels/telegram-channel.ts';
import { isNumericSlot, precheckQuestion, type Slot } from '../../src/dialogue/precheck-slots.ts';
import { BotApiProxy, type ProxyCall } from './bot-api-proxy.ts';
import { clockFrom, RealCore, sleep, waitFor } from './real-core.ts';
import { startTelegramEmulator, type TelegramEmulator } from './telegram-emulator.ts';

const TOKEN = '710001:AAtest-token-for-the-end-to-end-bot';
const STAFF = 9001;
const silent = pino({ level: 'silent' });

/** Arrival jitter allowed when checking gaps measured at the proxy (the throttler spaces request starts). */
/** The bot's clock for this file: a fixed day (every message is stamped from it), so no expectation depends on today. */
const clock = clockFrom('2026-06-01T10:00:00+08:00');
const JITTER_MS = 30;

/** A 429 as the Bot API sends it. */
const tooManyRequests = (retryAfter: number) => ({
  status: 429,
  body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } },
});

/** What a Telegram client shows for a text sent with parse_mode HTML (the bot sends no tags, only entities). */
function rendered(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

type Keyboard = { text: string; callback_data: string }[][];

describe('Telegram end to end: grammY + telegram-test-api + the real core', () => {
  let server: TelegramServerType;
  let proxy: BotApiProxy;
  let emulator: TelegramEmulator | undefined;
  let core: RealCore;
  let channel: TelegramChannel;

  /** Bot messages the emulator stored for one chat, in order. */
  const botMessages = (chatId: number): StoredBotUpdate[] =>
    emulator!.botMessages(TOKEN, chatId);
  /** The texts a user sees in one chat. */
  const seen = (chatId: number): string[] => botMessages(chatId).map((m) => rendered(m.message.text));
  /** Waits until a chat has at least `n` bot messages. */
  const waitBotMessages = (chatId: number, n: number, timeoutMs = 10_000) =>
    waitFor(() => (botMessages(chatId).length >= n ? botMessages(chatId) : undefined), timeoutMs, `${n} bot messages in chat ${chatId}`);
  /** Chat-addressed Bot API calls (sends and edits) the proxy saw, per chat. */
  const chatCalls = (since = 0): Map<string, ProxyCall[]> => {
    const by = new Map<string, ProxyCall[]>();
    for (const c of proxy.calls) {
      if (c.at < since || (c.method !== 'sendMessage' && c.method !== 'editMessageText')) continue;
      const chat = String(c.body.chat_id);
      by.set(chat, [...(by.get(chat) ?? []), c]);
    }
    return by;
  };

  beforeAll(async () => {
    emulator = await startTelegramEmulator();
    ({ server, proxy } = emulator);
    core = await RealCore.open({ telegram: [String(STAFF)] }, clock);
    channel = new TelegramChannel({ token: TOKEN, apiRoot: proxy.url, adminIds: [String(STAFF)], logger: silent, dedupe: core.dedupe('telegram') });
    core.deliver([channel]);
    await channel.start(core.handlerFor(channel));
  });

  afterAll(async () => {
    await channel?.stop();
    await core?.close();
    await emulator?.stop();
  });

  it('runs a full pre-check: yes/no questions with inline buttons pressed, numbers typed, up to the verdict', async () => {
    const chatId = 1101;
    const client = server.getClient(TOKEN, { userId: chatId, chatId, firstName: '陈老板' });
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
    await client.sendCommand(client.makeCommand('/precheck'));
    const pressed: { messageId: number; label: string }[] = [];
    for (const [i, [slot, answer]] of plan.entries()) {
      const question = (await waitBotMessages(chatId, i + 1))[i];
      const text = rendered(question.message.text);
      expect(text).toContain(`（第${i + 1}项，共9项）${precheckQuestion(slot)}`);
      expect(question.message.parse_mode).toBe('HTML');
      const keyboard = (question.message.reply_markup as { inline_keyboard?: Keyboard } | undefined)?.inline_keyboard;
      if (isNumericSlot(slot)) {
        expect(keyboard, `${slot} is typed, without buttons`).toBeUndefined();
        await client.sendMessage(client.makeMessage(answer));
        continue;
      }
      expect(keyboard, `${slot} has yes/no buttons`).toEqual([
        [
          { text: '是', callback_data: '是' },
          { text: '否', callback_data: '否' },
        ],
      ]);
      const button = keyboard!.flat().find((b) => b.text === answer)!;
      // The press carries the message as the user's app has it: rendered text and its keyboard.
      await client.sendCallback(
        client.makeCallbackQuery(button.callback_data, {
          message: { message_id: question.messageId, text, reply_markup: question.message.reply_markup },
        } as never),
      );
      pressed.push({ messageId: question.messageId, label: answer });
    }
    const all = await waitBotMessages(chatId, plan.length + 1);
    const verdict = seen(chatId)[plan.length];
    expect(verdict).toContain('预检结论：根据您的回答，贵企业初步符合申报条件');
    expect(verdict).toContain('3000元 × 4次 = 12000元');
    expect(verdict).toContain('第五条');
    expect(all[plan.length].message.reply_markup).toBeUndefined();
    // Button presses reached the core as the choice values, typed answers as typed.
    expect(core.incoming.filter((m) => m.chat === String(chatId)).map((m) => m.text)).toEqual(['/precheck', ...plan.map(([, a]) => a)]);
    // Every press was acknowledged, and each answered question is marked with the choice.
    expect(proxy.callsOf('answerCallbackQuery').map((c) => c.body.text)).toEqual(pressed.map((p) => `已选择：${p.label}`));
    await waitFor(
      () => (pressed.every((p) => rendered(botMessages(chatId).find((m) => m.messageId === p.messageId)!.message.text).endsWith(`✅ ${p.label}`)) ? true : undefined),
      10_000,
      'answered questions to be marked',
    );
    expect(botMessages(chatId)).toHaveLength(plan.length + 1);
  });

  it('answers a policy question with its citation, and escapes user HTML where a reply echoes it', async () => {
    const [asker, htmlAsker, tagger] = [1201, 1202, 1203].map((id) => server.getClient(TOKEN, { userId: id, chatId: id }));
    await asker.sendMessage(asker.makeMessage('优秀奖奖金多少'));
    await htmlAsker.sendMessage(htmlAsker.makeMessage('<b>优秀奖</b>奖金多少'));
    await tagger.sendCommand(tagger.makeCommand('/subscribe <b>水口镇</b>'));

    const [answer] = await waitBotMessages(1201, 1);
    expect(answer.message.parse_mode).toBe('HTML');
    expect(rendered(answer.message.text)).toContain('3000');
    expect(rendered(answer.message.text)).toContain('第七条');
    expect(rendered(answer.message.text)).toContain('《开平市水暖卫浴产品质量优秀奖评审管理办法》');

    // The same question wrapped in tags is still understood, and no tag reaches Telegram's HTML parser.
    const [htmlAnswer] = await waitBotMessages(1202, 1);
    expect(rendered(htmlAnswer.message.text)).toContain('3000');
    expect(rendered(htmlAnswer.message.text)).toContain('第七条');
    expect(htmlAnswer.message.text).not.toMatch(/<\/?b>/);

    // The subscription reply echoes the user's tag: it is escaped, so the user sees it verbatim instead of bold text.
    const [subscribed] = await waitBotMessages(1203, 1);
    expect(subscribed.message.parse_mode).toBe('HTML');
    expect(subscribed.message.text).toContain('标签：&lt;b&gt;水口镇&lt;/b&gt;');
    expect(subscribed.message.text).not.toContain('<b>');
    expect(rendered(subscribed.message.text)).toContain('订阅成功！');
    expect(rendered(subscribed.message.text)).toContain('（标签：<b>水口镇</b>');
    // Leave the broadcast test's audience at exactly 50.
    await tagger.sendCommand(tagger.makeCommand('/unsubscribe'));
    const [, unsubscribed] = await waitBotMessages(1203, 2);
    expect(rendered(unsubscribed.message.text)).toContain('已退订');
  });

  it('broadcasts to 50 subscribers, paced under the limits, surviving a 429 mid-way, and reports to the staff member', async () => {
    const users = Array.from({ length: 50 }, (_, i) => 20_001 + i);
    const clients = users.map((id) => server.getClient(TOKEN, { userId: id, chatId: id }));
    await Promise.all(clients.map((c) => c.sendCommand(c.makeCommand('/subscribe'))));
    await waitFor(() => (users.every((id) => botMessages(id).length >= 1) ? true : undefined), 20_000, '50 subscription replies');
    for (const id of users) expect(seen(id)).toEqual([expect.stringContaining('订阅成功！')]);

    const text = '明天9点开会 <会议室>';
    const staff = server.getClient(TOKEN, { userId: STAFF, chatId: STAFF, firstName: '协会秘书处' });
    const commandAt = Date.now();
    await staff.sendCommand(staff.makeCommand(`/broadcast ${text}`));
    const [queued] = await waitBotMessages(STAFF, 1);
    expect(rendered(queued.message.text)).toContain('已排队，将按平台限速发送给50位订阅者');
    await core.idle();

    const isCopy = (m: StoredBotUpdate) => rendered(m.message.text) === text;
    const delivered = () => users.filter((id) => botMessages(id).some(isCopy)).length;
    const start = Date.now();
    // Telegram answers one send with 429 once a dozen copies are out.
    let armedAt = 0;
    const arming = waitFor(() => (delivered() >= 12 ? true : undefined), 30_000, '12 copies').then(() => {
      proxy.failNext('sendMessage', tooManyRequests(1));
      armedAt = Date.now();
    });
    const passes = [];
    for (let pass = 0; pass < 5 && botMessages(STAFF).length < 2; pass++) passes.push(await core.delivery.runPass(clock()));
    await arming;
    const elapsed = Date.now() - start;

    // Each of the 50 sees the text exactly once, verbatim (sent escaped, in HTML mode).
    for (const id of users) {
      const copies = botMessages(id).filter(isCopy);
      expect(copies, `copies in chat ${id}`).toHaveLength(1);
      expect(copies[0].message.text).toBe('明天9点开会 &lt;会议室&gt;');
      expect(copies[0].message.parse_mode).toBe('HTML');
    }
    // The sender gets exactly one report, after every copy was delivered.
    const reports = seen(STAFF).slice(1);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('共 50 位）发送报告：已送达 50，失败 0，待发送 0');
    expect(passes.reduce((n, p) => n + p.sent, 0)).toBe(51);
    expect(passes.reduce((n, p) => n + p.failed, 0)).toBe(0);

    // The 429 hit one copy, which was sent again after retry_after and arrived once.
    const attempts = proxy.callsOf('sendMessage').filter((c) => c.at >= start && c.body.text === '明天9点开会 &lt;会议室&gt;');
    const hit = attempts.filter((c) => c.scripted);
    expect(armedAt).toBeGreaterThan(0);
    expect(hit).toHaveLength(1);
    const hitChat = Number(hit[0].body.chat_id);
    expect(users).toContain(hitChat);
    const retry = attempts.filter((c) => !c.scripted && Number(c.body.chat_id) === hitChat);
    expect(retry).toHaveLength(1);
    expect(retry[0].at - hit[0].at).toBeGreaterThanOrEqual(1000 - JITTER_MS);
    expect(botMessages(hitChat).filter(isCopy)).toHaveLength(1);

    // Paced: 50 sends take at least 49 channel intervals; fresh sends (all but the in-channel retry) keep the interval;
    // no second-long window holds more than Telegram's 30 messages; from the command on, no chat gets two messages (of
    // any kind: copies, the 429 retry, the staff member's acknowledgement and report) within 1 s.
    const times = attempts.map((c) => c.at).sort((a, b) => a - b);
    const fresh = attempts.filter((c) => c !== retry[0]).map((c) => c.at).sort((a, b) => a - b);
    const gaps = fresh.slice(1).map((t, i) => t - fresh[i]);
    const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000 - JITTER_MS).length));
    console.info(
      `[telegram e2e] broadcast to 50: ${elapsed} ms in ${passes.length} pass(es), ${attempts.length} attempts, ` +
        `min gap ${Math.min(...gaps)} ms (channel interval ${channel.minSendIntervalMs} ms), busiest second ${busiestSecond} sends`,
    );
    expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual(49 * channel.minSendIntervalMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(channel.minSendIntervalMs - JITTER_MS / 2);
    expect(busiestSecond).toBeLessThanOrEqual(30);
    for (const [chat, calls] of chatCalls(commandAt)) {
      for (let i = 1; i < calls.length; i++) expect(calls[i].at - calls[i - 1].at, `gap in chat ${chat}`).toBeGreaterThanOrEqual(1000 - JITTER_MS);
    }
  });

  it('a reply still rate-limited after the channel’s own retries goes to the outbox and arrives exactly once', async () => {
    const chatId = 1301;
    const client = server.getClient(TOKEN, { userId: chatId, chatId });
    // 1 attempt + 3 in-channel retries, each honouring retry_after: 1.
    proxy.failNext('sendMessage', tooManyRequests(1), 4);
    await client.sendMessage(client.makeMessage('优秀奖的有效期是几年'));
    await waitFor(() => (core.queuedReplies.some((q) => q.reply.chat === String(chatId)) ? true : undefined), 15_000, 'the reply to be queued');
    await core.idle();
    expect(botMessages(chatId)).toHaveLength(0);
    const hits = proxy.callsOf('sendMessage').filter((c) => c.scripted && Number(c.body.chat_id) === chatId);
    expect(hits).toHaveLength(4);
    for (let i = 1; i < hits.length; i++) expect(hits[i].at - hits[i - 1].at).toBeGreaterThanOrEqual(1000 - JITTER_MS);

    const summary = await core.delivery.runPass(clock());
    expect(summary.sent).toBe(1);
    const again = await core.delivery.runPass(clock());
    expect(again.sent).toBe(0);
    await sleep(100);
    expect(seen(chatId)).toHaveLength(1);
    expect(seen(chatId)[0]).toContain('有效期为3年');
    expect(seen(chatId)[0]).toContain('第九条');
  });
});
