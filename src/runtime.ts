/** Assembles the running bot: knowledge, the store (SQLite file or PostgreSQL), handlers, channels and the delivery service. */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig, staffByChannel, type AppConfig } from './config.ts';
import { Bot, type BotDeps } from './core/bot.ts';
import type { Channel, MessageHandler } from './core/channel.ts';
import type { OutgoingMessage } from './core/types.ts';
import type { SchedulingStore } from './storage/store.ts';
import { createSchedulingHandlers } from './core/handlers/index-scheduling.ts';
import type { StaffHooks } from './core/handlers/staff-handler.ts';
import { DEFAULT_DATA_DIR } from './knowledge/policy-loader.ts';
import { logUnanswered } from './web/console-db.ts';
import { signInLink } from './web/links.ts';
import { wordingKey } from './web/unanswered.ts';
import { loadKnowledge } from './knowledge/knowledge-base.ts';
import { precheckEligibility } from './dialogue/eligibility.ts';
import { onAwardProblem } from './dialogue/award-loader.ts';
import { createLogger } from './logger.ts';
import { DeliveryService } from './scheduling/delivery-service.ts';
import { SqliteStore } from './storage/sqlite-store.ts';
import { openStore } from './storage/open-store.ts';
import type { AppStore } from './storage/store.ts';
import { backupDatabase, listBackups } from './storage/backup.ts';

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
  /** Knowledge directory (holding policies/); defaults to data/ or POLICY_DATA_DIR. */
  dataDir?: string;
}

/** A running bot and what it owns. */
export interface Runtime {
  bot: Bot;
  store: AppStore;
  delivery: DeliveryService;
  config: AppConfig;
  logger: Logger;
  /** Knowledge directory the bot's documents are loaded from. */
  dataDir: string;
  /** Names of the channels that deliver (the outbox's rows for any other channel wait). */
  channelNames: string[];
  /** Sends every reminder and outbox message due at `now`. */
  runDue(now: Date): Promise<void>;
  /** Stops the scheduler and closes the database. */
  close(): Promise<void>;
}

/** Builds the runtime: one core, one store and one delivery service shared by every channel. */
export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const config = opts.config ?? loadConfig();
  const logger = createLogger(opts.quiet && config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const knowledge = loadKnowledge(dataDir, undefined, { eligibility: precheckEligibility });
  const store = await openStore({ databaseUrl: config.DATABASE_URL, dbPath: opts.dbPath ?? config.DB_PATH, journalDir: config.SEND_JOURNAL_DIR, leaseMs: config.STORE_LEASE_MS });
  // Staff hear about a damaged, full or read-only database by chat; the delivering process backs up a SQLite file on
  // schedule (a PostgreSQL database is backed up by its own tools).
  const delivery = new DeliveryService(store, new Map(opts.channels.map((c) => [c.name, c])), {
    logger,
    staff: staffByChannel(config, opts.consoleAdmins),
    backup:
      store instanceof SqliteStore
        ? { everyMs: config.BACKUP_INTERVAL_MS, lastAt: listBackups(store.path)[0]?.at, run: () => backupDatabase(store, { keep: config.BACKUP_KEEP }) }
        : undefined,
  });
  // Work queued by another process (a broadcast, a reply that could not be sent there) wakes this one at once.
  const stopWaking = store.onWork?.(() => delivery.poke());
  // New broadcasts and publicity notices go out at once, not at the next scheduler tick.
  // `/console` answers with a one-time link to the web console, when it runs (WEB_PORT).
  const hooks: StaffHooks = { onEnqueued: () => delivery.poke(), consoleLink: async (staff, now) => (config.WEB_PORT ? signInLink(store, config, staff, now) : undefined) };
  const handlers = createSchedulingHandlers(store, hooks);
  // Questions the bot could not answer well are logged for the console's 未答问题 page.
  const onUnanswered: BotDeps['onUnanswered'] = (q) =>
    logUnanswered(store, { at: q.at.getTime(), channel: q.channel, chat: q.chat, question: q.question, wording: wordingKey(q.question), reason: q.reason, reply: q.reply });
  // A rules file edited into something invalid while the bot runs is reported by file and field; its last good rules stay in use.
  onAwardProblem((err) => logger.warn({ file: err.file, field: err.where, problem: err.message }, 'award rules file is invalid; its last good rules stay in use'));
  const bot = new Bot({ knowledge, store, staff: staffByChannel(config, opts.consoleAdmins), handlers, logger, onUnanswered, topicTtlMinutes: config.TOPIC_TTL_MINUTES });
  const stopFollowing = await followKnowledge(store, () => bot.setKnowledge(loadKnowledge(dataDir, undefined, { eligibility: precheckEligibility })), logger, config.KNOWLEDGE_POLL_MS);
  return {
    bot,
    store,
    delivery,
    config,
    logger,
    dataDir,
    channelNames: opts.channels.map((c) => c.name),
    runDue: (now) => delivery.runDue(now),
    async close() {
      stopFollowing();
      stopWaking?.();
      await delivery.stop();
      await store.close();
    },
  };
}

/**
 * Keeps the knowledge in step across processes: polls the store's knowledge version row every `everyMs` and reloads
 * the documents (from the shared data folder) when another process changed them, e.g. by a console upload.
 */
async function followKnowledge(store: AppStore, reload: () => void, logger: Logger, everyMs: number): Promise<() => void> {
  let seen = await store.knowledgeVersion().catch(() => 0);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void store
      .knowledgeVersion()
      .then((v) => {
        if (v === seen) return;
        seen = v;
        reload();
        logger.info({ version: v }, 'documents changed on another process; knowledge reloaded');
      })
      .catch((err: unknown) => logger.warn({ err: (err as Error)?.message }, 'could not check the knowledge version'))
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** What a channel handler needs from the runtime. */
export interface ReplyParts {
  bot: Bot;
  store: SchedulingStore;
  delivery?: DeliveryService;
  logger?: Logger;
}

/**
 * The handler a channel runs for each message: the core's replies are sent in order; if one cannot be sent now, it and
 * every reply after it go to the outbox (in order, choices kept), so none is lost and none overtakes another.
 */
export function channelHandler(parts: ReplyParts, ch: Channel, onQueued?: (reply: OutgoingMessage, err: unknown) => void): MessageHandler {
  return async (msg) => {
    const replies = await parts.bot.handle(msg);
    let failed = false;
    for (const r of replies) {
      if (!failed) {
        try {
          await ch.send(r);
          continue;
        } catch (err) {
          failed = true;
          parts.logger?.warn({ err, channel: ch.name, chat: r.chat }, 'reply failed; queued in the outbox');
          onQueued?.(r, err);
        }
      }
      // If the outbox cannot take it either (disk full), the reply is lost: say so in the log, never stall the channel.
      await parts.store
        .enqueue({ key: `reply:${ch.name}:${r.chat}:${randomUUID()}`, kind: 'notice', priority: 'reply', channel: ch.name, chat: r.chat, text: r.text, data: r.data, choices: r.choices, dueAt: 0 }, new Date())
        .catch((err: unknown) => parts.logger?.error({ err: (err as Error)?.message, channel: ch.name, chat: r.chat }, 'reply could not be sent nor queued'));
    }
    if (failed) parts.delivery?.poke();
    return replies;
  };
}
