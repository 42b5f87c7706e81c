/** The knowledge version row: bumped when documents change on any process, polled by every process to reload. */
import type { SqlRunner } from './runner.ts';

/** The current knowledge version (0 before any upload). */
export async function getVersion(c: SqlRunner): Promise<number> {
  return Number((await c.get<{ version: number }>(`SELECT version FROM knowledge_version WHERE name = 'documents'`))?.version ?? 0);
}

/** Increments the knowledge version; resolves the new one. */
export async function bumpVersion(c: SqlRunner, nowMs: number): Promise<number> {
  const rows = await c.all<{ version: number }>(
    `INSERT INTO knowledge_version (name, version, updated_at) VALUES ('documents', 1, ?)
     ON CONFLICT (name) DO UPDATE SET version = knowledge_version.version + 1, updated_at = excluded.updated_at
     RETURNING version`,
    [nowMs],
  );
  return Number(rows[0].version);
}
