/** The store engines the parameterised store suite runs against: a SQLite file, and PostgreSQL on a throwaway cluster. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { AppStore } from '../../src/storage/store.ts';
import { freshDatabase, pgAvailable, startCluster, type PgCluster } from '../helpers/pg-cluster.ts';

/** One engine: `fresh` makes an empty database and resolves a function opening it (again and again). */
export interface Engine {
  name: 'sqlite' | 'postgres';
  /** False when the engine cannot run here (no PostgreSQL binary): its tests are skipped with a notice. */
  available: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  fresh(): Promise<(options?: { leaseMs?: number }) => Promise<AppStore>>;
}

const dirs: string[] = [];

export const sqliteEngine: Engine = {
  name: 'sqlite',
  available: true,
  async setup() {},
  async teardown() {
    while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
  },
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'store-suite-'));
    dirs.push(dir);
    const path = join(dir, 'bot.db');
    return (options = {}) => SqliteStore.open(path, options);
  },
};

let cluster: PgCluster | undefined;

export const postgresEngine: Engine = {
  name: 'postgres',
  available: pgAvailable(),
  async setup() {
    cluster ??= await startCluster();
  },
  async teardown() {
    await cluster?.stop();
    cluster = undefined;
    while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
  },
  async fresh() {
    const url = await freshDatabase(cluster!);
    const journalDir = mkdtempSync(join(tmpdir(), 'store-journals-'));
    dirs.push(journalDir);
    return (options = {}) => PostgresStore.open(url, { journalDir, ...options });
  },
};

/** Both engines; PostgreSQL is marked unavailable (and its tests skipped, with a notice) when no binary exists. */
export const ENGINES: Engine[] = [sqliteEngine, postgresEngine];
