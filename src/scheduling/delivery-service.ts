/** The delivery service: turns due reminders into outbox rows and delivers the outbox through the channels, exactly once. */
import { PermanentSendError, TemporarySendError, type Channel } from '../core/channel.ts';
import type { Choice, OutgoingMessage } from '../core/types.ts';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isStorageError, LeaseLostError, OUTBOX_PRIORITY, type DueAward, type DuePublicity, type LeasedStore, type OutboxItem, type ReminderAdvance, type StartedSend, type StoreHealth } from '../storage/store.ts';
import { localDay } from './dates.ts';
import { IMMEDIATE, Pacer, awardReminderKey, broadcastReport, publicityKeyPrefix, retryDelayMs, type RetryPolicy } from './outbox.ts';
import { awardData, awardStages, awardText, publicityData, publicityStages, publicityText, stepReminders } from './reminders.ts';
import { SendJournal } from './send-journal.ts';

/** Minimal structured logger (pino-compatible). */
export interface DeliveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Tuning of the delivery service; every field has a safe default. */
export interface DeliveryOptions {
  /** Attempts before a temporarily failing message is marked failed (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt (default 2000 ms). */
  baseBackoffMs?: number;
  /** Longest retry delay (default 10 minutes). */
  maxBackoffMs?: number;
  /** A run waits for retries falling due within this time instead of leaving them to the next tick (default 15 s). */
  maxInlineWaitMs?: number;
  /** Overall gap between sends per channel name; overrides `channel.minSendIntervalMs` and the defaults. */
  minIntervalMs?: Record<string, number>;
  /** Gap between two sends to the same chat per channel name (defaults: telegram 1000, wechat 3000, others 0). */
  perChatIntervalMs?: Record<string, number>;
  /** Sends in flight at once per channel name (default 1; more raises throughput but widens the crash window). */
  maxInFlight?: Record<string, number>;
  /** A send that neither resolves nor rejects within this time is left to crash recovery (default 120 s). */
  sendTimeoutMs?: number;
  /** How long `stop` waits for sends in flight before giving up on them (they are left to crash recovery; default 10 s). */
  stopTimeoutMs?: number;
  /** Rows fetched per query (default 500). */
  batchSize?: number;
  /** What a restart does with a row a crash left in `sending` after handing it to the platform (default assume-sent; see the class comment). */
  interrupted?: 'assume-sent' | 'resend';
  /**
   * Send journal file; defaults to `<database file>-sending` when the store has a local file, and `false` turns it
   * off (then every row left in `sending` is treated as handed over).
   */
  journalPath?: string | false;
  /** Logger; silent by default. */
  logger?: DeliveryLogger;
  /** Staff chats per channel name, told directly (not through the outbox) when the database is damaged, full or read-only. */
  staff?: Record<string, string[]>;
  /** First delay of the background loop after a pass failed on storage, doubled up to the loop interval (default 5 s). */
  storageRetryMs?: number;
  /**
   * Scheduled backups, made by the background loop of the process that holds the delivery lease, after a pass, while
   * the database is healthy: `run` every `everyMs` (0: never), counting from `lastAt` (the newest backup on disk).
   */
  backup?: { everyMs: number; lastAt?: number; run: () => Promise<{ file: string }> };
}

/** The send journal file of one owner beside the database (`<db>-sending.<owner>`); '' is the journal of versions before owners. */
export function journalFileFor(dbPath: string, owner: string): string {
  return owner === '' ? `${dbPath}-sending` : `${dbPath}-sending.${owner.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The staff notice that a storage problem is over. */
export const STORAGE_OK_TEXT = '【系统通知】数据库已恢复正常，提醒和广播继续发送。';

/** The staff alert for a storage problem, in plain words with what to do. */
export function storageAlertText(h: StoreHealth): string {
  switch (h.problem) {
    case 'damaged':
      return `【系统警报】数据库检查发现损坏（${h.detail ?? '未知原因'}）。已暂停发送提醒和广播，政策问答照常。请停止机器人后运行 npm run cli -- restore 从最近的备份恢复（见 README“数据恢复”）。`;
    case 'full':
      return '【系统警报】服务器磁盘已满，新的记录无法保存，提醒和广播暂缓发送。请清理磁盘空间；空间恢复后会自动继续发送，不会重复。';
    case 'readonly':
      return '【系统警报】数据库文件变为只读，新的记录无法保存。请检查文件权限；恢复后会自动继续发送。';
    default:
      return `【系统警报】数据库暂时无法使用（${h.detail ?? '未知原因'}），提醒和广播暂缓发送。`;
  }
}

/** Overall send gaps used when neither the options nor the channel give one: Telegram allows about 30 messages a second, WeChat is kept slow. */
export const DEFAULT_MIN_INTERVAL_MS: Readonly<Record<string, number>> = { telegram: 34, wechat: 3000 };

/** Per-chat send gaps used when the options give none: Telegram allows about one message a second per chat. */
export const DEFAULT_PER_CHAT_INTERVAL_MS: Readonly<Record<string, number>> = { telegram: 1000, wechat: 3000 };

/** The next step of one due award at local day `today`: the latest due reminder only, and the following reminder day. */
function planAward(a: DueAward, today: string): ReminderAdvance {
  const step = stepReminders(awardStages(a.expires), a.lastStage, today);
  const advance: ReminderAdvance = { id: a.id, nextReminderOn: step.nextReminderOn, lastStage: step.lastStage };
  if (step.send) {
    const kind = step.send.kind as 'award_expiring' | 'award_expired';
    advance.item = {
      key: awardReminderKey(a.id, step.send.stage),
      kind: 'award',
      channel: a.channel,
      chat: a.chat,
      text: awardText(kind, a, today),
      data: awardData(kind, a.expires),
      dueAt: IMMEDIATE,
    };
  }
  return advance;
}

/** The next step of one due publicity at local day `today`, fanned out to the subscribers of that moment. */
function planPublicity(p: DuePublicity, today: string): ReminderAdvance {
  const step = stepReminders(publicityStages(p.ends), p.lastStage, today);
  const advance: ReminderAdvance = { id: p.id, nextReminderOn: step.nextReminderOn, lastStage: step.lastStage };
  if (step.send) {
    advance.fanOut = {
      keyPrefix: publicityKeyPrefix(p.id, step.send.stage),
      kind: 'publicity',
      text: publicityText(step.send, p, today),
      data: publicityData(step.send.kind as 'publicity_ending' | 'publicity_end', p.ends),
      dueAt: IMMEDIATE,
    };
  }
  return advance;
}

/** The message an outbox row stands for. */
export function toMessage(item: OutboxItem): OutgoingMessage {
  const msg: OutgoingMessage = { chat: item.chat, text: item.text };
  if ((item.priority ?? OUTBOX_PRIORITY.notice) >= OUTBOX_PRIORITY.bulk) msg.urgency = 'bulk';
  let data = item.data;
  let choices = item.choices;
  // Rows queued before outbox rows had their own choices carried them in data.replyChoices.
  if (!choices && data && Array.isArray(data.replyChoices)) {
    const { replyChoices, ...rest } = data;
    choices = replyChoices as Choice[];
    data = Object.keys(rest).length ? rest : undefined;
  }
  if (choices?.length) msg.choices = choices;
  if (data !== undefined) msg.data = data;
  return msg;
}

/** What one run did. */
export interface RunSummary {
  /** Rows recovered from a crash (left in `sending`). */
  recovered: number;
  /** Reminder rows enqueued by the due scan. */
  enqueued: number;
  /** Messages delivered. */
  sent: number;
  /** Messages given up on. */
  failed: number;
  /** Attempts that failed temporarily and were rescheduled. */
  retried: number;
  /** Broadcast reports queued. */
  reports: number;
}

const SILENT: DeliveryLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const SEEN_UPDATES_TTL_MS = 7 * 86_400_000;
/** While a batch of lower-priority rows drains, how often the queue is read again for a reply queued meanwhile, ms. */
const PRIORITY_RECHECK_MS = 500;

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function isPermanent(err: unknown): boolean {
  return err instanceof PermanentSendError || (err instanceof Error && err.name === 'PermanentSendError');
}

function retryAfterOf(err: unknown): number | undefined {
  if (err instanceof TemporarySendError) return err.retryAfterMs;
  const v = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Delivers reminders and broadcasts from the SQLite outbox.
 *
 * Exactly once: every message is a row with a unique key, enqueued in the same transaction that advances its reminder
 * (or creates its broadcast), so scanning or ticking twice cannot enqueue it twice. Before `channel.send` the row is
 * claimed (pending → sending) in a committed statement, then a line is written synchronously to the send journal, then
 * the platform is called with no await in between; afterwards the row becomes sent, pending again for a retry, or
 * failed. After a crash, a row in `sending` without a journal line never reached the platform and is sent again; a
 * row with one may or may not have reached it, and Telegram offers no idempotency key to ask. By default such a row
 * counts as delivered (`assume-sent`): a crash then loses a message only if it strikes in the microseconds between
 * the journal write and the platform call (for an HTTP platform, also while the request is in the air), the one
 * unavoidable window; `resend` trades that for a possible duplicate instead.
 *
 * One process delivers per database: a pass first takes the store's delivery lease; a process that cannot (another
 * live owner holds it) is a standby for that pass and sends nothing. Claims carry the owner and are fenced by the
 * lease, each owner has its own journal, and recovery only settles rows of this owner or of owners whose lease lapsed
 * or who are provably dead. A damaged database stops delivery; storage problems are told to staff by chat.
 */
export class DeliveryService {
  private readonly log: DeliveryLogger;
  private readonly policy: RetryPolicy;
  private readonly maxAttempts: number;
  private readonly maxInlineWaitMs: number;
  private readonly batchSize: number;
  private readonly sendTimeoutMs: number;
  private readonly interrupted: 'assume-sent' | 'resend';
  private readonly pacers = new Map<string, Pacer>();
  private chain: Promise<unknown> = Promise.resolve();
  private running = false;
  private stopping = false;
  private loopActive = false;
  private loopAgain = false;
  /** Set by `poke`: rows may have been queued that go before the rest of the batch being sent. */
  private urgent = false;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 60_000;
  private clock: () => Date = () => new Date();
  private readonly sleepers = new Set<() => void>();
  private lastPrune = 0;
  private readonly journal: SendJournal | undefined;
  private readonly journalOff: boolean;
  private readonly journalBase: string | undefined;
  private storageDelayMs = 0;
  private standbyLogged = false;
  private alerted: string | undefined;
  /** Whether a row of ours may be left in `sending` (an outcome could not be recorded, or a send timed out). */
  private unsettled = false;

  /** Builds the service over a store and the running channels, keyed by channel name. */
  constructor(
    private readonly store: LeasedStore,
    private readonly channels: Map<string, Channel>,
    private readonly options: DeliveryOptions = {},
  ) {
    this.log = options.logger ?? SILENT;
    this.policy = { baseBackoffMs: options.baseBackoffMs ?? 2000, maxBackoffMs: options.maxBackoffMs ?? 600_000 };
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.maxInlineWaitMs = options.maxInlineWaitMs ?? 15_000;
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.sendTimeoutMs = options.sendTimeoutMs ?? 120_000;
    this.interrupted = options.interrupted ?? 'assume-sent';
    // Journals live beside a database file, or under the store's journal folder (PostgreSQL).
    this.journalBase = store.path && store.path !== ':memory:' ? store.path : store.journalBase;
    const file = this.journalBase ? journalFileFor(this.journalBase, store.owner) : undefined;
    this.journalOff = options.journalPath === false;
    const journalPath = this.journalOff ? undefined : (options.journalPath ?? file);
    this.journal = journalPath ? new SendJournal(journalPath) : undefined;
  }

  /**
   * One pass at simulated or real time `now`: recover crash leftovers, enqueue due reminders, deliver every due outbox
   * row, then queue reports of settled broadcasts and deliver those. Calls are serialised: a call made while a pass
   * runs starts after it, so two ticks never overlap and a second tick at the same instant sends nothing new.
   */
  async runDue(now: Date): Promise<void> {
    await this.runPass(now);
  }

  /** Same as `runDue`, resolving what the pass did. */
  runPass(now: Date): Promise<RunSummary> {
    const run = this.chain.then(async () => {
      try {
        return await this.runOnce(now);
      } finally {
        await this.alertStaff();
      }
    });
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Runs `runDue` now and then every `intervalMs` after each pass ends (never overlapping), using `clock` for the time. */
  start(intervalMs = 60_000, clock: () => Date = () => new Date()): void {
    if (this.loopActive) return;
    this.loopActive = true;
    this.stopping = false;
    this.intervalMs = intervalMs;
    this.clock = clock;
    this.arm(0);
  }

  /** Asks the background loop for a pass as soon as possible (after a broadcast or publicity); no-op when not started. */
  poke(): void {
    this.urgent = true;
    if (!this.loopActive || this.stopping) return;
    if (this.running) this.loopAgain = true;
    else this.arm(0);
  }

  /**
   * Stops the loop, cuts waits short and resolves when the current pass has finished its sends in flight, or after
   * `stopTimeoutMs` if a platform hangs (such a send stays in `sending` with its journal line, for crash recovery).
   */
  async stop(): Promise<void> {
    this.loopActive = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const wake of [...this.sleepers]) wake();
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.chain.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.options.stopTimeoutMs ?? 10_000);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    if (!settled) this.log.warn({}, 'stopped with a send still in flight; the next start recovers it');
    this.journal?.close();
    // A clean stop hands delivery over at once; a send still in flight keeps the lease until it lapses.
    if (settled) {
      await this.store.releaseDelivery().catch(() => undefined);
      // Nothing of ours is left in flight: an empty journal has nothing to tell, so it is not left behind.
      if (this.journal && !this.unsettled) this.journal.reset();
    }
    this.stopping = false;
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loopTick(), ms);
  }

  private async loopTick(): Promise<void> {
    this.timer = undefined;
    this.loopAgain = false;
    let delay = this.intervalMs;
    try {
      await this.runPass(this.clock());
      this.storageDelayMs = 0;
    } catch (err) {
      if (isStorageError(err)) {
        // Retried with backoff, so delivery resumes soon after space returns, without hammering a full disk.
        this.storageDelayMs = Math.min(this.intervalMs, this.storageDelayMs ? this.storageDelayMs * 2 : (this.options.storageRetryMs ?? 5000));
        delay = this.storageDelayMs;
        this.log.error({ err: errorText(err), retryInMs: delay }, 'delivery pass failed on storage; retrying with backoff');
      } else this.log.error({ err: errorText(err) }, 'delivery pass failed');
    }
    await this.maybeBackup();
    if (this.loopActive && !this.stopping && !this.timer) this.arm(this.loopAgain ? 0 : delay);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping) return resolve();
      const wake = (): void => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async runOnce(now: Date): Promise<RunSummary> {
    const summary: RunSummary = { recovered: 0, enqueued: 0, sent: 0, failed: 0, retried: 0, reports: 0 };
    if (this.stopping) return summary;
    this.running = true;
    try {
      // The simulated clock advances with real time during the pass, so retries and pacing waits inside it come due.
      const wallStart = performance.now();
      const clock = (): number => now.getTime() + (performance.now() - wallStart);
      const health = this.store.health();
      if (health.problem === 'damaged') {
        // Sending from a damaged outbox could repeat or drop messages: stop until the database is restored.
        this.log.error({ db: this.store.path, detail: health.detail }, 'database damaged: delivery stopped; answering questions only; restore from a backup');
        return summary;
      }
      const lease = await this.store.acquireDelivery();
      if (!lease.leader) {
        if (!this.standbyLogged) {
          this.standbyLogged = true;
          this.log.warn({ holder: lease.holder }, 'standby: another process delivers from this database; this one answers questions and takes over when its lease lapses');
        }
        return summary;
      }
      if (this.standbyLogged) this.log.info({ owner: this.store.owner }, 'took over delivery');
      this.standbyLogged = false;
      try {
        await this.deliverAsLeader(now, clock, summary);
      } catch (err) {
        if (!(err instanceof LeaseLostError)) throw err;
        this.log.warn({ owner: this.store.owner }, 'lost the delivery lease; standing by');
      }
      if (summary.sent || summary.failed || summary.enqueued) this.log.info({ ...summary }, 'delivery pass');
      return summary;
    } finally {
      this.running = false;
    }
  }

  /** Runs the scheduled backup when one is due and this process delivers; never throws. */
  private async maybeBackup(): Promise<void> {
    const b = this.options.backup;
    if (!b || b.everyMs <= 0 || this.stopping || !this.store.holdsLease() || !this.store.health().ok) return;
    const last = this.store.health().lastBackup?.at ?? b.lastAt ?? 0;
    if (Date.now() - last < b.everyMs) return;
    try {
      const { file } = await b.run();
      b.lastAt = Date.now();
      this.log.info({ file }, 'backup written and verified');
    } catch (err) {
      // Tried again after the next pass; a failing backup never replaces a good one.
      b.lastAt = Date.now() - b.everyMs + Math.min(b.everyMs, 3_600_000);
      this.log.error({ err: errorText(err) }, 'scheduled backup failed');
    }
  }

  /** Sends the storage alert to every staff chat once per problem (and logs its end); never throws. */
  private async alertStaff(): Promise<void> {
    const h = this.store.health();
    const key = h.ok ? undefined : `${h.problem}:${h.since}`;
    if (key === this.alerted) return;
    const before = this.alerted;
    this.alerted = key;
    if (key) this.log.error({ db: this.store.path, problem: h.problem, detail: h.detail }, 'storage problem; staff alerted');
    else this.log.info({ db: this.store.path }, 'storage problem over');
    const text = key ? storageAlertText(h) : STORAGE_OK_TEXT;
    const data = { alert: { storage: key ? h.problem : 'ok' } };
    for (const [name, chats] of Object.entries(this.options.staff ?? {})) {
      const channel = this.channels.get(name);
      if (!channel) continue;
      for (const chat of chats) {
        await channel.send({ chat, text, data }).catch((err: unknown) => this.log.warn({ chat, err: errorText(err) }, 'could not alert staff'));
      }
    }
  }

  /** Deletes send journals left by owners that are gone and have no claim left (a kill -9 with nothing in flight). */
  private async removeStaleJournals(): Promise<void> {
    const db = this.journalBase;
    if (!db || this.journalOff) return;
    const keep = new Set([...(await this.store.knownOwners()), this.store.owner].map((o) => resolve(journalFileFor(db, o))));
    if (this.journal) keep.add(resolve(this.journal.path));
    const dir = dirname(resolve(db));
    const prefix = `${basename(db)}-sending.`;
    for (const f of readdirSync(dir)) {
      const file = join(dir, f);
      if (f.startsWith(prefix) && !keep.has(file)) rmSync(file, { force: true });
    }
  }

  /** Reads the send journals of the given owners (this one's own journal included). */
  private journalsOf(owners: string[]): StartedSend[] | undefined {
    if (this.journalOff) return undefined;
    const out: StartedSend[] = [];
    for (const o of owners) {
      const file = o === this.store.owner ? this.journal?.path : this.journalBase ? journalFileFor(this.journalBase, o) : undefined;
      if (file) out.push(...new SendJournal(file).read());
    }
    return out;
  }

  /** The body of a pass while holding the delivery lease. */
  private async deliverAsLeader(now: Date, clock: () => number, summary: RunSummary): Promise<void> {
    {
      // Runs never overlap and each waits for its sends, so a row of ours in `sending` now was left by a failure (or
      // a send that timed out); rows of owners whose lease lapsed were left by a crash. Their journals tell which were
      // handed to the platform. Rows of a live owner are never touched.
      const owners = await this.store.recoverableOwners();
      if (owners.length) {
        summary.recovered = await this.store.recoverInterrupted(this.interrupted, now.getTime(), this.journalsOf(owners));
        for (const o of owners) {
          if (o === this.store.owner || !this.journalBase) continue;
          const f = journalFileFor(this.journalBase, o);
          if (existsSync(f)) rmSync(f, { force: true });
        }
      }
      this.journal?.reset();
      this.unsettled = false;
      await this.removeStaleJournals();
      if (summary.recovered) this.log.warn({ rows: summary.recovered, mode: this.interrupted }, 'recovered deliveries interrupted by a crash');
      summary.enqueued = await this.enqueueDueReminders(now);
      await this.pruneSeenUpdates();
      const names = [...this.channels.keys()];
      for (let round = 0; round < 10 && !this.stopping; round++) {
        await Promise.all(names.map((name) => this.drainChannel(name, clock, summary)));
        if (this.stopping) break;
        const reports = await this.queueReports(names);
        summary.reports += reports;
        if (reports === 0) break;
      }
    }
  }

  /** Enqueues every reminder due on `now`'s local day (Asia/Shanghai) through the indexed next_reminder_on columns; resolves the rows created. */
  async enqueueDueReminders(now: Date): Promise<number> {
    const today = localDay(now);
    let created = 0;
    // Each batch advances its rows past `today` (or ends them), so the loop ends; the guard is a safety net.
    for (let guard = 0; guard < 100_000; guard++) {
      const r = await this.store.advanceDueAwards(today, this.batchSize, (due) => due.map((a) => planAward(a, today)), now);
      created += r.created;
      if (r.seen < this.batchSize) break;
    }
    for (let guard = 0; guard < 10_000; guard++) {
      const r = await this.store.advanceDuePublicity(today, this.batchSize, (due) => due.map((p) => planPublicity(p, today)), now);
      created += r.created;
      if (r.seen < this.batchSize) break;
    }
    return created;
  }

  private async pruneSeenUpdates(): Promise<void> {
    const wall = Date.now();
    if (wall - this.lastPrune < 3_600_000) return;
    this.lastPrune = wall;
    await this.store.pruneSeenUpdates(new Date(wall - SEEN_UPDATES_TTL_MS));
  }

  private pacerFor(name: string, channel: Channel): Pacer {
    let p = this.pacers.get(name);
    if (!p) {
      p = new Pacer({
        minIntervalMs: this.options.minIntervalMs?.[name] ?? channel.minSendIntervalMs ?? DEFAULT_MIN_INTERVAL_MS[name] ?? 0,
        perChatIntervalMs: this.options.perChatIntervalMs?.[name] ?? DEFAULT_PER_CHAT_INTERVAL_MS[name] ?? 0,
      });
      this.pacers.set(name, p);
    }
    return p;
  }

  /**
   * Delivers every due row of one channel, paced, until none is due within the inline wait. Rows are claimed one at a
   * time, right before their send: a crash can only lose a message whose journal line was written in the
   * microseconds before the platform call, so the chance that a random crash loses one is about that window times
   * the send rate; claiming rows in groups would raise the rate, and with it that chance, for no gain at platform pace.
   */
  private async drainChannel(name: string, clock: () => number, summary: RunSummary): Promise<void> {
    const channel = this.channels.get(name);
    if (!channel) return;
    const pacer = this.pacerFor(name, channel);
    const maxInFlight = Math.max(1, this.options.maxInFlight?.[name] ?? 1);
    const inFlight = new Map<number, Promise<void>>();
    const chatBusy = new Map<string, Promise<void>>();
    const onSent = async (id: number): Promise<void> => {
      summary.sent += 1;
      try {
        await this.store.markSent([id], clock());
      } catch (err) {
        // The row stays in `sending` with its journal line; the next pass counts it delivered.
        this.unsettled = true;
        this.log.error({ id, err: errorText(err) }, 'sent but could not record it; the next pass recovers the row');
      }
    };
    let idleBatches = 0;
    try {
      while (!this.stopping) {
        this.urgent = false;
        const fetchedAt = performance.now();
        const batch = await this.store.dueOutbox(name, clock(), this.batchSize);
        if (batch.length === 0) {
          if (inFlight.size > 0) {
            await Promise.all(inFlight.values());
            continue;
          }
          const next = await this.store.nextDueAt(name);
          if (next === undefined) break;
          const wait = next - clock();
          if (wait > this.maxInlineWaitMs) break;
          await this.sleep(Math.max(1, wait));
          continue;
        }
        let claimedInBatch = 0;
        let lookAgain = false;
        for (const item of batch) {
          if (this.stopping) break;
          // A reply queued while a broadcast or reminders drain goes next: read the queue again when poked, or twice a second.
          if (claimedInBatch > 0 && (item.priority ?? OUTBOX_PRIORITY.notice) > OUTBOX_PRIORITY.reply && (this.urgent || performance.now() - fetchedAt > PRIORITY_RECHECK_MS)) {
            lookAgain = true;
            break;
          }
          // Wait for the chat to be idle, the pace and a free send slot, all before claiming.
          const busy = chatBusy.get(item.chat);
          if (busy) await busy;
          for (let w = pacer.waitMs(item.chat, clock()); w > 0 && !this.stopping; w = pacer.waitMs(item.chat, clock())) await this.sleep(w);
          while (inFlight.size >= maxInFlight) await Promise.race(inFlight.values());
          if (this.stopping) break;
          if ((await this.store.claimOutbox([item.id], clock())).length === 0) continue;
          claimedInBatch++;
          // The lease could have lapsed while the claim was in the air (a frozen process): then leave the row claimed
          // without a journal line, and the new holder sends it, knowing it never reached the platform.
          if (!this.store.holdsLease(item.id)) throw new LeaseLostError('delivery lease lapsed before the send');
          try {
            this.journal?.record(item.id, item.attempts + 1);
          } catch (err) {
            this.log.error({ id: item.id, err: errorText(err) }, 'could not write the send journal; will retry');
            await this.store.markRetry(item.id, clock() + retryDelayMs(item.attempts + 1, undefined, this.policy), errorText(err));
            continue;
          }
          // Journaled: from here to the platform call there is no await (the unavoidable crash window).
          pacer.started(item.chat, clock());
          const p: Promise<void> = this.sendOne(channel, item, pacer, clock, summary, onSent).finally(() => {
            inFlight.delete(item.id);
            if (chatBusy.get(item.chat) === p) chatBusy.delete(item.chat);
          });
          inFlight.set(item.id, p);
          chatBusy.set(item.chat, p);
        }
        // Nothing claimable: other processes are sending these rows (or an earlier message of the same chat). They
        // deliver them and what follows; this one comes back on the next wake-up instead of spinning.
        if (lookAgain) continue;
        if (claimedInBatch === 0 && inFlight.size > 0) await Promise.race(inFlight.values());
        else if (claimedInBatch === 0) {
          if (++idleBatches >= 3) break;
          await this.sleep(100);
        } else idleBatches = 0;
      }
    } finally {
      await Promise.all(inFlight.values());
    }
  }

  /** Sends one claimed row and records the outcome; never rejects. */
  private async sendOne(
    channel: Channel,
    item: OutboxItem,
    pacer: Pacer,
    clock: () => number,
    summary: RunSummary,
    onSent: (id: number) => Promise<void>,
  ): Promise<void> {
    const msg = toMessage(item);
    let timer: NodeJS.Timeout | undefined;
    let outcome: 'sent' | 'timeout';
    try {
      outcome = await Promise.race([
        channel.send(msg).then(() => 'sent' as const),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), this.sendTimeoutMs);
          timer.unref();
        }),
      ]);
    } catch (err) {
      clearTimeout(timer);
      await this.recordFailure(item, err, pacer, clock, summary).catch((e) => {
        this.unsettled = true;
        this.log.error({ id: item.id, err: errorText(e) }, 'could not record a failed send');
      });
      return;
    }
    clearTimeout(timer);
    if (outcome === 'timeout') {
      // Left in `sending` with its journal line: the next pass's crash recovery settles it.
      this.unsettled = true;
      this.log.warn({ id: item.id, channel: channel.name }, 'send timed out; left to crash recovery');
      return;
    }
    await onSent(item.id);
  }

  private async recordFailure(item: OutboxItem, err: unknown, pacer: Pacer, clock: () => number, summary: RunSummary): Promise<void> {
    const attempts = item.attempts + 1;
    const text = errorText(err);
    if (isPermanent(err)) {
      await this.store.markFailed(item.id, text);
      summary.failed += 1;
      this.log.warn({ id: item.id, chat: item.chat, err: text }, 'permanent send failure');
      return;
    }
    // TemporarySendError, or an unexpected error (network, bug in an adapter): retried with backoff.
    const retryAfter = retryAfterOf(err);
    if (retryAfter !== undefined && retryAfter > 0) pacer.pause(retryAfter, clock());
    if (attempts >= this.maxAttempts) {
      await this.store.markFailed(item.id, `gave up after ${attempts} attempts: ${text}`);
      summary.failed += 1;
      this.log.warn({ id: item.id, chat: item.chat, err: text, attempts }, 'giving up on a message');
      return;
    }
    await this.store.markRetry(item.id, clock() + retryDelayMs(attempts, retryAfter, this.policy), text);
    summary.retried += 1;
  }

  /** Queues the sender's report of every broadcast whose deliveries on the running channels are settled. */
  private async queueReports(names: string[]): Promise<number> {
    let n = 0;
    for (const b of await this.store.listSettledUnreported(names, 100)) {
      if (await this.store.markBroadcastReported(b.id, broadcastReport(b))) n += 1;
    }
    return n;
  }
}
