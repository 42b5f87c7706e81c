/** `npm start`: runs every configured channel (Telegram, WeChat) on one core, or the terminal console when none is. */
process.env.DOTENV_CONFIG_QUIET = 'true';
import { fileURLToPath } from 'node:url';
import { loadConfig, type AppConfig } from './config.ts';
import type { Channel } from './core/channel.ts';
import { ConfigError } from './errors.ts';
import { ConsoleChannel } from './channels/console-channel.ts';
import { channelHandler, createRuntime } from './runtime.ts';
import type { WebReportChannel } from './web/report-channel.ts';
import type { SchedulingStore } from './storage/store.ts';

/** The user ID of the person at the terminal chat (the console channel's default user). */
export const TERMINAL_USER = 'local';

/** Options of the console run. */
export interface ConsoleRunOptions {
  admins?: string[];
  db?: string;
}

/** Runs the console chat until the input ends; returns the exit code. */
export async function runConsole(opts: ConsoleRunOptions = {}, config: AppConfig = loadConfig()): Promise<number> {
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const channel = new ConsoleChannel({ onEnd: () => finished() });
  const web = await webReports(config);
  const rt = await createRuntime({ config, dbPath: opts.db, consoleAdmins: opts.admins, channels: web ? [channel, web] : [channel], quiet: !web });
  const server = web ? await (await import('./web/start.ts')).startWebConsole(rt, web, opts.admins) : undefined;
  await channel.start(async (msg) => {
    const replies = await rt.bot.handle(msg);
    // A delivery pass that fails on storage is logged and retried; the reply still goes out.
    await rt.runDue(msg.at).catch((err: unknown) => rt.logger.error({ err: (err as Error)?.message }, 'delivery pass failed'));
    return replies;
  });
  rt.delivery.start(config.SCHEDULER_INTERVAL_MS);
  // With the web console, a signal ends the run; the end of terminal input alone does not (a service has no input).
  let signalled = false;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      signalled = true;
      resolve();
      void channel.stop();
    };
    if (server) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
  });
  await done;
  if (server) {
    if (!signalled) rt.logger.info('terminal input ended; the staff console keeps running until SIGINT or SIGTERM');
    await stopped;
    await server.close();
  }
  await rt.close();
  return 0;
}

/** The console's report channel when WEB_PORT asks for the staff web console, else undefined. */
async function webReports(config: AppConfig): Promise<WebReportChannel | undefined> {
  if (!config.WEB_PORT) return undefined;
  const { WebReportChannel } = await import('./web/report-channel.ts');
  return new WebReportChannel();
}

/** Runs the configured messaging channels until SIGINT or SIGTERM. */
async function runChannels(config: AppConfig): Promise<number> {
  const channels: Channel[] = [];
  // The store is opened by the runtime; channels reach it through this late-bound reference for dedupe.
  let markSeen: (channel: string, id: string | number) => Promise<boolean> = async () => true;
  let storeRef: SchedulingStore | undefined;
  const store = (): SchedulingStore => {
    if (!storeRef) throw new Error('the store is not open yet');
    return storeRef;
  };
  const fatal = () => process.kill(process.pid, 'SIGTERM');
  if (config.TELEGRAM_BOT_TOKEN) {
    const { TelegramChannel } = await import('./channels/telegram-channel.ts');
    channels.push(
      new TelegramChannel({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        webhook: config.WEBHOOK_URL && config.WEBHOOK_SECRET ? { url: config.WEBHOOK_URL, secretToken: config.WEBHOOK_SECRET, port: config.WEBHOOK_PORT, host: config.WEBHOOK_HOST } : undefined,
        adminIds: config.TELEGRAM_ADMIN_IDS,
        dedupe: (id) => markSeen('telegram', id),
        // Webhook updates are stored before their 200 and answered after (also after a crash or restart).
        inbox: {
          put: (id, payload) => store().storeUpdate('telegram', id, payload, new Date()),
          open: (limit) => store().openUpdates('telegram', limit),
          done: (id) => store().markUpdateDone('telegram', id, new Date()),
        },
        onFatal: fatal,
      }),
    );
  }
  if (config.WECHATY_PUPPET_SERVICE_TOKEN) {
    const { WechatChannel } = await import('./channels/wechat-channel.ts');
    channels.push(
      new WechatChannel({
        puppetToken: config.WECHATY_PUPPET_SERVICE_TOKEN,
        endpoint: config.WECHATY_PUPPET_SERVICE_ENDPOINT,
        adminIds: config.WECHAT_ADMIN_IDS,
        minSendIntervalMs: config.WECHAT_SEND_INTERVAL_MS,
        dedupe: (id) => markSeen('wechat', id),
      }),
    );
  }
  const web = await webReports(config);
  const rt = await createRuntime({ config, channels: web ? [...channels, web] : channels });
  storeRef = rt.store;
  // When the dedupe table cannot be written (disk full), the update is handled anyway: a rare repeat beats a stall.
  markSeen = (channel, id) =>
    rt.store.markUpdateSeen(channel, id).catch((err: unknown) => {
      rt.logger.error({ err: (err as Error)?.message, channel }, 'could not record an update id; handling it anyway');
      return true;
    });
  const server = web ? await (await import('./web/start.ts')).startWebConsole(rt, web) : undefined;
  let inFlight = 0;
  for (const ch of channels) {
    const handle = channelHandler(rt, ch);
    await ch.start(async (msg) => {
      inFlight++;
      try {
        return await handle(msg);
      } finally {
        inFlight--;
      }
    });
    rt.logger.info({ channel: ch.name }, 'channel started');
  }
  rt.delivery.start(config.SCHEDULER_INTERVAL_MS);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      rt.logger.info({ sig }, 'shutting down: no new updates, finishing replies in flight');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server?.close();
  for (const ch of channels) await ch.stop();
  for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  await rt.close();
  rt.logger.info('stopped; database closed');
  return 0;
}

/** Entry point. */
async function main(): Promise<number> {
  const config = loadConfig();
  if (config.TELEGRAM_BOT_TOKEN || config.WECHATY_PUPPET_SERVICE_TOKEN) return runChannels(config);
  // The person at the `npm start` terminal has a shell on the server and the database: they are staff (ID "local").
  return runConsole({ admins: [TERMINAL_USER] }, config);
}

/** Runs the bot and exits with its code; a start-up failure is printed as one line. */
export function runMain(): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const known = err instanceof ConfigError || (err as Error)?.name === 'StorageError';
      process.stderr.write(known ? `启动失败 / failed to start: ${(err as Error).message}\n` : `启动失败 / failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runMain();
