/** Promise wrappers around one node-sqlite3 connection, and the wrapping of raw SQLite errors. */
import type sqlite3 from 'sqlite3';
import { StorageError, isStorageError } from '../store.ts';
import type { SqlRunner } from '../sql/runner.ts';

type Params = unknown[];

interface RunResult {
  changes: number;
  lastID: number;
}

/** Wraps a raw SQLite error as a StorageError naming the file, the cause and the code. */
export function wrapError(err: unknown, path: string): unknown {
  if (err instanceof StorageError || !isStorageError(err)) return err;
  const code = String((err as { code?: unknown }).code);
  return new StorageError(`${path}: ${(err as Error).message}`, code, path, { cause: err });
}

/** Promise wrappers around one node-sqlite3 connection. */
export class Connection implements SqlRunner {
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
