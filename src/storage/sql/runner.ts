/** The statement access every shared query is written against; each engine (SQLite, PostgreSQL) implements it once. */

/** Statement access for one connection or transaction. SQL uses `?` placeholders; an engine rewrites them if it must. */
export interface SqlRunner {
  /** Runs a statement; resolves the rows changed and the last inserted id (0 where the engine has none: use RETURNING). */
  run(sql: string, params?: unknown[]): Promise<{ changes: number; lastID: number }>;
  /** The first row of a query, or undefined. */
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /** Every row of a query. */
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** `n` comma-separated placeholders, for IN lists and multi-row VALUES. */
export function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
