/** Chooses the store: PostgreSQL when DATABASE_URL is set, otherwise the SQLite file (the embedded default). */
import type { AppStore } from './store.ts';

/** Where the store lives: a PostgreSQL URL, or a SQLite file. */
export interface StoreTarget {
  databaseUrl?: string;
  dbPath: string;
  journalDir?: string;
  /** Owner lease length, ms. */
  leaseMs?: number;
}

/** Opens the store the target names; no SQLite file is touched when a database URL is given. */
export async function openStore(target: StoreTarget): Promise<AppStore> {
  if (target.databaseUrl) {
    const { PostgresStore } = await import('./postgres-store.ts');
    return PostgresStore.open(target.databaseUrl, { journalDir: target.journalDir, leaseMs: target.leaseMs });
  }
  const { SqliteStore } = await import('./sqlite-store.ts');
  return SqliteStore.open(target.dbPath, { leaseMs: target.leaseMs });
}
