/** telegram-test-api (a Bot API emulator) on loopback, behind the BotApiProxy that adds long polling and scripted errors. */
import TelegramServerModule from 'telegram-test-api';
import type { TelegramServer as TelegramServerType, StoredBotUpdate } from 'telegram-test-api/lib/telegramServer.js';
import { freePort } from '../helpers/wait.ts';
import { BotApiProxy } from './bot-api-proxy.ts';

const TelegramServer = ((TelegramServerModule as unknown as { default?: unknown }).default ?? TelegramServerModule) as unknown as new (config: {
  port: number;
  host: string;
  storeTimeout: number;
}) => TelegramServerType;

/** A running emulator and its proxy; bots use `proxy.url` as their API root. */
export interface TelegramEmulator {
  server: TelegramServerType;
  proxy: BotApiProxy;
  /** Messages a bot (by token) sent to one chat, as the emulator stored them. */
  botMessages(token: string, chatId: number): StoredBotUpdate[];
  /** Stops the proxy and the emulator. */
  stop(): Promise<void>;
}

/** Starts the emulator on a free loopback port, and the proxy in front of it. */
export async function startTelegramEmulator(): Promise<TelegramEmulator> {
  const port = await freePort();
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  server.config.apiURL = `http://127.0.0.1:${port}`;
  const proxy = new BotApiProxy(server.config.apiURL);
  await proxy.start();
  return {
    server,
    proxy,
    botMessages: (token, chatId) => server.storage.botMessages.filter((m) => m.botToken === token && String(m.message.chat_id) === String(chatId)),
    async stop() {
      await proxy.stop();
      await server.stop();
    },
  };
}
