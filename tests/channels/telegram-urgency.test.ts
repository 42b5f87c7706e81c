/** The bot-wide send pace goes by urgency: grammY against telegram-test-api, a step overtakes queued bulk sends. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { TelegramChannel } from '../../src/channels/telegram-channel.ts';
import { waitFor } from '../helpers/wait.ts';
import { startTelegramEmulator, type TelegramEmulator } from './telegram-emulator.ts';

const TOKEN = '700021:AAtest-token-for-the-urgency-channel';

describe('Telegram send urgency', () => {
  let emulator: TelegramEmulator;
  let channel: TelegramChannel;

  beforeAll(async () => {
    emulator = await startTelegramEmulator();
    channel = new TelegramChannel({ token: TOKEN, apiRoot: emulator.proxy.url, logger: pino({ level: 'silent' }), setCommands: false, minSendIntervalMs: 40 });
    await channel.start(async () => []);
  });

  afterAll(async () => {
    await channel?.stop();
    await emulator?.stop();
  });

  it('sends a pre-check step and an answer before a broadcast queued ahead of them, and the broadcast in its order', async () => {
    const bulk = Array.from({ length: 30 }, (_, i) => channel.send({ chat: String(9100 + i), text: `【通知】第${i + 1}份`, urgency: 'bulk' }));
    await new Promise((r) => setTimeout(r, 100)); // a few broadcast copies are out; the rest wait their turn
    const answer = channel.send({ chat: '9200', text: '答：奖励3000元。' });
    const step = channel.send({ chat: '9201', text: '问题 2/5：是否在本市注册？', choices: [{ label: '是', value: '是' }, { label: '否', value: '否' }] });
    await Promise.all([...bulk, answer, step]);
    const order = await waitFor(() => {
      const all = emulator.server.storage.botMessages.filter((m) => m.botToken === TOKEN).map((m) => String(m.message.chat_id));
      return all.length >= 32 ? all : undefined;
    });
    const stepAt = order.indexOf('9201');
    const answerAt = order.indexOf('9200');
    expect(stepAt).toBeLessThan(answerAt);
    expect(answerAt).toBeLessThan(10); // not after the 30 broadcast copies queued before it
    expect(order.filter((c) => c.startsWith('91'))).toEqual(Array.from({ length: 30 }, (_, i) => String(9100 + i)));
  });
});
