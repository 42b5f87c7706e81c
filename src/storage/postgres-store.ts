/**
 * The PostgreSQL implementation of the store, for several bot processes on one database: every process answers and
 * delivers. Outbox rows are claimed with SELECT … FOR UPDATE SKIP LOCKED under each process's owner lease, so a
 * crashed or paused process's claims are taken over by its peers once its lease lapses; per-chat order is kept in
 * the claim itself; LISTEN/NOTIFY wakes every process when work is queued.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { HealthTracker } from './health.ts';
import { migrate } from './migrations.ts';
import { MIGRATION_LOCK_KEY, PG_MIGRATIONS } from './postgres/schema.ts';
import { PgRunner, PG_TYPES } from './postgres/runner.ts';
import * as broadcasts from './sql/broadcasts.ts';
import * as chats from './sql/chats.ts';
import * as inbox from './sql/inbox.ts';
import * as knowledge from './sql/knowledge.ts';
import * as outbox from './sql/outbox.ts';
import * as owners from './sql/owners.ts';
import * as reminders from './sql/reminders.ts';
import type { SqlRunner } from './sql/runner.ts';
import { marks } from './sql/runner.ts';
import * as subscriptions from './sql/subscriptions.ts';
import type {
  AdvanceResult,
  AwardRecord,
  BroadcastStats,
  DeliveryLeaseState,
  DueAward,
  DuePublicity,
  AppStore,
  NewOutboxItem,
  OutboxCounts,
  OutboxItem,
  PublicityRecord,
  ReminderAdvance,
  StartedSend,
  StoreHealth,
  StoredUpdate,
  Subscriber,
  ChatEffects,
} from './store.ts';
import { LeaseLostError, StorageError } from './store.ts';

/** Options for opening a PostgreSQL store. */
export interface PostgresStoreOptions {
  /** Owner lease length in ms (default 30 s), renewed every third of it; peers take a lapsed owner's claims over. */
  leaseMs?: number;
  /** Connections in the pool (default 8). */
  poolSize?: number;
  /** Folder for this host's send journals (default SEND_JOURNAL_DIR, else the working directory, like the SQLite file's). */
  journalDir?: string;
}

/** Channel NOTIFY uses when outbox rows are queued. */
const WORK_CHANNEL = 'policy_bot_outbox';

/** PostgreSQL error classes that mean the database cannot be used (as opposed to a bug in a statement). */
function pgProblemCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === '53100') return 'PG_DISK_FULL';
  if (code === '25006') return 'PG_READ_ONLY';
  if (/^(08|53|57P|58)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NOTFOUND)$/.test(code)) return `PG_${code}`;
  return undefined;
}

/** Wraps a connection, space or shutdown failure as a StorageError naming the database (never its password). */
function wrapPg(err: unknown, where: string): unknown {
  if (err instanceof StorageError) return err;
  const code = pgProblemCode(err);
  if (!code) return err;
  return new StorageError(`${where}: ${(err as Error).message}`, code, where, { cause: err });
}

/** The database URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export class PostgresStore implements AppStore {
  readonly engine = 'postgres';
  /** This process's owner id: host, pid and a random part. */
  owner = `${owners.HOST}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** No local database file. */
  readonly path = undefined;
  /** Base name of this host's send journals (`<journalBase>-sending.<owner>`). */
  readonly journalBase: string;
  private readonly healthState = new HealthTracker();
  private readonly leaseMs: number;
  private leaseUntil = 0;
  private registered = false;
  private closing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  private readonly wakers = new Set<() => void>();
  /** Claims by id, with the lease term they were made under: a claim outlives a lapse of the lease only if renewed before it. */
  private term = 0;
  private readonly claimTerms = new Map<number, number>();

  private constructor(private readonly pool: pg.Pool, readonly where: string, options: PostgresStoreOptions) {
    this.leaseMs = Math.max(300, options.leaseMs ?? 30_000);
    const dir = resolve(options.journalDir ?? process.env.SEND_JOURNAL_DIR ?? '.');
    mkdirSync(dir, { recursive: true });
    this.journalBase = join(dir, 'policy-bot-postgres');
  }

  /** Connects, applies pending migrations under an advisory lock (processes starting together migrate once), registers this owner and listens for queued work. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const where = redactUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 8, types: PG_TYPES, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined); // an idle client's failure shows on the next query
    const store = new PostgresStore(pool, where, options);
    try {
      await store.migrate();
      await store.register(new PgRunner(pool));
      store.listener = new pg.Client({ connectionString: url, types: PG_TYPES });
      store.listener.on('error', () => undefined);
      store.listener.on('notification', () => {
        for (const wake of store.wakers) wake();
      });
      await store.listener.connect();
      await store.listener.query(`LISTEN ${WORK_CHANNEL}`);
    } catch (e) {
      await store.listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
      const cause = (e as Error)?.message ?? String(e);
      throw new StorageError(`无法使用数据库 / cannot use database ${where}: ${cause}`, pgProblemCode(e) ?? 'PG_ERROR', where, { cause: e });
    }
    owners.OPEN_OWNERS.add(store.owner);
    store.timer = setInterval(() => void store.heartbeat(), Math.max(100, Math.floor(store.leaseMs / 3)));
    store.timer.unref();
    return store;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)');
        await migrate(
          {
            getVersion: async () => Number((await client.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0].v),
            apply: async (m) => {
              await client.query('BEGIN');
              try {
                await client.query(m.sql);
                await client.query('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [m.version, m.description, Date.now()]);
                await client.query('COMMIT');
              } catch (e) {
                await client.query('ROLLBACK').catch(() => undefined);
                throw e;
              }
            },
          },
          PG_MIGRATIONS,
        );
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  /** Calls `wake` whenever any process queues outbox rows (LISTEN/NOTIFY); resolves a function that stops it. */
  onWork(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  /** Current health: an unreachable database, a full disk, a read-only server, or ok. */
  health(): StoreHealth {
    return this.healthState.get();
  }

  private closedError(): StorageError {
    return new StorageError(`${this.where}: store is closed`, 'STORE_CLOSED', this.where);
  }

  /** Runs one job on a pooled connection (each statement commits on its own). */
  private async op<T>(job: (c: SqlRunner) => Promise<T>, write = false): Promise<T> {
    if (this.closing) throw this.closedError();
    try {
      const r = await job(new PgRunner(this.pool));
      if (write) this.healthState.noteWriteOk();
      return r;
    } catch (e) {
      const w = wrapPg(e, this.where);
      this.healthState.noteFailure(w);
      throw w;
    }
  }

  /** Runs `job` in one transaction on one connection; rolls back when it throws. */
  private async transaction<T>(job: (c: SqlRunner) => Promise<T>): Promise<T> {
    if (this.closing) throw this.closedError();
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      try {
        const r = await job(new PgRunner(client));
        await client.query('COMMIT');
        this.healthState.noteWriteOk();
        return r;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } catch (e) {
      const w = wrapPg(e, this.where);
      this.healthState.noteFailure(w);
      throw w;
    } finally {
      client?.release();
    }
  }

  /** Inserts or renews this owner's row. A renewal after the lease lapsed starts a new term: claims of the old term are never sent (peers may have taken them). */
  private async register(c: SqlRunner): Promise<void> {
    const now = Date.now();
    const until = now + this.leaseMs;
    if (this.registered && now >= this.leaseUntil) {
      this.term++;
      this.claimTerms.clear();
    }
    await owners.registerOwner(c, this.owner, now, until);
    this.registered = true;
    this.leaseUntil = until;
  }

  private async heartbeat(): Promise<void> {
    if (this.closing) return;
    await this.op((c) => this.register(c), true).catch(() => undefined);
  }

  /** Every live process delivers: this renews the owner lease and always leads. */
  async acquireDelivery(): Promise<DeliveryLeaseState> {
    await this.op((c) => this.register(c), true);
    return { leader: true };
  }

  /** Whether a claim may be handed to the platform now: the owner lease is live with a margin, and (given `claimedId`) the claim was made in the current term. */
  holdsLease(claimedId?: number): boolean {
    const margin = Math.min(5000, Math.floor(this.leaseMs / 3));
    if (!this.registered || Date.now() >= this.leaseUntil - margin) return false;
    return claimedId === undefined || this.claimTerms.get(claimedId) === this.term;
  }

  /** Nothing to give up: every process delivers. */
  async releaseDelivery(): Promise<void> {}

  recoverableOwners(): Promise<string[]> {
    return this.op((c) => owners.recoverableOwners(c, this.owner, Date.now()));
  }

  knownOwners(): Promise<string[]> {
    return this.op((c) => owners.knownOwners(c, Date.now()));
  }

  getChatState(channel: string, chat: string): Promise<unknown | undefined> {
    return this.op((c) => chats.getChatState(c, channel, chat));
  }

  saveChatState(channel: string, chat: string, state: unknown, effects?: ChatEffects): Promise<void> {
    if (effects?.cancelMatchNotices) {
      return this.transaction(async (c) => {
        await chats.cancelMatchNotices(c, channel, chat);
        await chats.saveChatState(c, channel, chat, state, Date.now());
      });
    }
    return this.op((c) => chats.saveChatState(c, channel, chat, state, Date.now()), true);
  }

  markUpdateSeen(channel: string, updateId: string | number): Promise<boolean> {
    return this.op((c) => chats.markUpdateSeen(c, channel, updateId, Date.now()), true);
  }

  pruneSeenUpdates(before: Date): Promise<number> {
    return this.op(async (c) => (await chats.pruneSeenUpdates(c, before)) + (await inbox.pruneInbox(c, before)), true);
  }

  /** Stores a platform update before it is acknowledged; resolves false for a redelivery. */
  storeUpdate(channel: string, updateId: string, payload: string, at: Date): Promise<boolean> {
    return this.op((c) => inbox.storeUpdate(c, channel, updateId, payload, at.getTime()), true);
  }

  /** Stored updates of a channel not yet answered, oldest first. */
  openUpdates(channel: string, limit: number): Promise<StoredUpdate[]> {
    return this.op((c) => inbox.openUpdates(c, channel, limit));
  }

  /** Records that a stored update has been answered. */
  markUpdateDone(channel: string, updateId: string, at: Date): Promise<void> {
    return this.op((c) => inbox.markUpdateDone(c, channel, updateId, at.getTime()), true);
  }

  subscribe(channel: string, chat: string, tags: string[] | undefined, at: Date): Promise<{ subscriber: Subscriber; wasActive: boolean }> {
    return this.transaction(async (c) => {
      await this.lockKey(c, `sub:${channel}:${chat}`);
      return subscriptions.subscribe(c, channel, chat, tags, at);
    });
  }

  unsubscribe(channel: string, chat: string): Promise<boolean> {
    return this.transaction((c) => subscriptions.unsubscribe(c, channel, chat));
  }

  getSubscriber(channel: string, chat: string): Promise<Subscriber | undefined> {
    return this.op((c) => subscriptions.getSubscriber(c, channel, chat));
  }

  countSubscribers(tag?: string): Promise<number> {
    return this.op((c) => subscriptions.countSubscribers(c, tag));
  }

  addAward(award: { channel: string; chat: string; awardedOn: string; expires: string; nextReminderOn: string | null }, at: Date): Promise<{ award: AwardRecord; created: boolean }> {
    return this.transaction(async (c) => {
      await this.lockKey(c, `award:${award.channel}:${award.chat}`);
      return reminders.addAward(c, award, at);
    });
  }

  listAwards(channel: string, chat: string): Promise<AwardRecord[]> {
    return this.op((c) => reminders.listAwards(c, channel, chat));
  }

  removeAward(channel: string, chat: string, id: number): Promise<boolean> {
    return this.transaction((c) => reminders.removeAward(c, channel, chat, id));
  }

  listDueAwards(today: string, limit: number): Promise<DueAward[]> {
    return this.op((c) => reminders.listDueAwards(c, today, limit));
  }

  addPublicity(
    publicity: { title: string; starts: string; ends: string; createdBy: string; nextReminderOn: string | null },
    start: { text: string; data?: Record<string, unknown> },
    at: Date,
  ): Promise<{ publicity: PublicityRecord; created: boolean; recipients: number }> {
    return this.transaction(async (c) => {
      await this.lockKey(c, `publicity:${publicity.starts}:${publicity.title}`);
      const r = await reminders.addPublicity(c, publicity, start, at);
      if (r.recipients) await this.notify(c);
      return r;
    });
  }

  listDuePublicity(today: string, limit: number): Promise<DuePublicity[]> {
    return this.op((c) => reminders.listDuePublicity(c, today, limit));
  }

  /** Due rows are read FOR UPDATE SKIP LOCKED: two processes scanning at once take disjoint rows, and each step happens once. */
  advanceDueAwards(today: string, limit: number, plan: (due: DueAward[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult> {
    return this.transaction(async (c) => {
      const r = await reminders.advanceDueAwards(c, today, limit, plan, at, ' FOR UPDATE SKIP LOCKED');
      if (r.created) await this.notify(c);
      return r;
    });
  }

  advanceDuePublicity(today: string, limit: number, plan: (due: DuePublicity[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult> {
    return this.transaction(async (c) => {
      const r = await reminders.advanceDuePublicity(c, today, limit, plan, at, ' FOR UPDATE SKIP LOCKED');
      if (r.created) await this.notify(c);
      return r;
    });
  }

  createBroadcast(broadcast: { senderChannel: string; senderChat: string; text: string; tag?: string }, at: Date): Promise<{ id: string; recipients: number }> {
    return this.transaction(async (c) => {
      const r = await broadcasts.createBroadcast(c, broadcast, at);
      if (r.recipients) await this.notify(c);
      return r;
    });
  }

  getBroadcast(id: string): Promise<BroadcastStats | undefined> {
    const n = broadcasts.broadcastNumber(id);
    if (n === undefined) return Promise.resolve(undefined);
    return this.op((c) => broadcasts.getBroadcast(c, n));
  }

  listBroadcasts(limit: number): Promise<BroadcastStats[]> {
    return this.op((c) => broadcasts.listBroadcasts(c, limit));
  }

  listSettledUnreported(channels: string[], limit: number): Promise<BroadcastStats[]> {
    if (channels.length === 0) return Promise.resolve([]);
    return this.op((c) => broadcasts.listSettledUnreported(c, channels, limit));
  }

  /** The report row is locked by the UPDATE, so two processes settling the same broadcast queue one report. */
  markBroadcastReported(id: string, report: NewOutboxItem | undefined): Promise<boolean> {
    const n = broadcasts.broadcastNumber(id);
    if (n === undefined) return Promise.resolve(false);
    return this.transaction(async (c) => {
      const done = await broadcasts.markBroadcastReported(c, n, report, new Date());
      if (done && report) await this.notify(c);
      return done;
    });
  }

  enqueue(item: NewOutboxItem, at: Date): Promise<boolean> {
    return this.transaction(async (c) => {
      const added = await outbox.insertItem(c, item, at);
      if (added) await this.notify(c);
      return added;
    });
  }

  /**
   * The earliest due rows, handed to each process in its own order (by a hash of the chat seeded with the owner), so
   * that several processes draining one broadcast rarely try the same row. Order within a chat is kept by the claim.
   */
  async dueOutbox(channel: string, nowMs: number, limit: number): Promise<OutboxItem[]> {
    const rows = await this.op((c) => outbox.dueOutbox(c, channel, nowMs, limit));
    const key = (chat: string): number => {
      let h = 2166136261;
      for (const ch of `${this.owner}|${chat}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      return h >>> 0;
    };
    const keys = new Map(rows.map((r) => [r.chat, key(r.chat)]));
    // Stable: rows of one chat stay in their due order.
    // Priority first (replies before bulk sends), then the chat order of this process.
    return rows
      .map((r, i) => ({ r, i }))
      .sort((a, b) => (a.r.priority ?? 1) - (b.r.priority ?? 1) || keys.get(a.r.chat)! - keys.get(b.r.chat)! || a.i - b.i)
      .map((x) => x.r);
  }

  nextDueAt(channel: string): Promise<number | undefined> {
    return this.op((c) => outbox.nextDueAt(c, channel));
  }

  /**
   * Claims pending rows under this owner's live lease with SELECT … FOR UPDATE SKIP LOCKED: rows another process is
   * claiming are skipped, not waited for. A row is only taken when no earlier row of its chat is still pending and no
   * row of its chat is being sent by another process, so messages to one chat go in their delivery order (priority, then
   * due time) and never overtake each other.
   * Rejects with LeaseLostError when this owner's lease has lapsed (its peers may be taking its claims over).
   */
  claimOutbox(ids: readonly number[], nowMs: number): Promise<number[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.op(async (c) => {
      const wall = Date.now();
      const term = this.term;
      const rows = await c.all<{ id: number }>(
        `WITH cand AS (
           SELECT id, channel, chat, due_at, priority FROM outbox WHERE id IN (${marks(ids.length)}) AND state = 'pending' ORDER BY id FOR UPDATE SKIP LOCKED
         )
         UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1, claimed_at = ?, claimed_by = ?
         FROM cand WHERE o.id = cand.id
           AND EXISTS (SELECT 1 FROM store_owners s WHERE s.owner = ? AND s.lease_until > ?)
           AND NOT EXISTS (
             SELECT 1 FROM outbox p WHERE p.channel = cand.channel AND p.chat = cand.chat AND p.id <> cand.id AND (
               (p.state = 'sending' AND p.claimed_by IS DISTINCT FROM ?)
               OR (p.state = 'pending' AND (p.priority < cand.priority OR (p.priority = cand.priority AND (p.due_at < cand.due_at OR (p.due_at = cand.due_at AND p.id < cand.id))))
                   AND p.id NOT IN (SELECT id FROM cand))))
         RETURNING o.id`,
        [...ids, nowMs, this.owner, this.owner, wall, this.owner],
      );
      if (rows.length === 0 && !(await c.get<{ n: number }>('SELECT 1 AS n FROM store_owners WHERE owner = ? AND lease_until > ?', [this.owner, wall]))) {
        throw new LeaseLostError('this process no longer holds its delivery lease');
      }
      for (const r of rows) this.claimTerms.set(Number(r.id), term);
      return rows.map((r) => Number(r.id));
    }, true);
  }

  markSent(ids: readonly number[], nowMs: number): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    for (const id of ids) this.claimTerms.delete(id);
    return this.op((c) => outbox.markSent(c, ids, nowMs, this.owner), true);
  }

  markRetry(id: number, dueAt: number, error: string): Promise<void> {
    this.claimTerms.delete(id);
    return this.op((c) => outbox.markRetry(c, id, dueAt, error, this.owner), true);
  }

  markFailed(id: number, error: string): Promise<void> {
    this.claimTerms.delete(id);
    return this.op((c) => outbox.markFailed(c, id, error, this.owner), true);
  }

  /** Settles this owner's leftovers and those of owners whose lease lapsed; the rows are locked, so two recovering peers settle each row once. */
  recoverInterrupted(mode: 'assume-sent' | 'resend', nowMs: number, started?: readonly StartedSend[]): Promise<number> {
    const startedKeys = started ? new Set(started.map((s) => `${s.id}:${s.attempts}`)) : undefined;
    return this.transaction(async (c) => {
      const recoverable = await owners.recoverableOwners(c, this.owner, Date.now());
      if (recoverable.length === 0) return 0;
      await c.run(`SELECT id FROM outbox WHERE state = 'sending' AND COALESCE(claimed_by, '') IN (${marks(recoverable.length)}) ORDER BY id FOR UPDATE`, recoverable);
      await owners.forgetOwners(
        c,
        recoverable.filter((o) => o !== this.owner && o !== ''),
      );
      const n = await outbox.settleSending(c, recoverable, mode, nowMs, startedKeys);
      if (n) await this.notify(c);
      return n;
    });
  }

  outboxCounts(): Promise<OutboxCounts> {
    return this.op((c) => outbox.outboxCounts(c));
  }

  /** The knowledge version every process reloads on when it changes. */
  knowledgeVersion(): Promise<number> {
    return this.op((c) => knowledge.getVersion(c));
  }

  /** Records that the documents changed (an upload), so every process reloads them. */
  bumpKnowledgeVersion(at: Date): Promise<number> {
    return this.op((c) => knowledge.bumpVersion(c, at.getTime()), true);
  }

  /** Runs `job` (in one transaction when `transaction` is true), for feature modules that keep their own SQL, such as the staff console. */
  runExclusive<T>(job: (db: SqlRunner) => Promise<T>, transaction = false): Promise<T> {
    return transaction ? this.transaction(job) : this.op(job, true);
  }

  /** Serialises transactions on one key (per-chat subscribe, award registration) with a transaction-scoped advisory lock. */
  private async lockKey(c: SqlRunner, key: string): Promise<void> {
    await c.get('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
  }

  /** Wakes every process listening for queued work when this transaction commits. */
  private async notify(c: SqlRunner): Promise<void> {
    await c.get(`SELECT pg_notify('${WORK_CHANNEL}', '')`);
  }

  /** Removes this owner's row, stops listening and closes the pool; later calls are rejected. */
  close(): Promise<void> {
    if (!this.closing) {
      if (this.timer) clearInterval(this.timer);
      this.closing = (async () => {
        if (this.registered) await owners.unregisterOwner(new PgRunner(this.pool), this.owner).catch(() => undefined);
        owners.OPEN_OWNERS.delete(this.owner);
        this.wakers.clear();
        await this.listener?.end().catch(() => undefined);
        await this.pool.end().catch(() => undefined);
      })();
    }
    return this.closing;
  }
}
