/** PostgreSQL statement access: the shared `?` SQL rewritten to `$n`, numbers read back as numbers. */
import pg from 'pg';
import type { SqlRunner } from '../sql/runner.ts';

/** BIGINT (ms timestamps, COUNT) and NUMERIC (SUM) come back as numbers: every value the store keeps fits a double exactly. */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

const cache = new Map<string, string>();

/** Rewrites `?` placeholders to `$1, $2, …`, leaving quoted strings and identifiers alone. */
export function toPgSql(sql: string): string {
  const hit = cache.get(sql);
  if (hit !== undefined) return hit;
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') out += `$${++n}`;
    else out += ch;
  }
  if (cache.size < 5000) cache.set(sql, out);
  return out;
}

/** Tables with an identity id: an INSERT into one reports the new id as `lastID`, as SQLite does. */
const ID_TABLES = new Set(['awards', 'publicity', 'broadcasts', 'outbox', 'staff_audit', 'unanswered']);

/** Adds RETURNING id to a plain INSERT into a table with an identity id, so `run` can report `lastID`. */
function withReturning(sql: string): string {
  const m = /^\s*INSERT\s+INTO\s+(\w+)/i.exec(sql);
  if (!m || !ID_TABLES.has(m[1].toLowerCase()) || /\bRETURNING\b/i.test(sql) || /\bSELECT\b/i.test(sql)) return sql;
  return `${sql} RETURNING id`;
}

/** A `pg` client or pool as the shared SQL sees it. */
export class PgRunner implements SqlRunner {
  constructor(readonly client: pg.PoolClient | pg.Pool) {}

  async run(sql: string, params: unknown[] = []): Promise<{ changes: number; lastID: number }> {
    const r = await this.client.query(toPgSql(withReturning(sql)), params);
    const last = r.rows[r.rows.length - 1] as { id?: unknown } | undefined;
    return { changes: r.rowCount ?? 0, lastID: last && typeof last.id === 'number' ? last.id : 0 };
  }

  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.client.query(toPgSql(sql), params)).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(toPgSql(sql), params)).rows as T[];
  }
}
