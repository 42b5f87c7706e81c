/** The update inbox: a platform update is stored before it is acknowledged, and marked done once it has been answered. */
import type { StoredUpdate } from '../store.ts';
import type { SqlRunner } from './runner.ts';

/** Stores an update unless its id is in the inbox already; resolves whether it was new. */
export async function storeUpdate(c: SqlRunner, channel: string, updateId: string, payload: string, nowMs: number): Promise<boolean> {
  const r = await c.run('INSERT INTO inbox (channel, update_id, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (channel, update_id) DO NOTHING', [
    channel,
    updateId,
    payload,
    nowMs,
  ]);
  return r.changes === 1;
}

/** Stored updates of a channel not yet answered, in the order they arrived. */
export async function openUpdates(c: SqlRunner, channel: string, limit: number): Promise<StoredUpdate[]> {
  const rows = await c.all<{ update_id: string; payload: string; received_at: number | string }>(
    'SELECT update_id, payload, received_at FROM inbox WHERE channel = ? AND done_at IS NULL ORDER BY id LIMIT ?',
    [channel, limit],
  );
  return rows.map((r) => ({ updateId: r.update_id, payload: r.payload, receivedAt: Number(r.received_at) }));
}

/** Records that a stored update has been answered; its payload is dropped, its id kept for dedupe until pruned. */
export async function markUpdateDone(c: SqlRunner, channel: string, updateId: string, nowMs: number): Promise<void> {
  await c.run(`UPDATE inbox SET done_at = ?, payload = '' WHERE channel = ? AND update_id = ? AND done_at IS NULL`, [nowMs, channel, updateId]);
}

/** Forgets answered updates done before `before`; open ones are kept whatever their age. */
export async function pruneInbox(c: SqlRunner, before: Date): Promise<number> {
  return (await c.run('DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?', [before.getTime()])).changes;
}
