import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramServer as TelegramServerType, StoredBotUpdate } from 'telegram-test-api/lib/telegramServer.js';
import { ROOT } from '../helpers/run-cli.ts';
import { waitFor } from '../helpers/wait.ts';
import { BotApiProxy } from './bot-api-proxy.ts';
import { startTelegramEmulator, type TelegramEmulator } from './telegram-emulator.ts';

const TOKEN = '710002:AAtest-token-for-npm-start';

describe('npm start with TELEGRAM_BOT_TOKEN: the real process on the Bot API emulator', () => {
  let server: TelegramServerType;
  let proxy: BotApiProxy;
  let emulator: TelegramEmulator | undefined;
  let bot: ChildProcess;
  let stderr = '';
  const botMessages = (chatId: number): StoredBotUpdate[] =>
    emulator!.botMessages(TOKEN, chatId);

  beforeAll(async () => {
    emulator = await startTelegramEmulator();
    ({ server, proxy } = emulator);
    const db = join(mkdtempSync(join(tmpdir(), 'main-tg-')), 'bot.db');
    bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: proxy.url, DB_PATH: db, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bot.stderr!.on('data', (d) => (stderr += d));
  });

  afterAll(async () => {
    if (bot.exitCode === null) bot.kill('SIGKILL');
    await emulator?.stop();
  });

  it('answers a policy question in Chinese, never logs the token, and shuts down cleanly on SIGTERM', async () => {
    const client = server.getClient(TOKEN, { userId: 3301, chatId: 3301, firstName: '黄老板' });
    await waitFor(() => (/channel started/.test(stderr) ? true : undefined), 30_000, 'the bot to start');
    await client.sendMessage(client.makeMessage('优秀奖奖金多少'));
    const [answer] = await waitFor(() => (botMessages(3301).length ? botMessages(3301) : undefined), 30_000, 'an answer');
    expect(answer.message.text).toContain('3000元');
    expect(answer.message.text).toContain('第七条');
    expect(proxy.calls.some((c) => c.method === 'setMyCommands')).toBe(true);
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/database closed/);
    expect(stderr).not.toContain(TOKEN.split(':')[1]);
  }, 90_000);
});
