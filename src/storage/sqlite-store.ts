/** The embedded SQLite implementation of the store: WAL journal, versioned migrations and a single serial writer. */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import { HealthTracker } from './health.ts';
import { migrate, type Migration } from './migrations.ts';
import * as broadcasts from './sql/broadcasts.ts';
import * as chats from './sql/chats.ts';
import * as inbox from './sql/inbox.ts';
import * as knowledge from './sql/knowledge.ts';
import * as outbox from './sql/outbox.ts';
import * as owners from './sql/owners.ts';
import * as reminders from './sql/reminders.ts';
import type { SqlRunner } from './sql/runner.ts';
import * as subscriptions from './sql/subscriptions.ts';
import { Connection, wrapError } from './sqlite/connection.ts';
import { checkFile, runQuickCheck } from './sqlite/quick-check.ts';
import type {
  AwardRecord,
  BroadcastStats,
  DueAward,
  DuePublicity,
  NewOutboxItem,
  OutboxCounts,
  OutboxItem,
  PublicityRecord,
  ReminderAdvance,
  AdvanceResult,
  DeliveryLeaseState,
  AppStore,
  StartedSend,
  StoreHealth,
  StoredUpdate,
  Subscriber,
  ChatEffects,
} from './store.ts';
import { LeaseLostError, StorageError, isStorageError, storageProblemOf } from './store.ts';

export { ownerDead, type OwnerRow } from './sql/owners.ts';
export type { SqlRunner } from './sql/runner.ts';

/** Options for opening a SQLite store. */
export interface SqliteStoreOptions {
  /**
   * Durability of each commit. FULL (the default) fsyncs the WAL on every commit, so a delivery recorded as claimed
   * or sent survives a power cut as well as a kill -9; NORMAL survives a process crash but may roll back the last
   * commits on power loss, which could repeat a send. FULL costs well under a millisecond per commit here, far below
   * the platforms' own send pace (Telegram ≈ 30/s), so exactly-once wins.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a statement waits for another process's lock before failing, in ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * How long this connection's owner lease lasts without renewal, in ms (default 30 s); it is renewed every third of
   * that. Another process takes delivery over only once the lease has lapsed (or this process is provably dead).
   */
  leaseMs?: number;
  /** Gap between two PRAGMA quick_check runs, made when the store has been idle for a few seconds (default 6 h; 0: only at open). */
  quickCheckIntervalMs?: number;
}

/**
 * SQLite store. node-sqlite3 runs the statements of one connection on a thread pool and does not isolate two
 * transactions opened from different async flows, so every operation (reads included, so that no read ever sees
 * another flow's uncommitted rows) goes through one serial queue: one job at a time, a transaction being one job.
 * The SQL itself lives in ./sql/, one file per concern, shared with the PostgreSQL store.
 */
export class SqliteStore implements AppStore {
  readonly engine = 'sqlite';
  private tail: Promise<void> = Promise.resolve();
  /** Urgent jobs waiting to run before the rest of the queue (see `schedule`). */
  private readonly urgentJobs: (() => Promise<void>)[] = [];
  private closing: Promise<void> | undefined;
  /** This connection's owner id: host, pid and a random part. */
  readonly owner = `${owners.HOST}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly quickCheckIntervalMs: number;
  private readonly healthState = new HealthTracker();
  /** Wall time until which this owner's lease is known to be valid (the last renewal that committed). */
  private leaseUntil = 0;
  private leader = false;
  private registered = false;
  private queued = 0;
  private lastJobEnd = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private beating = false;

  private constructor(private readonly conn: Connection, readonly path: string, options: SqliteStoreOptions) {
    this.leaseMs = Math.max(300, options.leaseMs ?? 30_000);
    this.quickCheckIntervalMs = options.quickCheckIntervalMs ?? 6 * 3_600_000;
  }

  /**
   * Opens (creating if needed) the database file, switches it to WAL, runs PRAGMA quick_check, applies pending
   * migrations and registers this process as an owner. A file that cannot be opened or written (read-only, wrong
   * permissions, not a database) rejects with a StorageError naming the path and the cause; damage found by the check
   * does not reject, it shows in `health()` so the bot can keep answering questions and stop delivering.
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const memory = path === ':memory:' || path === '';
    const fail = (e: unknown, what: string): StorageError => {
      const code = String((e as { code?: unknown })?.code ?? 'SQLITE_ERROR');
      const cause = (e as Error)?.message ?? String(e);
      const hint = code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' ? '（数据库已损坏：停止机器人后运行 npm run cli -- restore latest 从备份恢复 / damaged: restore from a backup）' : '';
      return new StorageError(`无法使用数据库 / cannot use database ${path}: ${what}: ${cause}${hint}`, code, path, { cause: e });
    };
    try {
      if (!memory) mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw fail(e, 'cannot create its directory');
    }
    const db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d: sqlite3.Database = new sqlite3.Database(path, (err) => (err ? reject(fail(err, 'cannot open the file')) : resolve(d)));
    });
    const conn = new Connection(db);
    const store = new SqliteStore(conn, path, options);
    try {
      const busy = options.busyTimeoutMs ?? 5000;
      db.configure('busyTimeout', busy);
      const mode = await conn.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL').catch((e) => {
        throw fail(e, 'cannot switch to WAL');
      });
      if (!memory && mode?.journal_mode.toLowerCase() !== 'wal') throw fail(new Error(`journal mode is ${mode?.journal_mode}`), 'cannot switch to WAL');
      await conn.exec(`PRAGMA synchronous = ${options.synchronous ?? 'FULL'}; PRAGMA foreign_keys = ON;`);
      await runQuickCheck(conn, store.healthState);
      await migrate({
        getVersion: async () => (await conn.get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0,
        apply: async (m: Migration) => {
          await conn.exec('BEGIN IMMEDIATE');
          try {
            await conn.exec(m.sql);
            await conn.exec(`PRAGMA user_version = ${Number(m.version)}`);
            await conn.exec('COMMIT');
          } catch (e) {
            await conn.exec('ROLLBACK').catch(() => undefined);
            throw e;
          }
        },
      }).catch((e) => {
        throw isStorageError(e) ? fail(e, 'cannot apply the schema migrations') : e;
      });
      // Registering is also the write probe: a read-only file fails here, at start-up, not at the first message.
      try {
        await store.register(conn);
      } catch (e) {
        if (storageProblemOf(e) !== 'full') throw fail(e, 'cannot write to it');
        store.healthState.noteFailure(e);
      }
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
    owners.OPEN_OWNERS.add(store.owner);
    store.timer = setInterval(() => void store.heartbeat(), Math.max(100, Math.floor(store.leaseMs / 3)));
    store.timer.unref();
    return store;
  }

  /** Current health: a damaged database (quick_check or a corruption error), a full disk, a read-only file, or ok. */
  health(): StoreHealth {
    return this.healthState.get();
  }

  /** Runs PRAGMA quick_check now (queued like any operation); resolves whether it passed. */
  quickCheck(): Promise<boolean> {
    return this.schedule((c) => runQuickCheck(c, this.healthState));
  }

  /** Inserts or renews this owner's row; the lease lasts `leaseMs` from now. */
  private async register(c: SqlRunner): Promise<void> {
    const now = Date.now();
    const until = now + this.leaseMs;
    await owners.registerOwner(c, this.owner, now, until);
    this.registered = true;
    this.leaseUntil = until;
  }

  /** Timer: renews the owner lease and, when the store has been idle a while, runs the periodic quick_check. */
  private async heartbeat(): Promise<void> {
    if (this.closing || this.closed || this.beating) return;
    this.beating = true;
    try {
      // Quiet: nothing queued and nothing done for two seconds (the beat's own renewal does not count).
      const quiet = this.queued === 0 && Date.now() - this.lastJobEnd >= 2000;
      await this.schedule((c) => this.register(c), true, true).catch(() => undefined); // recorded in the health; the next beat retries
      if (quiet && this.quickCheckIntervalMs > 0 && Date.now() - this.healthState.lastCheckAt >= this.quickCheckIntervalMs) await checkFile(this.path, this.healthState);
    } finally {
      this.beating = false;
    }
  }

  /**
   * Runs `job` after every job queued before it; the single writer. An `urgent` job (a webhook update waiting for its
   * acknowledgement) runs right after the job under way, ahead of those still queued. Storage errors are recorded in
   * the health and rethrown as StorageError.
   */
  private schedule<T>(job: (c: Connection) => Promise<T>, write = false, background = false, urgent = false): Promise<T> {
    if (this.closing) return Promise.reject(new StorageError(`${this.path}: store is closed`, 'STORE_CLOSED', this.path));
    this.queued++;
    const run = async (): Promise<T> => {
      try {
        const r = await job(this.conn);
        if (write) this.healthState.noteWriteOk();
        return r;
      } catch (e) {
        this.healthState.noteFailure(e);
        throw wrapError(e, this.path);
      } finally {
        this.queued--;
        if (!background) this.lastJobEnd = Date.now();
      }
    };
    let result: Promise<T>;
    if (urgent) {
      result = new Promise<T>((resolve, reject) => this.urgentJobs.push(() => run().then(resolve, reject)));
      // Whichever comes first runs it: the next queued job's start, or this step at the end of the queue.
      this.tail = this.tail.then(() => this.runUrgent());
      return result; // the tail stays the queue's end: this job may finish before jobs queued earlier
    } else {
      result = this.tail.then(async () => {
        await this.runUrgent();
        return run();
      });
    }
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Runs the urgent jobs waiting, in order; never rejects (each job settles its own promise). */
  private async runUrgent(): Promise<void> {
    for (let next = this.urgentJobs.shift(); next; next = this.urgentJobs.shift()) await next();
  }

  /** Runs `job` inside BEGIN IMMEDIATE … COMMIT as one queued job; rolls back when it throws. */
  private transaction<T>(job: (c: Connection) => Promise<T>): Promise<T> {
    return this.schedule(async (c) => {
      await c.run('BEGIN IMMEDIATE');
      try {
        const result = await job(c);
        await c.run('COMMIT');
        return result;
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }, true);
  }

  /** Takes or renews the delivery lease unless another live owner holds it. */
  acquireDelivery(): Promise<DeliveryLeaseState> {
    return this.transaction(async (c) => {
      await this.register(c);
      const state = await owners.acquireDeliveryLease(c, this.owner, Date.now());
      this.leader = state.leader;
      return state;
    });
  }

  /** Whether this process may hand a claimed row to the platform now (lease held, with a margin before it lapses). */
  holdsLease(): boolean {
    const margin = Math.min(5000, Math.floor(this.leaseMs / 3));
    return this.leader && this.registered && Date.now() < this.leaseUntil - margin;
  }

  /** Gives the delivery lease up, so a standby can take over at once. */
  async releaseDelivery(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    await this.schedule((c) => owners.releaseDeliveryLease(c, this.owner), true);
  }

  /** Owners whose `sending` claims may be recovered now: this one, unowned legacy rows (''), and owners whose lease lapsed or who are provably dead. */
  recoverableOwners(): Promise<string[]> {
    return this.schedule((c) => owners.recoverableOwners(c, this.owner, Date.now()));
  }

  /** Every owner that is registered and not provably dead, or still has a claim in `sending`. */
  knownOwners(): Promise<string[]> {
    return this.schedule((c) => owners.knownOwners(c, Date.now()));
  }

  /** Reads the saved dialogue state of a chat, or undefined. */
  getChatState(channel: string, chat: string): Promise<unknown | undefined> {
    return this.schedule((c) => chats.getChatState(c, channel, chat));
  }

  /** Saves the dialogue state of a chat. */
  saveChatState(channel: string, chat: string, state: unknown, effects?: ChatEffects): Promise<void> {
    if (effects?.cancelMatchNotices) {
      return this.transaction(async (c) => {
        await chats.cancelMatchNotices(c, channel, chat);
        await chats.saveChatState(c, channel, chat, state, Date.now());
      });
    }
    return this.schedule((c) => chats.saveChatState(c, channel, chat, state, Date.now()), true);
  }

  /** Waits for queued work, removes this owner's row (best effort), then closes the connection; later calls are rejected. */
  close(): Promise<void> {
    if (!this.closing) {
      if (this.timer) clearInterval(this.timer);
      const tail = this.tail;
      this.closing = tail.then(async () => {
        if (this.registered) await owners.unregisterOwner(this.conn, this.owner).catch(() => undefined);
        this.leader = false;
        this.closed = true;
        owners.OPEN_OWNERS.delete(this.owner);
        await this.conn.close();
      });
    }
    return this.closing;
  }

  /** Records a platform update id; resolves false when it was seen before. */
  markUpdateSeen(channel: string, updateId: string | number): Promise<boolean> {
    return this.schedule((c) => chats.markUpdateSeen(c, channel, updateId, Date.now()), true);
  }

  /** Forgets update ids recorded before `before`. */
  pruneSeenUpdates(before: Date): Promise<number> {
    return this.schedule(async (c) => (await chats.pruneSeenUpdates(c, before)) + (await inbox.pruneInbox(c, before)), true);
  }

  /** Stores a platform update before it is acknowledged; resolves false for a redelivery. */
  storeUpdate(channel: string, updateId: string, payload: string, at: Date): Promise<boolean> {
    return this.schedule((c) => inbox.storeUpdate(c, channel, updateId, payload, at.getTime()), true, false, true);
  }

  /** Stored updates of a channel not yet answered, oldest first. */
  openUpdates(channel: string, limit: number): Promise<StoredUpdate[]> {
    return this.schedule((c) => inbox.openUpdates(c, channel, limit));
  }

  /** Records that a stored update has been answered. */
  markUpdateDone(channel: string, updateId: string, at: Date): Promise<void> {
    return this.schedule((c) => inbox.markUpdateDone(c, channel, updateId, at.getTime()), true);
  }

  /** Subscribes a chat; `tags` replaces its tags, undefined keeps an active subscription's tags. */
  subscribe(channel: string, chat: string, tags: string[] | undefined, at: Date): Promise<{ subscriber: Subscriber; wasActive: boolean }> {
    return this.transaction((c) => subscriptions.subscribe(c, channel, chat, tags, at));
  }

  /** Unsubscribes a chat and cancels its undelivered publicity and broadcast messages. */
  unsubscribe(channel: string, chat: string): Promise<boolean> {
    return this.transaction((c) => subscriptions.unsubscribe(c, channel, chat));
  }

  /** The chat's subscription, active or not, or undefined. */
  getSubscriber(channel: string, chat: string): Promise<Subscriber | undefined> {
    return this.schedule((c) => subscriptions.getSubscriber(c, channel, chat));
  }

  /** Number of active subscribers, optionally only those carrying `tag`. */
  countSubscribers(tag?: string): Promise<number> {
    return this.schedule((c) => subscriptions.countSubscribers(c, tag));
  }

  /** Registers an award for a chat unless it has one with the same date. */
  addAward(award: { channel: string; chat: string; awardedOn: string; expires: string; nextReminderOn: string | null }, at: Date): Promise<{ award: AwardRecord; created: boolean }> {
    return this.transaction((c) => reminders.addAward(c, award, at));
  }

  /** The chat's awards, oldest grant first. */
  listAwards(channel: string, chat: string): Promise<AwardRecord[]> {
    return this.schedule((c) => reminders.listAwards(c, channel, chat));
  }

  /** Removes one of the chat's awards and cancels its undelivered reminders. */
  removeAward(channel: string, chat: string, id: number): Promise<boolean> {
    return this.transaction((c) => reminders.removeAward(c, channel, chat, id));
  }

  /** Awards whose next reminder day is on or before `today`, by reminder day. */
  listDueAwards(today: string, limit: number): Promise<DueAward[]> {
    return this.schedule((c) => reminders.listDueAwards(c, today, limit));
  }

  /** Records a publicity and queues `start` for every active subscriber. */
  addPublicity(
    publicity: { title: string; starts: string; ends: string; createdBy: string; nextReminderOn: string | null },
    start: { text: string; data?: Record<string, unknown> },
    at: Date,
  ): Promise<{ publicity: PublicityRecord; created: boolean; recipients: number }> {
    return this.transaction((c) => reminders.addPublicity(c, publicity, start, at));
  }

  /** Publicity periods whose next reminder day is on or before `today`. */
  listDuePublicity(today: string, limit: number): Promise<DuePublicity[]> {
    return this.schedule((c) => reminders.listDuePublicity(c, today, limit));
  }

  /** Reads due awards, plans and applies their steps in one transaction. */
  advanceDueAwards(today: string, limit: number, plan: (due: DueAward[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult> {
    return this.transaction((c) => reminders.advanceDueAwards(c, today, limit, plan, at));
  }

  /** Reads due publicity periods, plans and applies their steps in one transaction. */
  advanceDuePublicity(today: string, limit: number, plan: (due: DuePublicity[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult> {
    return this.transaction((c) => reminders.advanceDuePublicity(c, today, limit, plan, at));
  }

  /** Records a broadcast and queues it for every matching active subscriber, in one transaction. */
  createBroadcast(broadcast: { senderChannel: string; senderChat: string; text: string; tag?: string }, at: Date): Promise<{ id: string; recipients: number }> {
    return this.transaction((c) => broadcasts.createBroadcast(c, broadcast, at));
  }

  /** Delivery counts of one broadcast, or undefined. */
  getBroadcast(id: string): Promise<BroadcastStats | undefined> {
    const n = broadcasts.broadcastNumber(id);
    if (n === undefined) return Promise.resolve(undefined);
    return this.schedule((c) => broadcasts.getBroadcast(c, n));
  }

  /** The most recent broadcasts with their counts, newest first. */
  listBroadcasts(limit: number): Promise<BroadcastStats[]> {
    return this.schedule((c) => broadcasts.listBroadcasts(c, limit));
  }

  /** Broadcasts without a report whose deliveries on `channels` are all settled. */
  listSettledUnreported(channels: string[], limit: number): Promise<BroadcastStats[]> {
    if (channels.length === 0) return Promise.resolve([]);
    return this.schedule((c) => broadcasts.listSettledUnreported(c, channels, limit));
  }

  /** Marks a broadcast reported and queues `report`, atomically; resolves false when it was reported already. */
  markBroadcastReported(id: string, report: NewOutboxItem | undefined): Promise<boolean> {
    const n = broadcasts.broadcastNumber(id);
    if (n === undefined) return Promise.resolve(false);
    return this.transaction((c) => broadcasts.markBroadcastReported(c, n, report, new Date()));
  }

  /** Adds a message to the outbox; resolves false when its key exists already. */
  enqueue(item: NewOutboxItem, at: Date): Promise<boolean> {
    return this.schedule((c) => outbox.insertItem(c, item, at), true);
  }

  /** Pending messages of one channel due at `nowMs`, oldest first. */
  dueOutbox(channel: string, nowMs: number, limit: number): Promise<OutboxItem[]> {
    return this.schedule((c) => outbox.dueOutbox(c, channel, nowMs, limit));
  }

  /** Earliest due time of a pending message of the channel, or undefined. */
  nextDueAt(channel: string): Promise<number | undefined> {
    return this.schedule((c) => outbox.nextDueAt(c, channel));
  }

  /**
   * Claims pending messages for sending under this owner; resolves the ids claimed (not those cancelled or claimed
   * meanwhile). The claim is fenced by the lease: it only happens while this owner holds the delivery lease and its
   * owner lease is live, in the same statement. Rejects with LeaseLostError when another owner holds the lease.
   */
  claimOutbox(ids: readonly number[], nowMs: number): Promise<number[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.schedule(async (c) => {
      const wall = Date.now();
      const claimed = await owners.claimUnderLease(c, this.owner, ids, nowMs, wall);
      if (claimed.length === 0 && !(await owners.holdsDeliveryLease(c, this.owner, wall))) {
        this.leader = false;
        throw new LeaseLostError('this process no longer holds the delivery lease');
      }
      return claimed;
    }, true);
  }

  /** Records successful sends. */
  markSent(ids: readonly number[], nowMs: number): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.schedule((c) => outbox.markSent(c, ids, nowMs), true);
  }

  /** Puts a claimed message back for another attempt at `dueAt`. */
  markRetry(id: number, dueAt: number, error: string): Promise<void> {
    return this.schedule((c) => outbox.markRetry(c, id, dueAt, error), true);
  }

  /** Records that a claimed message will not be delivered. */
  markFailed(id: number, error: string): Promise<void> {
    return this.schedule((c) => outbox.markFailed(c, id, error), true);
  }

  /**
   * Settles rows left in `sending` by this owner or by owners whose lease lapsed or who are provably dead (see
   * `SchedulingStore.recoverInterrupted`); rows of a live owner are never touched. Only the delivery lease holder
   * recovers (others resolve 0). Dead owners' rows in store_owners are removed.
   */
  recoverInterrupted(mode: 'assume-sent' | 'resend', nowMs: number, started?: readonly StartedSend[]): Promise<number> {
    const startedKeys = started ? new Set(started.map((s) => `${s.id}:${s.attempts}`)) : undefined;
    return this.transaction(async (c) => {
      const wall = Date.now();
      if ((await owners.leaseHolder(c)) !== this.owner) return 0;
      const recoverable = await owners.recoverableOwners(c, this.owner, wall);
      if (recoverable.length === 0) return 0;
      await owners.forgetOwners(
        c,
        recoverable.filter((o) => o !== this.owner && o !== ''),
      );
      return outbox.settleSending(c, recoverable, mode, nowMs, startedKeys);
    });
  }

  /**
   * Writes a consistent copy of the live database to `file` with VACUUM INTO, as one queued job (other work waits
   * for it; a few milliseconds for an association's data). Refuses while the database is known to be damaged, so a
   * bad copy never pushes a good backup out of the rotation. Records the file in the health once it is verified by
   * the caller (`noteBackup`).
   */
  backupTo(file: string): Promise<void> {
    if (this.healthState.damaged) return Promise.reject(new StorageError(`${this.path}: database is damaged; not backed up`, 'SQLITE_CORRUPT', this.path));
    return this.schedule(async (c) => {
      await c.run('VACUUM INTO ?', [file]);
    });
  }

  /** Records a verified backup in the health. */
  noteBackup(file: string, at: number): void {
    this.healthState.noteBackup(file, at);
  }

  /** Counts of outbox rows by state. */
  outboxCounts(): Promise<OutboxCounts> {
    return this.schedule((c) => outbox.outboxCounts(c));
  }

  /** The knowledge version every process reloads on when it changes. */
  knowledgeVersion(): Promise<number> {
    return this.schedule((c) => knowledge.getVersion(c));
  }

  /** Records that the documents changed, so every process on this file reloads them. */
  bumpKnowledgeVersion(at: Date): Promise<number> {
    return this.schedule((c) => knowledge.bumpVersion(c, at.getTime()), true);
  }

  /**
   * Runs `job` as one job of the serial queue (inside BEGIN IMMEDIATE … COMMIT when `transaction` is true), for
   * feature modules that keep their own SQL next to their code, such as the staff console (src/web).
   */
  runExclusive<T>(job: (db: SqlRunner) => Promise<T>, transaction = false): Promise<T> {
    return transaction ? this.transaction(job) : this.schedule(job);
  }
}
