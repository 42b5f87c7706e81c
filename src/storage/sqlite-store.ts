/** The embedded SQLite implementation of the store: WAL journal, versioned migrations and a single serial writer. */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import type { Choice } from '../core/types.ts';
import { migrate, type Migration } from './migrations.ts';
import type {
  AwardRecord,
  BroadcastStats,
  DueAward,
  DuePublicity,
  FanOut,
  NewOutboxItem,
  OutboxCounts,
  OutboxItem,
  OutboxKind,
  OutboxState,
  PublicityRecord,
  ReminderAdvance,
  AdvanceResult,
  DeliveryLeaseState,
  LeasedStore,
  StartedSend,
  StoreHealth,
  Subscriber,
} from './store.ts';
import { LeaseLostError, StorageError, isStorageError, storageProblemOf } from './store.ts';

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

/** Owner ids of the stores open in this process: an owner row naming this host and pid but absent here is dead. */
const OPEN_OWNERS = new Set<string>();
const HOST = hostname();

/** Whether a process with this pid exists on this host (EPERM means it exists under another user). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A row of store_owners as the lease checks read it (null fields: the owner row is gone). */
export interface OwnerRow {
  owner: string;
  host: string | null;
  pid: number | null;
  lease_until: number | null;
}

/** Whether the owner of a claim or lease is gone: no row, lease lapsed, or provably dead on this host (its pid is gone, or it is this process and its store is closed). */
export function ownerDead(o: OwnerRow, nowMs: number): boolean {
  if (o.host === null || o.pid === null || o.lease_until === null) return true;
  if (o.lease_until <= nowMs) return true;
  if (o.host !== HOST) return false;
  if (o.pid === process.pid) return !OPEN_OWNERS.has(o.owner);
  return !pidAlive(o.pid);
}

/** Wraps a raw SQLite error as a StorageError naming the file, the cause and the code. */
function wrapError(err: unknown, path: string): unknown {
  if (err instanceof StorageError || !isStorageError(err)) return err;
  const code = String((err as { code?: unknown }).code);
  return new StorageError(`${path}: ${(err as Error).message}`, code, path, { cause: err });
}

type Params = unknown[];

interface RunResult {
  changes: number;
  lastID: number;
}

/** Promise wrappers around one node-sqlite3 connection. */
class Connection {
  constructor(readonly db: sqlite3.Database) {}

  run(sql: string, params: Params = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(err) : resolve(row)));
    });
  }

  all<T>(sql: string, params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

interface OutboxRow {
  id: number;
  key: string;
  kind: OutboxKind;
  channel: string;
  chat: string;
  text: string;
  choices: string | null;
  data: string | null;
  due_at: number;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  broadcast_id: number | null;
}

interface AwardRow {
  id: number;
  channel: string;
  chat: string;
  awarded_on: string;
  expires: string;
  next_reminder_on: string | null;
  last_kind: string | null;
}

interface PublicityRow {
  id: number;
  title: string;
  starts: string;
  ends: string;
  next_reminder_on: string | null;
  last_kind: string | null;
}

interface SubscriberRow {
  channel: string;
  chat: string;
  tags: string;
  subscribed_at: number;
  active: number;
}

interface BroadcastRow {
  id: number;
  sender_channel: string;
  sender_chat: string;
  text: string;
  tag: string | null;
  recipients: number;
  created_at: number;
  report_sent: number;
  delivered: number | null;
  failed: number | null;
  pending: number | null;
  cancelled: number | null;
}

const OUTBOX_COLUMNS = 'id, key, kind, channel, chat, text, choices, data, due_at, state, attempts, last_error, broadcast_id';

const BROADCAST_SELECT = `
  SELECT b.id, b.sender_channel, b.sender_chat, b.text, b.tag, b.recipients, b.created_at, b.report_sent,
    SUM(CASE WHEN o.state = 'sent' THEN 1 ELSE 0 END) AS delivered,
    SUM(CASE WHEN o.state = 'failed' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN o.state IN ('pending', 'sending') THEN 1 ELSE 0 END) AS pending,
    SUM(CASE WHEN o.state = 'cancelled' THEN 1 ELSE 0 END) AS cancelled
  FROM broadcasts b LEFT JOIN outbox o ON o.broadcast_id = b.id`;

/** Escapes LIKE wildcards so a value matches literally (with ESCAPE '\'). */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern matching a JSON tag array that contains `tag` as a whole element. */
function tagPattern(tag: string): string {
  return `%${likeLiteral(JSON.stringify(tag))}%`;
}

function toOutboxItem(r: OutboxRow): OutboxItem {
  const item: OutboxItem = {
    id: r.id,
    key: r.key,
    kind: r.kind,
    channel: r.channel,
    chat: r.chat,
    text: r.text,
    dueAt: r.due_at,
    attempts: r.attempts,
    state: r.state,
  };
  if (r.choices !== null) item.choices = JSON.parse(r.choices) as Choice[];
  if (r.data !== null) item.data = JSON.parse(r.data) as Record<string, unknown>;
  if (r.broadcast_id !== null) item.broadcastId = String(r.broadcast_id);
  if (r.last_error !== null) item.lastError = r.last_error;
  return item;
}

function toAward(r: AwardRow): AwardRecord {
  return { id: r.id, channel: r.channel, chat: r.chat, awardedOn: r.awarded_on, expires: r.expires };
}

function toSubscriber(r: SubscriberRow): Subscriber {
  return {
    channel: r.channel,
    chat: r.chat,
    tags: JSON.parse(r.tags) as string[],
    active: r.active === 1,
    subscribedAt: r.subscribed_at,
  };
}

function toBroadcast(r: BroadcastRow): BroadcastStats {
  const b: BroadcastStats = {
    id: String(r.id),
    senderChannel: r.sender_channel,
    senderChat: r.sender_chat,
    text: r.text,
    createdAt: r.created_at,
    recipients: r.recipients,
    delivered: r.delivered ?? 0,
    failed: r.failed ?? 0,
    pending: r.pending ?? 0,
    cancelled: r.cancelled ?? 0,
    reportSent: r.report_sent === 1,
  };
  if (r.tag !== null) b.tag = r.tag;
  return b;
}

/** Parses a broadcast id given as a string; NaN-safe. */
function broadcastNumber(id: string): number | undefined {
  return /^\d+$/.test(id) ? Number(id) : undefined;
}

/**
 * SQLite store. node-sqlite3 runs the statements of one connection on a thread pool and does not isolate two
 * transactions opened from different async flows, so every operation (reads included, so that no read ever sees
 * another flow's uncommitted rows) goes through one serial queue: one job at a time, a transaction being one job.
 */
export class SqliteStore implements LeasedStore {
  private tail: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** This connection's owner id: host, pid and a random part. */
  readonly owner = `${HOST}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly quickCheckIntervalMs: number;
  private state: StoreHealth = { ok: true };
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
      await store.runQuickCheck(conn);
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
        store.noteFailure(e);
      }
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
    OPEN_OWNERS.add(store.owner);
    store.timer = setInterval(() => void store.heartbeat(), Math.max(100, Math.floor(store.leaseMs / 3)));
    store.timer.unref();
    return store;
  }

  /** Current health: a damaged database (quick_check or a corruption error), a full disk, a read-only file, or ok. */
  health(): StoreHealth {
    return structuredClone(this.state);
  }

  /** Records a problem seen by an operation; damage is sticky until a quick_check passes, the others until a write succeeds. */
  private noteFailure(err: unknown): void {
    const problem = storageProblemOf(err);
    // Waiting too long for another process's lock is contention, not a broken database.
    const code = String((err as { code?: unknown })?.code ?? '');
    if (!problem || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'STORE_CLOSED') return;
    if (this.state.problem === 'damaged' && problem !== 'damaged') return;
    const detail = err instanceof Error ? err.message : String(err);
    if (this.state.problem !== problem) this.state = { ...this.state, ok: false, problem, detail, since: Date.now() };
  }

  private noteWriteOk(): void {
    if (!this.state.ok && this.state.problem !== 'damaged') {
      const { lastCheck, lastBackup } = this.state;
      this.state = { ok: true, lastCheck, lastBackup };
    }
  }

  /** Runs PRAGMA quick_check on `c` and records the result in the health. */
  private async runQuickCheck(c: Connection): Promise<boolean> {
    const at = Date.now();
    let ok: boolean;
    let detail = '';
    try {
      const rows = await c.all<{ quick_check: string }>('PRAGMA quick_check');
      ok = rows.length === 1 && rows[0].quick_check === 'ok';
      detail = rows
        .slice(0, 3)
        .map((r) => r.quick_check)
        .join('; ');
    } catch (e) {
      if (!isStorageError(e)) throw e;
      ok = false;
      detail = (e as Error).message;
    }
    if (ok) {
      this.state = this.state.problem === 'damaged' ? { ok: true, lastBackup: this.state.lastBackup } : { ...this.state };
    } else if (this.state.problem !== 'damaged') {
      this.state = { ...this.state, ok: false, problem: 'damaged', detail: `PRAGMA quick_check: ${detail}`, since: at };
    }
    this.state.lastCheck = { at, ok };
    return ok;
  }

  /** Runs PRAGMA quick_check now (queued like any operation); resolves whether it passed. */
  quickCheck(): Promise<boolean> {
    return this.schedule((c) => this.runQuickCheck(c));
  }

  /** Inserts or renews this owner's row; the lease lasts `leaseMs` from now. */
  private async register(c: Connection): Promise<void> {
    const now = Date.now();
    const until = now + this.leaseMs;
    const r = await c.run('UPDATE store_owners SET lease_until = ? WHERE owner = ?', [until, this.owner]);
    if (r.changes === 0) {
      await c.run('INSERT INTO store_owners (owner, host, pid, started_at, lease_until) VALUES (?, ?, ?, ?, ?)', [this.owner, HOST, process.pid, now, until]);
    }
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
      const last = this.state.lastCheck?.at ?? 0;
      if (quiet && this.quickCheckIntervalMs > 0 && Date.now() - last >= this.quickCheckIntervalMs) await this.periodicCheck();
    } finally {
      this.beating = false;
    }
  }

  /**
   * The periodic quick_check, on a short-lived read-only connection of its own: it reads the pages from the file,
   * not from the main connection's cache, so damage that happened under a running bot is seen, and other work goes on.
   */
  private async periodicCheck(): Promise<void> {
    if (this.path === ':memory:' || this.path === '') return;
    const db = await new Promise<sqlite3.Database | undefined>((resolve) => {
      const d: sqlite3.Database = new sqlite3.Database(this.path, sqlite3.OPEN_READONLY, (err) => resolve(err ? undefined : d));
    });
    if (!db) return;
    const c = new Connection(db);
    try {
      await this.runQuickCheck(c);
    } finally {
      await c.close().catch(() => undefined);
    }
  }

  /** Runs `job` after every job queued before it; the single writer. Storage errors are recorded in the health and rethrown as StorageError. */
  private schedule<T>(job: (c: Connection) => Promise<T>, write = false, background = false): Promise<T> {
    if (this.closing) return Promise.reject(new StorageError(`${this.path}: store is closed`, 'STORE_CLOSED', this.path));
    this.queued++;
    const result = this.tail.then(async () => {
      try {
        const r = await job(this.conn);
        if (write) this.noteWriteOk();
        return r;
      } catch (e) {
        this.noteFailure(e);
        throw wrapError(e, this.path);
      } finally {
        this.queued--;
        if (!background) this.lastJobEnd = Date.now();
      }
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
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
      const now = Date.now();
      const row = await c.get<OwnerRow>(
        `SELECT l.owner AS owner, o.host AS host, o.pid AS pid, o.lease_until AS lease_until
         FROM delivery_lease l LEFT JOIN store_owners o ON o.owner = l.owner WHERE l.name = 'delivery'`,
      );
      if (row && row.owner !== this.owner && !ownerDead(row, now)) {
        this.leader = false;
        return { leader: false, holder: { owner: row.owner, host: row.host ?? '', pid: row.pid ?? 0, leaseUntil: row.lease_until ?? 0 } };
      }
      await c.run(
        `INSERT INTO delivery_lease (name, owner, acquired_at) VALUES ('delivery', ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, acquired_at = CASE WHEN delivery_lease.owner = excluded.owner THEN delivery_lease.acquired_at ELSE excluded.acquired_at END`,
        [this.owner, now],
      );
      this.leader = true;
      return { leader: true };
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
    await this.schedule(async (c) => {
      await c.run(`DELETE FROM delivery_lease WHERE name = 'delivery' AND owner = ?`, [this.owner]);
    }, true);
  }

  /** Owners whose `sending` claims may be recovered now: this one, unowned legacy rows (''), and owners whose lease lapsed or who are provably dead. */
  recoverableOwners(): Promise<string[]> {
    return this.schedule(async (c) => this.recoverable(c, Date.now()));
  }

  /** Every owner that is registered and not provably dead, or still has a claim in `sending`. */
  knownOwners(): Promise<string[]> {
    return this.schedule(async (c) => {
      const now = Date.now();
      const live = (await c.all<OwnerRow>(`SELECT owner, host, pid, lease_until FROM store_owners`)).filter((r) => !ownerDead(r, now)).map((r) => r.owner);
      const claiming = (await c.all<{ owner: string }>(`SELECT DISTINCT claimed_by AS owner FROM outbox WHERE state = 'sending' AND claimed_by IS NOT NULL`)).map((r) => r.owner);
      return [...new Set([...live, ...claiming])];
    });
  }

  private async recoverable(c: Connection, nowMs: number): Promise<string[]> {
    const rows = await c.all<OwnerRow>(
      `SELECT DISTINCT COALESCE(s.claimed_by, '') AS owner, o.host AS host, o.pid AS pid, o.lease_until AS lease_until
       FROM outbox s LEFT JOIN store_owners o ON o.owner = s.claimed_by WHERE s.state = 'sending'`,
    );
    return rows.filter((r) => r.owner === this.owner || r.owner === '' || ownerDead(r, nowMs)).map((r) => r.owner);
  }

  /** Reads the saved dialogue state of a chat, or undefined. */
  getChatState(channel: string, chat: string): Promise<unknown | undefined> {
    return this.schedule(async (c) => {
      const row = await c.get<{ state: string }>('SELECT state FROM chat_state WHERE channel = ? AND chat = ?', [channel, chat]);
      return row ? (JSON.parse(row.state) as unknown) : undefined;
    });
  }

  /** Saves the dialogue state of a chat. */
  saveChatState(channel: string, chat: string, state: unknown): Promise<void> {
    const json = JSON.stringify(state ?? null);
    return this.schedule(async (c) => {
      await c.run(
        `INSERT INTO chat_state (channel, chat, state, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, chat) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
        [channel, chat, json, Date.now()],
      );
    }, true);
  }

  /** Waits for queued work, removes this owner's row (best effort), then closes the connection; later calls are rejected. */
  close(): Promise<void> {
    if (!this.closing) {
      if (this.timer) clearInterval(this.timer);
      const tail = this.tail;
      this.closing = tail.then(async () => {
        if (this.registered) {
          await this.conn.run('DELETE FROM delivery_lease WHERE owner = ?', [this.owner]).catch(() => undefined);
          await this.conn.run('DELETE FROM store_owners WHERE owner = ?', [this.owner]).catch(() => undefined);
        }
        this.leader = false;
        this.closed = true;
        OPEN_OWNERS.delete(this.owner);
        await this.conn.close();
      });
    }
    return this.closing;
  }

  /** Records a platform update id; resolves false when it was seen before. */
  markUpdateSeen(channel: string, updateId: string | number): Promise<boolean> {
    return this.schedule(async (c) => {
      const r = await c.run('INSERT INTO seen_updates (channel, update_id, seen_at) VALUES (?, ?, ?) ON CONFLICT (channel, update_id) DO NOTHING', [
        channel,
        String(updateId),
        Date.now(),
      ]);
      return r.changes === 1;
    }, true);
  }

  /** Forgets update ids recorded before `before`. */
  pruneSeenUpdates(before: Date): Promise<number> {
    return this.schedule(async (c) => (await c.run('DELETE FROM seen_updates WHERE seen_at < ?', [before.getTime()])).changes, true);
  }

  /** Subscribes a chat; `tags` replaces its tags, undefined keeps an active subscription's tags. */
  subscribe(channel: string, chat: string, tags: string[] | undefined, at: Date): Promise<{ subscriber: Subscriber; wasActive: boolean }> {
    return this.transaction(async (c) => {
      const old = await c.get<SubscriberRow>('SELECT * FROM subscribers WHERE channel = ? AND chat = ?', [channel, chat]);
      const wasActive = old?.active === 1;
      const newTags = [...new Set(tags ?? (wasActive && old ? (JSON.parse(old.tags) as string[]) : []))];
      const since = wasActive && old ? old.subscribed_at : at.getTime();
      await c.run(
        `INSERT INTO subscribers (channel, chat, tags, subscribed_at, active) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT (channel, chat) DO UPDATE SET tags = excluded.tags, subscribed_at = excluded.subscribed_at, active = 1`,
        [channel, chat, JSON.stringify(newTags), since],
      );
      return { subscriber: { channel, chat, tags: newTags, active: true, subscribedAt: since }, wasActive };
    });
  }

  /** Unsubscribes a chat and cancels its undelivered publicity and broadcast messages. */
  unsubscribe(channel: string, chat: string): Promise<boolean> {
    return this.transaction(async (c) => {
      const r = await c.run('UPDATE subscribers SET active = 0 WHERE channel = ? AND chat = ? AND active = 1', [channel, chat]);
      await c.run(
        `UPDATE outbox SET state = 'cancelled', last_error = 'unsubscribed'
         WHERE channel = ? AND chat = ? AND state = 'pending' AND kind IN ('publicity', 'broadcast')`,
        [channel, chat],
      );
      return r.changes > 0;
    });
  }

  /** The chat's subscription, active or not, or undefined. */
  getSubscriber(channel: string, chat: string): Promise<Subscriber | undefined> {
    return this.schedule(async (c) => {
      const row = await c.get<SubscriberRow>('SELECT * FROM subscribers WHERE channel = ? AND chat = ?', [channel, chat]);
      return row ? toSubscriber(row) : undefined;
    });
  }

  /** Number of active subscribers, optionally only those carrying `tag`. */
  countSubscribers(tag?: string): Promise<number> {
    return this.schedule(async (c) => {
      const row =
        tag === undefined
          ? await c.get<{ n: number }>('SELECT COUNT(*) AS n FROM subscribers WHERE active = 1')
          : await c.get<{ n: number }>(`SELECT COUNT(*) AS n FROM subscribers WHERE active = 1 AND tags LIKE ? ESCAPE '\\'`, [tagPattern(tag)]);
      return row?.n ?? 0;
    });
  }

  /** Registers an award for a chat unless it has one with the same date. */
  addAward(
    award: { channel: string; chat: string; awardedOn: string; expires: string; nextReminderOn: string | null },
    at: Date,
  ): Promise<{ award: AwardRecord; created: boolean }> {
    return this.transaction(async (c) => {
      const old = await c.get<AwardRow>('SELECT * FROM awards WHERE channel = ? AND chat = ? AND awarded_on = ? ORDER BY id LIMIT 1', [
        award.channel,
        award.chat,
        award.awardedOn,
      ]);
      if (old) return { award: toAward(old), created: false };
      const r = await c.run(
        'INSERT INTO awards (channel, chat, awarded_on, expires, next_reminder_on, last_kind, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)',
        [award.channel, award.chat, award.awardedOn, award.expires, award.nextReminderOn, at.getTime()],
      );
      return {
        award: { id: r.lastID, channel: award.channel, chat: award.chat, awardedOn: award.awardedOn, expires: award.expires },
        created: true,
      };
    });
  }

  /** The chat's awards, oldest grant first. */
  listAwards(channel: string, chat: string): Promise<AwardRecord[]> {
    return this.schedule(async (c) =>
      (await c.all<AwardRow>('SELECT * FROM awards WHERE channel = ? AND chat = ? ORDER BY awarded_on, id', [channel, chat])).map(toAward),
    );
  }

  /** Removes one of the chat's awards and cancels its undelivered reminders. */
  removeAward(channel: string, chat: string, id: number): Promise<boolean> {
    return this.transaction(async (c) => {
      const r = await c.run('DELETE FROM awards WHERE id = ? AND channel = ? AND chat = ?', [id, channel, chat]);
      if (r.changes === 0) return false;
      // Award reminder keys are "award:<id>:<stage>"; ';' sorts right after ':', so this is a prefix range on the unique key index.
      await c.run(
        `UPDATE outbox SET state = 'cancelled', last_error = 'award removed'
         WHERE key >= ? AND key < ? AND state = 'pending' AND kind = 'award'`,
        [`award:${id}:`, `award:${id};`],
      );
      return true;
    });
  }

  /** Awards whose next reminder day is on or before `today`, by reminder day. */
  listDueAwards(today: string, limit: number): Promise<DueAward[]> {
    return this.schedule(async (c) => {
      const rows = await c.all<AwardRow>(
        `SELECT id, channel, chat, awarded_on, expires, next_reminder_on, last_kind FROM awards
         WHERE next_reminder_on <= ? ORDER BY next_reminder_on, id LIMIT ?`,
        [today, limit],
      );
      return rows.map((r) => ({ ...toAward(r), nextReminderOn: r.next_reminder_on as string, lastStage: r.last_kind }));
    });
  }

  /** Inserts one row per active subscriber (matching the tag, if any); resolves the number of rows created. */
  private async fanOut(c: Connection, f: FanOut, at: Date, broadcastId: number | null): Promise<number> {
    const params: unknown[] = [f.keyPrefix, f.kind, f.text, f.data === undefined ? null : JSON.stringify(f.data), f.dueAt, broadcastId, at.getTime()];
    let where = 'active = 1';
    if (f.tag !== undefined) {
      where += ` AND tags LIKE ? ESCAPE '\\'`;
      params.push(tagPattern(f.tag));
    }
    const r = await c.run(
      `INSERT INTO outbox (key, kind, channel, chat, text, data, due_at, state, attempts, broadcast_id, created_at)
       SELECT ? || channel || ':' || chat, ?, channel, chat, ?, ?, ?, 'pending', 0, ?, ?
       FROM subscribers WHERE ${where}
       ON CONFLICT (key) DO NOTHING`,
      params,
    );
    return r.changes;
  }

  /** Inserts one outbox row unless its key exists; resolves whether it was inserted. */
  private async insertItem(c: Connection, item: NewOutboxItem, at: Date): Promise<boolean> {
    return (await this.insertItems(c, [item], at)) === 1;
  }

  /** Inserts outbox rows with one statement, skipping keys that exist; resolves the number inserted. */
  private async insertItems(c: Connection, items: NewOutboxItem[], at: Date): Promise<number> {
    if (items.length === 0) return 0;
    const r = await c.run(
      `INSERT INTO outbox (key, kind, channel, chat, text, choices, data, due_at, state, attempts, broadcast_id, created_at)
       VALUES ${items.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, NULL, ?)").join(', ')}
       ON CONFLICT (key) DO NOTHING`,
      items.flatMap((item) => [
        item.key,
        item.kind,
        item.channel,
        item.chat,
        item.text,
        item.choices?.length ? JSON.stringify(item.choices) : null,
        item.data === undefined ? null : JSON.stringify(item.data),
        item.dueAt,
        at.getTime(),
      ]),
    );
    return r.changes;
  }

  /** Records a publicity and queues `start` for every active subscriber. */
  addPublicity(
    publicity: { title: string; starts: string; ends: string; createdBy: string; nextReminderOn: string | null },
    start: { text: string; data?: Record<string, unknown> },
    at: Date,
  ): Promise<{ publicity: PublicityRecord; created: boolean; recipients: number }> {
    return this.transaction(async (c) => {
      const old = await c.get<PublicityRow>('SELECT * FROM publicity WHERE starts = ? AND title = ? ORDER BY id LIMIT 1', [publicity.starts, publicity.title]);
      if (old) return { publicity: { id: old.id, title: old.title, starts: old.starts, ends: old.ends }, created: false, recipients: 0 };
      const r = await c.run(
        'INSERT INTO publicity (title, starts, ends, created_by, created_at, next_reminder_on, last_kind) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [publicity.title, publicity.starts, publicity.ends, publicity.createdBy, at.getTime(), publicity.nextReminderOn, 'start'],
      );
      const id = r.lastID;
      const recipients = await this.fanOut(c, { keyPrefix: `publicity:${id}:start:`, kind: 'publicity', text: start.text, data: start.data, dueAt: 0 }, at, null);
      return { publicity: { id, title: publicity.title, starts: publicity.starts, ends: publicity.ends }, created: true, recipients };
    });
  }

  /** Publicity periods whose next reminder day is on or before `today`. */
  listDuePublicity(today: string, limit: number): Promise<DuePublicity[]> {
    return this.schedule(async (c) => {
      const rows = await c.all<PublicityRow>(
        `SELECT id, title, starts, ends, next_reminder_on, last_kind FROM publicity
         WHERE next_reminder_on <= ? ORDER BY next_reminder_on, id LIMIT ?`,
        [today, limit],
      );
      return rows.map((r) => ({ id: r.id, title: r.title, starts: r.starts, ends: r.ends, nextReminderOn: r.next_reminder_on as string, lastStage: r.last_kind }));
    });
  }

  /** Reads due awards, plans and applies their steps in one transaction. */
  advanceDueAwards(today: string, limit: number, plan: (due: DueAward[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult> {
    return this.transaction(async (c) => {
      const rows = await c.all<AwardRow>(
        `SELECT id, channel, chat, awarded_on, expires, next_reminder_on, last_kind FROM awards
         WHERE next_reminder_on <= ? ORDER BY next_reminder_on, id LIMIT ?`,
        [today, limit],
      );
      if (rows.length === 0) return { seen: 0, created: 0 };
      const due = rows.map((r) => ({ ...toAward(r), nextReminderOn: r.next_reminder_on as string, lastStage: r.last_kind }));
      return { seen: rows.length, created: await this.applyAdvances(c, 'awards', plan(due), at) };
    });
  }

  /** Reads due publicity periods, plans and applies their steps in one transaction. */
  advanceDuePublicity(today: string, limit: number, plan: (due: DuePublicity[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult> {
    return this.transaction(async (c) => {
      const rows = await c.all<PublicityRow>(
        `SELECT id, title, starts, ends, next_reminder_on, last_kind FROM publicity
         WHERE next_reminder_on <= ? ORDER BY next_reminder_on, id LIMIT ?`,
        [today, limit],
      );
      if (rows.length === 0) return { seen: 0, created: 0 };
      const due = rows.map((r) => ({ id: r.id, title: r.title, starts: r.starts, ends: r.ends, nextReminderOn: r.next_reminder_on as string, lastStage: r.last_kind }));
      return { seen: rows.length, created: await this.applyAdvances(c, 'publicity', plan(due), at) };
    });
  }

  /** Applies steps with a few multi-row statements (a statement costs a thread round trip with node-sqlite3). */
  private async applyAdvances(c: Connection, table: 'awards' | 'publicity', advances: ReminderAdvance[], at: Date): Promise<number> {
    const CHUNK = 200;
    for (let i = 0; i < advances.length; i += CHUNK) {
      const part = advances.slice(i, i + CHUNK);
      const cases = part.map(() => 'WHEN ? THEN ?').join(' ');
      await c.run(
        `UPDATE ${table} SET next_reminder_on = CASE id ${cases} END, last_kind = CASE id ${cases} END
         WHERE id IN (${part.map(() => '?').join(', ')})`,
        [...part.flatMap((a) => [a.id, a.nextReminderOn]), ...part.flatMap((a) => [a.id, a.lastStage]), ...part.map((a) => a.id)],
      );
    }
    let created = 0;
    const items = advances.flatMap((a) => (a.item ? [a.item] : []));
    for (let i = 0; i < items.length; i += CHUNK) created += await this.insertItems(c, items.slice(i, i + CHUNK), at);
    for (const a of advances) if (a.fanOut) created += await this.fanOut(c, a.fanOut, at, null);
    return created;
  }

  /** Records a broadcast and queues it for every matching active subscriber, in one transaction. */
  createBroadcast(broadcast: { senderChannel: string; senderChat: string; text: string; tag?: string }, at: Date): Promise<{ id: string; recipients: number }> {
    return this.transaction(async (c) => {
      const r = await c.run('INSERT INTO broadcasts (sender_channel, sender_chat, text, tag, recipients, created_at, report_sent) VALUES (?, ?, ?, ?, 0, ?, 0)', [
        broadcast.senderChannel,
        broadcast.senderChat,
        broadcast.text,
        broadcast.tag ?? null,
        at.getTime(),
      ]);
      const id = r.lastID;
      const recipients = await this.fanOut(
        c,
        { keyPrefix: `broadcast:${id}:`, kind: 'broadcast', text: broadcast.text, data: { broadcast: { id: String(id) } }, tag: broadcast.tag, dueAt: 0 },
        at,
        id,
      );
      // With nobody to reach, the sender's report is the immediate reply, so the broadcast counts as reported.
      await c.run('UPDATE broadcasts SET recipients = ?, report_sent = ? WHERE id = ?', [recipients, recipients === 0 ? 1 : 0, id]);
      return { id: String(id), recipients };
    });
  }

  /** Delivery counts of one broadcast, or undefined. */
  getBroadcast(id: string): Promise<BroadcastStats | undefined> {
    const n = broadcastNumber(id);
    if (n === undefined) return Promise.resolve(undefined);
    return this.schedule(async (c) => {
      const row = await c.get<BroadcastRow>(`${BROADCAST_SELECT} WHERE b.id = ? GROUP BY b.id`, [n]);
      return row ? toBroadcast(row) : undefined;
    });
  }

  /** The most recent broadcasts with their counts, newest first. */
  listBroadcasts(limit: number): Promise<BroadcastStats[]> {
    return this.schedule(async (c) => {
      const ids = await c.all<{ id: number }>('SELECT id FROM broadcasts ORDER BY id DESC LIMIT ?', [limit]);
      const out: BroadcastStats[] = [];
      for (const { id } of ids) {
        const row = await c.get<BroadcastRow>(`${BROADCAST_SELECT} WHERE b.id = ? GROUP BY b.id`, [id]);
        if (row) out.push(toBroadcast(row));
      }
      return out;
    });
  }

  /** Broadcasts without a report whose deliveries on `channels` are all settled. */
  listSettledUnreported(channels: string[], limit: number): Promise<BroadcastStats[]> {
    if (channels.length === 0) return Promise.resolve([]);
    return this.schedule(async (c) => {
      const marks = channels.map(() => '?').join(', ');
      const ids = await c.all<{ id: number }>(
        `SELECT b.id FROM broadcasts b WHERE b.report_sent = 0 AND NOT EXISTS (
           SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id AND o.state IN ('pending', 'sending') AND o.channel IN (${marks})
         ) ORDER BY b.id LIMIT ?`,
        [...channels, limit],
      );
      const out: BroadcastStats[] = [];
      for (const { id } of ids) {
        const row = await c.get<BroadcastRow>(`${BROADCAST_SELECT} WHERE b.id = ? GROUP BY b.id`, [id]);
        if (row) out.push(toBroadcast(row));
      }
      return out;
    });
  }

  /** Marks a broadcast reported and queues `report`, atomically; resolves false when it was reported already. */
  markBroadcastReported(id: string, report: NewOutboxItem | undefined): Promise<boolean> {
    const n = broadcastNumber(id);
    if (n === undefined) return Promise.resolve(false);
    return this.transaction(async (c) => {
      const r = await c.run('UPDATE broadcasts SET report_sent = 1 WHERE id = ? AND report_sent = 0', [n]);
      if (r.changes !== 1) return false;
      if (report) await this.insertItem(c, report, new Date());
      return true;
    });
  }

  /** Adds a message to the outbox; resolves false when its key exists already. */
  enqueue(item: NewOutboxItem, at: Date): Promise<boolean> {
    return this.schedule((c) => this.insertItem(c, item, at), true);
  }

  /** Pending messages of one channel due at `nowMs`, oldest first. */
  dueOutbox(channel: string, nowMs: number, limit: number): Promise<OutboxItem[]> {
    return this.schedule(async (c) =>
      (
        await c.all<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending' AND channel = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?`, [
          channel,
          nowMs,
          limit,
        ])
      ).map(toOutboxItem),
    );
  }

  /** Earliest due time of a pending message of the channel, or undefined. */
  nextDueAt(channel: string): Promise<number | undefined> {
    return this.schedule(async (c) => {
      const row = await c.get<{ m: number | null }>(`SELECT MIN(due_at) AS m FROM outbox WHERE state = 'pending' AND channel = ?`, [channel]);
      return row?.m ?? undefined;
    });
  }

  /**
   * Claims pending messages for sending under this owner; resolves the ids claimed (not those cancelled or claimed
   * meanwhile). The claim is fenced by the lease: it only happens while this owner holds the delivery lease and its
   * owner lease is live, in the same statement (with PostgreSQL: the lease row checked and the rows taken with
   * SELECT … FOR UPDATE SKIP LOCKED). Rejects with LeaseLostError when another owner holds the lease.
   */
  claimOutbox(ids: readonly number[], nowMs: number): Promise<number[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.schedule(async (c) => {
      const wall = Date.now();
      const rows = await c.all<{ id: number }>(
        `UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_at = ?, claimed_by = ?
         WHERE id IN (${ids.map(() => '?').join(', ')}) AND state = 'pending'
           AND EXISTS (SELECT 1 FROM delivery_lease l JOIN store_owners o ON o.owner = l.owner
                       WHERE l.name = 'delivery' AND l.owner = ? AND o.lease_until > ?)
         RETURNING id`,
        [nowMs, this.owner, ...ids, this.owner, wall],
      );
      if (rows.length === 0) {
        const held = await c.get<{ n: number }>(
          `SELECT COUNT(*) AS n FROM delivery_lease l JOIN store_owners o ON o.owner = l.owner WHERE l.name = 'delivery' AND l.owner = ? AND o.lease_until > ?`,
          [this.owner, wall],
        );
        if (!held?.n) {
          this.leader = false;
          throw new LeaseLostError('this process no longer holds the delivery lease');
        }
      }
      return rows.map((r) => r.id);
    }, true);
  }

  /** Records successful sends. */
  markSent(ids: readonly number[], nowMs: number): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.schedule(async (c) => {
      await c.run(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id IN (${ids.map(() => '?').join(', ')}) AND state = 'sending'`, [
        nowMs,
        ...ids,
      ]);
    }, true);
  }

  /** Puts a claimed message back for another attempt at `dueAt`. */
  markRetry(id: number, dueAt: number, error: string): Promise<void> {
    return this.schedule(async (c) => {
      await c.run(`UPDATE outbox SET state = 'pending', due_at = ?, last_error = ? WHERE id = ? AND state = 'sending'`, [dueAt, error, id]);
    }, true);
  }

  /** Records that a claimed message will not be delivered. */
  markFailed(id: number, error: string): Promise<void> {
    return this.schedule(async (c) => {
      await c.run(`UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ? AND state = 'sending'`, [error, id]);
    }, true);
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
      const lease = await c.get<{ owner: string }>(`SELECT owner FROM delivery_lease WHERE name = 'delivery'`);
      if (lease?.owner !== this.owner) return 0;
      const owners = await this.recoverable(c, wall);
      if (owners.length === 0) return 0;
      const rows = await c.all<{ id: number; attempts: number }>(
        `SELECT id, attempts FROM outbox WHERE state = 'sending' AND COALESCE(claimed_by, '') IN (${owners.map(() => '?').join(', ')})`,
        owners,
      );
      const dead = owners.filter((o) => o !== this.owner && o !== '');
      if (dead.length) await c.run(`DELETE FROM store_owners WHERE owner IN (${dead.map(() => '?').join(', ')})`, dead);
      for (const r of rows) {
        const reached = startedKeys === undefined || startedKeys.has(`${r.id}:${r.attempts}`);
        if (!reached) {
          // Claimed, never handed to the platform: this attempt did not happen.
          await c.run(`UPDATE outbox SET state = 'pending', attempts = attempts - 1, claimed_by = NULL WHERE id = ?`, [r.id]);
        } else if (mode === 'assume-sent') {
          await c.run(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = 'interrupted while sending; assumed delivered' WHERE id = ?`, [nowMs, r.id]);
        } else {
          await c.run(`UPDATE outbox SET state = 'pending', claimed_by = NULL, last_error = 'interrupted while sending; resent' WHERE id = ?`, [r.id]);
        }
      }
      return rows.length;
    });
  }

  /**
   * Writes a consistent copy of the live database to `file` with VACUUM INTO, as one queued job (other work waits
   * for it; a few milliseconds for an association's data). Refuses while the database is known to be damaged, so a
   * bad copy never pushes a good backup out of the rotation. Records the file in the health once it is verified by
   * the caller (`noteBackup`).
   */
  backupTo(file: string): Promise<void> {
    if (this.state.problem === 'damaged') return Promise.reject(new StorageError(`${this.path}: database is damaged; not backed up`, 'SQLITE_CORRUPT', this.path));
    return this.schedule(async (c) => {
      await c.run('VACUUM INTO ?', [file]);
    });
  }

  /** Records a verified backup in the health. */
  noteBackup(file: string, at: number): void {
    this.state.lastBackup = { file, at };
  }

  /** Counts of outbox rows by state. */
  outboxCounts(): Promise<OutboxCounts> {
    return this.schedule(async (c) => {
      const counts: OutboxCounts = { pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
      for (const r of await c.all<{ state: OutboxState; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')) counts[r.state] = r.n;
      return counts;
    });
  }

  /**
   * Runs `job` as one job of the serial queue (inside BEGIN IMMEDIATE … COMMIT when `transaction` is true), for
   * feature modules that keep their own SQL next to their code, such as the staff console (src/web).
   */
  runExclusive<T>(job: (db: SqlRunner) => Promise<T>, transaction = false): Promise<T> {
    return transaction ? this.transaction(job) : this.schedule(job);
  }
}

/** Statement access handed to `SqliteStore.runExclusive` jobs. */
export interface SqlRunner {
  /** Runs a statement; resolves the rows changed and the last inserted id. */
  run(sql: string, params?: unknown[]): Promise<{ changes: number; lastID: number }>;
  /** The first row of a query, or undefined. */
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /** Every row of a query. */
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
}
