/** Online backups into `<db>.backups/`, each verified after writing, and a restore that refuses while a bot holds the database. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { SCHEMA_VERSION } from './migrations.ts';
import { ownerDead, type OwnerRow, type SqliteStore } from './sqlite-store.ts';
import { StorageError } from './store.ts';

/** Backups kept by default. */
export const DEFAULT_BACKUP_KEEP = 7;

/** One backup file. */
export interface BackupFile {
  file: string;
  /** When it was written, ms since epoch (from its name). */
  at: number;
  bytes: number;
}

/** What a restore did. */
export interface RestoreReport {
  /** The backup put in place. */
  from: string;
  /** Where the replaced database was moved (kept for inspection), if there was one. */
  movedAside?: string;
  /** Rows copied over from the replaced database that the backup did not have, per table. */
  salvaged: Record<string, number>;
  /** Outbox rows whose delivery the replaced database had recorded and that the backup still had as undelivered. */
  settled: number;
  /** Outbox rows the backup had in flight and nothing told about afterwards: counted delivered, never sent twice. */
  assumedSent: number;
  /** Parts of the replaced database that could not be read (skipped id ranges), per table. */
  unreadable: Record<string, number>;
}

/** Directory of the backups of a database file. */
export function backupDir(dbPath: string): string {
  return `${dbPath}.backups`;
}

const NAME = /^(.+)-(\d{8})-(\d{6})-(\d{3})\.db$/;

/** The backups of a database, newest first. */
export function listBackups(dbPath: string): BackupFile[] {
  const dir = backupDir(dbPath);
  if (!existsSync(dir)) return [];
  const out: BackupFile[] = [];
  for (const f of readdirSync(dir)) {
    const m = NAME.exec(f);
    if (!m) continue;
    const [, , d, t, ms] = m;
    const at = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6), +ms);
    const file = join(dir, f);
    out.push({ file, at, bytes: statSync(file).size });
  }
  return out.sort((a, b) => b.at - a.at || b.file.localeCompare(a.file));
}

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
}

type Raw = sqlite3.Database;

function openRaw(path: string, mode: number): Promise<Raw> {
  return new Promise((res, rej) => {
    const db: Raw = new sqlite3.Database(path, mode, (err) => (err ? rej(err) : res(db)));
  });
}
const all = <T>(db: Raw, sql: string, params: unknown[] = []): Promise<T[]> => new Promise((res, rej) => db.all(sql, params, (e: Error | null, rows: T[]) => (e ? rej(e) : res(rows))));
const run = (db: Raw, sql: string, params: unknown[] = []): Promise<number> =>
  new Promise((res, rej) =>
    db.run(sql, params, function (this: sqlite3.RunResult, e: Error | null) {
      if (e) rej(e);
      else res(this.changes);
    }),
  );
const closeRaw = (db: Raw): Promise<void> => new Promise((res) => db.close(() => res()));

/** Checks a backup file: PRAGMA integrity_check passes and its schema is one this program can open. */
export async function verifyBackup(file: string): Promise<{ ok: boolean; detail: string }> {
  if (!existsSync(file)) return { ok: false, detail: `${file}: no such file` };
  let db: Raw | undefined;
  try {
    db = await openRaw(file, sqlite3.OPEN_READONLY);
    const rows = await all<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    if (rows.length !== 1 || rows[0].integrity_check !== 'ok') return { ok: false, detail: rows.slice(0, 3).map((r) => r.integrity_check).join('; ') };
    const [v] = await all<{ user_version: number }>(db, 'PRAGMA user_version');
    if (!v || v.user_version < 1 || v.user_version > SCHEMA_VERSION) return { ok: false, detail: `schema version ${v?.user_version} is not one this program can open` };
    return { ok: true, detail: 'ok' };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  } finally {
    if (db) await closeRaw(db);
  }
}

/**
 * Writes an online backup of the open store into `<db>.backups/` (VACUUM INTO: a consistent, compact copy taken while
 * the bot runs), verifies it, and keeps the newest `keep`; a copy that fails its check is deleted and reported.
 */
export async function backupDatabase(store: SqliteStore, options: { keep?: number; now?: number } = {}): Promise<BackupFile> {
  const dir = backupDir(store.path);
  mkdirSync(dir, { recursive: true });
  const at = options.now ?? Date.now();
  const name = basename(store.path).replace(/\.db$/, '');
  const file = join(dir, `${name}-${stamp(at)}.db`);
  const tmp = `${file}.partial`;
  rmSync(tmp, { force: true });
  try {
    await store.backupTo(tmp);
    const check = await verifyBackup(tmp);
    if (!check.ok) throw new StorageError(`backup ${file} failed its check: ${check.detail}`, 'SQLITE_CORRUPT', store.path);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  store.noteBackup(file, at);
  const keep = Math.max(1, options.keep ?? DEFAULT_BACKUP_KEEP);
  for (const old of listBackups(store.path).slice(keep)) rmSync(old.file, { force: true });
  return { file, at, bytes: statSync(file).size };
}

/** Processes that hold the database now (live owner leases), read from its store_owners table. */
export async function liveHolders(dbPath: string): Promise<{ owner: string; host: string; pid: number }[]> {
  const db = await openRaw(dbPath, sqlite3.OPEN_READONLY);
  try {
    const rows = await all<OwnerRow>(db, 'SELECT owner, host, pid, lease_until FROM store_owners');
    const now = Date.now();
    return rows.filter((r) => !ownerDead(r, now)).map((r) => ({ owner: r.owner, host: r.host ?? '', pid: r.pid ?? 0 }));
  } finally {
    await closeRaw(db);
  }
}

/** Finds the backup meant by `arg`: a path, a file name in `<db>.backups/`, or "latest". */
export function resolveBackup(dbPath: string, arg: string): string | undefined {
  if (arg === 'latest') return listBackups(dbPath)[0]?.file;
  if (existsSync(arg)) return resolve(arg);
  const inDir = join(backupDir(dbPath), arg);
  return existsSync(inDir) ? inDir : undefined;
}

/** Tables copied from a replaced database into the restored one, and how a clash is settled (newest state wins for per-chat rows). */
const SALVAGE: readonly { table: string; verb: 'INSERT OR IGNORE' | 'INSERT OR REPLACE' }[] = [
  { table: 'subscribers', verb: 'INSERT OR REPLACE' },
  { table: 'chat_state', verb: 'INSERT OR REPLACE' },
  { table: 'awards', verb: 'INSERT OR REPLACE' },
  { table: 'publicity', verb: 'INSERT OR REPLACE' },
  { table: 'broadcasts', verb: 'INSERT OR REPLACE' },
  { table: 'outbox', verb: 'INSERT OR IGNORE' },
];
const CHUNK = 200;

/**
 * Replaces the database with a verified backup, then carries over from the replaced (damaged) file every row it can
 * still read: newer subscriptions, awards, broadcasts and queued messages, and the delivery state of messages the
 * backup had as undelivered, so nothing delivered after the backup is sent again. Rows the backup had in flight with
 * nothing readable about them afterwards count as delivered. Refuses while a bot process holds the database
 * (unless `force`, for a database too damaged to tell); the replaced file is kept beside it as `<db>.damaged-<time>`.
 */
export async function restoreBackup(dbPath: string, backupFile: string, options: { force?: boolean } = {}): Promise<RestoreReport> {
  const check = await verifyBackup(backupFile);
  if (!check.ok) throw new StorageError(`备份文件无效 / backup ${backupFile} failed its check: ${check.detail}`, 'SQLITE_CORRUPT', dbPath);
  const exists = existsSync(dbPath);
  if (exists && !options.force) {
    let holders: Awaited<ReturnType<typeof liveHolders>>;
    try {
      holders = await liveHolders(dbPath);
    } catch (e) {
      throw new StorageError(
        `无法读取 ${dbPath} 判断机器人是否在运行（${(e as Error).message}）。请确认机器人已停止，再加 --force 重试 / cannot tell whether a bot holds the database; stop it and retry with --force`,
        'HELD',
        dbPath,
      );
    }
    if (holders.length) {
      const who = holders.map((h) => `${h.host} 进程 ${h.pid}`).join('，');
      throw new StorageError(`机器人正在使用数据库（${who}），请先停止机器人再恢复 / a bot process holds ${dbPath} (${holders.map((h) => `${h.host} pid ${h.pid}`).join(', ')}); stop it first`, 'HELD', dbPath);
    }
  }
  const report: RestoreReport = { from: backupFile, salvaged: {}, settled: 0, assumedSent: 0, unreadable: {} };
  mkdirSync(dirname(dbPath), { recursive: true });
  if (exists) {
    const aside = `${dbPath}.damaged-${stamp(Date.now())}`;
    renameSync(dbPath, aside);
    for (const ext of ['-wal', '-shm']) if (existsSync(dbPath + ext)) renameSync(dbPath + ext, aside + ext);
    report.movedAside = aside;
  }
  const tmp = `${dbPath}.restoring`;
  copyFileSync(backupFile, tmp);
  renameSync(tmp, dbPath);
  for (const f of readdirSync(dirname(dbPath))) {
    if (f.startsWith(`${basename(dbPath)}-sending`)) rmSync(join(dirname(dbPath), f), { force: true });
  }
  const db = await openRaw(dbPath, sqlite3.OPEN_READWRITE);
  try {
    await run(db, 'PRAGMA journal_mode = WAL');
    if (report.movedAside) await salvage(db, report.movedAside, report);
    await run(db, 'BEGIN IMMEDIATE');
    report.assumedSent = await run(db, `UPDATE outbox SET state = 'sent', last_error = 'in flight when the backup was taken; assumed delivered' WHERE state = 'sending'`);
    // Owners recorded in the backup are long gone.
    await run(db, 'DELETE FROM delivery_lease').catch(() => 0);
    await run(db, 'DELETE FROM store_owners').catch(() => 0);
    await run(db, 'COMMIT');
  } finally {
    await closeRaw(db);
  }
  return report;
}

/** Copies what can still be read from the replaced file, chunk by chunk of rowids, skipping damaged chunks. */
async function salvage(db: Raw, oldPath: string, report: RestoreReport): Promise<void> {
  try {
    await run(db, 'ATTACH DATABASE ? AS old', [oldPath]);
  } catch {
    report.unreadable.all = 1;
    return;
  }
  try {
    const sameSchema = await all<{ user_version: number }>(db, 'PRAGMA old.user_version').catch(() => []);
    const [mine] = await all<{ user_version: number }>(db, 'PRAGMA main.user_version');
    if (sameSchema[0]?.user_version !== mine.user_version) {
      report.unreadable.all = 1;
      return;
    }
    for (const { table, verb } of SALVAGE) {
      const bounds = await all<{ lo: number | null; hi: number | null }>(db, `SELECT MIN(rowid) AS lo, MAX(rowid) AS hi FROM old.${table}`).catch(() => []);
      const lo = bounds[0]?.lo;
      const hi = bounds[0]?.hi;
      if (lo == null || hi == null) {
        if (!bounds.length) report.unreadable[table] = 1;
        continue;
      }
      const cols = (await all<{ name: string }>(db, `PRAGMA main.table_info(${table})`)).map((c) => c.name).join(', ');
      for (let from = lo; from <= hi; from += CHUNK) {
        const to = from + CHUNK - 1;
        try {
          await run(db, 'BEGIN IMMEDIATE');
          if (table === 'outbox') {
            // Settle first: rows the backup has as undelivered that the replaced file had delivered, failed or cancelled.
            report.settled += await run(
              db,
              `UPDATE main.outbox SET state = o.state, sent_at = o.sent_at, last_error = o.last_error, attempts = o.attempts
               FROM (SELECT key, state, sent_at, last_error, attempts FROM old.outbox WHERE rowid BETWEEN ? AND ? AND state IN ('sent', 'failed', 'cancelled')) AS o
               WHERE main.outbox.key = o.key AND main.outbox.state IN ('pending', 'sending')`,
              [from, to],
            );
          }
          const n = await run(db, `${verb} INTO main.${table} (${cols}) SELECT ${cols} FROM old.${table} WHERE rowid BETWEEN ? AND ?`, [from, to]);
          await run(db, 'COMMIT');
          if (n) report.salvaged[table] = (report.salvaged[table] ?? 0) + n;
        } catch {
          await run(db, 'ROLLBACK').catch(() => undefined);
          report.unreadable[table] = (report.unreadable[table] ?? 0) + 1;
        }
      }
    }
  } finally {
    await run(db, 'DETACH DATABASE old').catch(() => undefined);
  }
}
