/** Assembles the running bot: knowledge, SQLite store, handlers, channels and the delivery service. */
import type { Logger } from 'pino';
import { loadConfig, staffByChannel, type AppConfig } from './config.ts';
import { Bot } from './core/bot.ts';
import type { Channel } from './core/channel.ts';
import { createSchedulingHandlers } from './core/handlers/index-scheduling.ts';
import { loadKnowledge } from './knowledge/knowledge-base.ts';
import { createLogger } from './logger.ts';
import { DeliveryService } from './scheduling/delivery-service.ts';
import { SqliteStore } from './storage/sqlite-store.ts';

/** Options for building a runtime. */
export interface RuntimeOptions {
  /** SQLite file; defaults to DB_PATH. */
  dbPath?: string;
  /** Extra staff IDs on the console (from `--admin`). */
  consoleAdmins?: string[];
  /** Channels that deliver reminders and broadcasts. */
  channels: Channel[];
  /** Only warnings and errors in the log (for JSON modes). */
  quiet?: boolean;
  /** Already-validated configuration. */
  config?: AppConfig;
}

/** A running bot and what it owns. */
export interface Runtime {
  bot: Bot;
  store: SqliteStore;
  delivery: DeliveryService;
  config: AppConfig;
  logger: Logger;
  /** Sends every reminder and outbox message due at `now`. */
  runDue(now: Date): Promise<void>;
  /** Stops the scheduler and closes the database. */
  close(): Promise<void>;
}

/** Builds the runtime: one core, one store and one delivery service shared by every channel. */
export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const config = opts.config ?? loadConfig();
  const logger = createLogger(opts.quiet && config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const knowledge = loadKnowledge();
  const store = await SqliteStore.open(opts.dbPath ?? config.DB_PATH);
  const bot = new Bot({ knowledge, store, staff: staffByChannel(config, opts.consoleAdmins), handlers: createSchedulingHandlers(store), logger });
  const delivery = new DeliveryService(store, new Map(opts.channels.map((c) => [c.name, c])), { logger });
  return {
    bot,
    store,
    delivery,
    config,
    logger,
    runDue: (now) => delivery.runDue(now),
    async close() {
      await delivery.stop();
      await store.close();
    },
  };
}
