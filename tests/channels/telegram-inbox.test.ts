/** Webhook intake through the store's inbox: grammY against telegram-test-api, with a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { TelegramChannel, type UpdateInbox } from '../../src/channels/telegram-channel.ts';
import type { MessageHandler } from '../../src/core/channel.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { SchedulingStore } from '../../src/storage/store.ts';
import { waitFor } from '../helpers/wait.ts';
import { startTelegramEmulator, type TelegramEmulator } from './telegram-emulator.ts';

const TOKEN = '700011:AAtest-token-for-the-inbox-channel';
const SECRET = 'inbox-secret_1';
const AT = new Date('2026-06-01T10:00:00+08:00');
const silent = pino({ level: 'silent' });

/** The inbox the bot wires to its store. */
function inboxOf(store: SchedulingStore): UpdateInbox {
  return {
    put: (id, payload) => store.storeUpdate('telegram', id, payload, AT),
    open: (limit) => store.openUpdates('telegram', limit),
    done: (id) => store.markUpdateDone('telegram', id, AT),
  };
}

/** A private-chat text update as Telegram posts it. */
function textUpdate(updateId: number, chat: number, text: string): object {
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(AT.getTime() / 1000), chat: { id: chat, type: 'private', first_name: '王五' }, from: { id: chat, is_bot: false, first_name: '王五' }, text },
  };
}

describe('Telegram webhook with the update inbox', () => {
  let emulator: TelegramEmulator;
  let dir: string;
  const channels: TelegramChannel[] = [];
  const stores: SchedulingStore[] = [];

  beforeAll(async () => {
    emulator = await startTelegramEmulator();
    dir = mkdtempSync(join(tmpdir(), 'inbox-'));
  });

  afterAll(async () => {
    for (const c of channels) await c.stop();
    for (const s of stores) await s.close().catch(() => undefined);
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a webhook channel on the store with `handler`; resolves the channel and a poster to its webhook. */
  async function start(store: SchedulingStore, handler: (ch: TelegramChannel) => MessageHandler) {
    const ch = new TelegramChannel({
      token: TOKEN,
      apiRoot: emulator.server.config.apiURL,
      logger: silent,
      setCommands: false,
      inbox: inboxOf(store),
      webhook: { url: 'https://bot.example.test/telegram/hook', secretToken: SECRET, port: 0, host: '127.0.0.1' },
    });
    channels.push(ch);
    await ch.start(handler(ch));
    const post = (update: object) =>
      fetch(`http://127.0.0.1:${ch.webhookPort}/telegram/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
        body: JSON.stringify(update),
      });
    return { ch, post };
  }

  const texts = (chat: number) => emulator.botMessages(TOKEN, chat).map((m) => m.message.text);

  it('acknowledges a webhook update before its reply is sent, and answers a redelivery once', async () => {
    const store = await SqliteStore.open(join(dir, 'ack.db'));
    stores.push(store);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const asked: string[] = [];
    const { post } = await start(store, (ch) => async (msg) => {
      asked.push(msg.text);
      await gate; // answering takes long (a slow search, a busy Telegram)
      const reply = { chat: msg.chat, text: `答：${msg.text}` };
      await ch.send(reply);
      return [reply];
    });
    const res = await post(textUpdate(800001, 811, '公示期多久？'));
    expect(res.status).toBe(200);
    expect(texts(811)).toEqual([]);
    expect((await store.openUpdates('telegram', 10)).map((u) => u.updateId)).toEqual(['800001']);
    release();
    await waitFor(() => (texts(811).length ? true : undefined), 10_000, 'the reply');
    expect(texts(811)).toEqual(['答：公示期多久？']);
    for (let i = 0; i < 50 && (await store.openUpdates('telegram', 10)).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await store.openUpdates('telegram', 10)).toEqual([]);
    // Telegram retrying the same update: acknowledged, not answered again
    expect((await post(textUpdate(800001, 811, '公示期多久？'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(asked).toEqual(['公示期多久？']);
    expect(texts(811)).toHaveLength(1);
  });

  it('answers, once, an update stored but not answered when the process died', async () => {
    const path = join(dir, 'crash.db');
    const first = await SqliteStore.open(path);
    let die!: (err: Error) => void;
    const dead = new Promise<never>((_, reject) => (die = reject));
    const { post: postFirst } = await start(first, () => async () => dead); // never answers: the process dies first
    expect((await postFirst(textUpdate(800101, 812, '奖金多少？'))).status).toBe(200);
    expect(texts(812)).toEqual([]);
    await first.close(); // the process is gone: its store is closed and it never replies

    const second = await SqliteStore.open(path);
    stores.push(second);
    const asked: string[] = [];
    const { post } = await start(second, (ch) => async (msg) => {
      asked.push(msg.text);
      const reply = { chat: msg.chat, text: `重启后答：${msg.text}` };
      await ch.send(reply);
      return [reply];
    });
    await waitFor(() => (texts(812).length ? true : undefined), 10_000, 'the reply after restart');
    expect(texts(812)).toEqual(['重启后答：奖金多少？']);
    for (let i = 0; i < 50 && (await second.openUpdates('telegram', 10)).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await second.openUpdates('telegram', 10)).toEqual([]);
    // Telegram redelivers it too (it had its 200, but say the network lost it): still answered once
    expect((await post(textUpdate(800101, 812, '奖金多少？'))).status).toBe(200);
    die(new Error('process killed'));
    await new Promise((r) => setTimeout(r, 300));
    expect(asked).toEqual(['奖金多少？']);
    expect(texts(812)).toHaveLength(1);
  });
});
