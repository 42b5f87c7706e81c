/** SQLite's integrity check (PRAGMA quick_check), on the store's connection or on a short-lived read-only one. */
import sqlite3 from 'sqlite3';
import type { HealthTracker } from '../health.ts';
import { isStorageError } from '../store.ts';
import { Connection } from './connection.ts';

/** Runs PRAGMA quick_check on `c` and records the result in `health`; resolves whether it passed. */
export async function runQuickCheck(c: Connection, health: HealthTracker): Promise<boolean> {
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
  health.noteCheck(at, ok, `PRAGMA quick_check: ${detail}`);
  return ok;
}

/**
 * The periodic quick_check, on a short-lived read-only connection of its own: it reads the pages from the file,
 * not from the main connection's cache, so damage that happened under a running bot is seen, and other work goes on.
 */
export async function checkFile(path: string, health: HealthTracker): Promise<void> {
  if (path === ':memory:' || path === '') return;
  const db = await new Promise<sqlite3.Database | undefined>((resolve) => {
    const d: sqlite3.Database = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (err) => resolve(err ? undefined : d));
  });
  if (!db) return;
  const c = new Connection(db);
  try {
    await runQuickCheck(c, health);
  } finally {
    await c.close().catch(() => undefined);
  }
}
