/** Copies an existing SQLite database into an empty PostgreSQL database (`cli migrate-store --from bot.db`). */
import type { PostgresStore } from './postgres-store.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** Tables copied, parents before children; owners and the delivery lease are per process and start afresh. */
export const COPIED_TABLES = [
  'chat_state',
  'subscribers',
  'awards',
  'publicity',
  'broadcasts',
  'outbox',
  'seen_updates',
  'inbox',
  'staff_links',
  'staff_sessions',
  'staff_audit',
  'unanswered',
  'unanswered_handled',
  'console_broadcasts',
  'knowledge_version',
] as const;

/** Tables whose identity ids are copied as they are, so keys such as "award:12:…" keep pointing at the same rows. */
const WITH_IDS = new Set(['awards', 'publicity', 'broadcasts', 'outbox', 'inbox', 'staff_audit', 'unanswered']);

/** Rows copied per table. */
export type MigrationCounts = Record<string, number>;

/** Why a copy was refused. */
export class MigrateRefused extends Error {
  override readonly name = 'MigrateRefused';
}

/**
 * Copies every row of the source into the target in one transaction, keeping ids, then moves the target's id
 * sequences past them. Refuses a target that already holds chats, subscribers or messages, and a source a running bot
 * still delivers from (a row in `sending`), so nothing is copied twice or half-sent.
 */
export async function migrateSqliteToPostgres(source: SqliteStore, target: PostgresStore, chunk = 500): Promise<MigrationCounts> {
  const sending = await source.runExclusive((c) => c.get<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'sending'`));
  if (Number(sending?.n ?? 0) > 0) throw new MigrateRefused('the SQLite database has messages being sent: stop the bot cleanly first');
  const counts: MigrationCounts = {};
  await target.runExclusive(async (pg) => {
    for (const table of ['chat_state', 'subscribers', 'outbox', 'awards']) {
      const row = await pg.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
      if (Number(row?.n ?? 0) > 0) throw new MigrateRefused(`the PostgreSQL database is not empty (${table} has rows)`);
    }
    for (const table of COPIED_TABLES) {
      const rows = await source.runExclusive((c) => c.all<Record<string, unknown>>(`SELECT * FROM ${table}`));
      counts[table] = rows.length;
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        const cols = Object.keys(part[0]);
        const values = part.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ');
        await pg.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values}`, part.flatMap((r) => cols.map((k) => r[k] ?? null)));
      }
      if (WITH_IDS.has(table)) {
        await pg.get(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT MAX(id) FROM ${table}), 0) + 1, false)`);
      }
    }
  }, true);
  return counts;
}
