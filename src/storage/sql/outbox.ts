/** The outbox: enqueueing (one row, many rows, a fan-out to subscribers), due rows, and the send life cycle. */
import { priorityOf, type FanOut, type NewOutboxItem, type OutboxCounts, type OutboxItem, type OutboxState } from '../store.ts';
import { OUTBOX_COLUMNS, tagPattern, toOutboxItem, type OutboxRow } from './rows.ts';
import { marks, type SqlRunner } from './runner.ts';

/** Inserts one row per active subscriber (matching the tag, if any); resolves the number of rows created. */
export async function fanOut(c: SqlRunner, f: FanOut, at: Date, broadcastId: number | null): Promise<number> {
  const params: unknown[] = [f.keyPrefix, f.kind, f.text, f.data === undefined ? null : JSON.stringify(f.data), f.dueAt, broadcastId, at.getTime(), priorityOf(f.kind)];
  let where = 'active = 1';
  if (f.tag !== undefined) {
    where += ` AND tags LIKE ? ESCAPE '\\'`;
    params.push(tagPattern(f.tag));
  }
  const r = await c.run(
    `INSERT INTO outbox (key, kind, channel, chat, text, data, due_at, state, attempts, broadcast_id, created_at, priority)
     SELECT CAST(? AS TEXT) || channel || ':' || chat, ?, channel, chat, ?, ?, ?, 'pending', 0, ?, ?, ?
     FROM subscribers WHERE ${where}
     ON CONFLICT (key) DO NOTHING`,
    params,
  );
  return r.changes;
}

/** Inserts outbox rows with one statement, skipping keys that exist; resolves the number inserted. */
export async function insertItems(c: SqlRunner, items: NewOutboxItem[], at: Date): Promise<number> {
  if (items.length === 0) return 0;
  const r = await c.run(
    `INSERT INTO outbox (key, kind, channel, chat, text, choices, data, due_at, state, attempts, broadcast_id, created_at, priority)
     VALUES ${items.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, NULL, ?, ?)").join(', ')}
     ON CONFLICT (key) DO NOTHING`,
    items.flatMap((item) => [
      item.key,
      item.kind,
      item.channel,
      item.chat,
      item.text,
      item.choices?.length ? JSON.stringify(item.choices) : null,
      item.data === undefined ? null : JSON.stringify(item.data),
      item.dueAt,
      at.getTime(),
      priorityOf(item.kind, item.priority),
    ]),
  );
  return r.changes;
}

/** Inserts one outbox row unless its key exists; resolves whether it was inserted. */
export async function insertItem(c: SqlRunner, item: NewOutboxItem, at: Date): Promise<boolean> {
  return (await insertItems(c, [item], at)) === 1;
}

/** Pending messages of one channel due at `nowMs`: by priority (replies before bulk sends), then oldest first. */
export async function dueOutbox(c: SqlRunner, channel: string, nowMs: number, limit: number): Promise<OutboxItem[]> {
  const rows = await c.all<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending' AND channel = ? AND due_at <= ? ORDER BY priority, due_at, id LIMIT ?`, [
    channel,
    nowMs,
    limit,
  ]);
  return rows.map(toOutboxItem);
}

/** Earliest due time of a pending message of the channel, or undefined. */
export async function nextDueAt(c: SqlRunner, channel: string): Promise<number | undefined> {
  const row = await c.get<{ m: number | null }>(`SELECT MIN(due_at) AS m FROM outbox WHERE state = 'pending' AND channel = ?`, [channel]);
  return row?.m ?? undefined;
}

/** Records successful sends of rows still in `sending`. */
export async function markSent(c: SqlRunner, ids: readonly number[], nowMs: number, owner?: string): Promise<void> {
  await c.run(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id IN (${marks(ids.length)}) AND state = 'sending'${mine(owner)}`, [nowMs, ...ids, ...ownerParam(owner)]);
}

/** With several deliverers, an outcome only counts for the owner's own claim (a peer may have taken the row over). */
function mine(owner: string | undefined): string {
  return owner === undefined ? '' : ' AND claimed_by = ?';
}

function ownerParam(owner: string | undefined): string[] {
  return owner === undefined ? [] : [owner];
}

/** Puts a claimed message back for another attempt at `dueAt`. */
export async function markRetry(c: SqlRunner, id: number, dueAt: number, error: string, owner?: string): Promise<void> {
  await c.run(`UPDATE outbox SET state = 'pending', due_at = ?, last_error = ? WHERE id = ? AND state = 'sending'${mine(owner)}`, [dueAt, error, id, ...ownerParam(owner)]);
}

/** Records that a claimed message will not be delivered. */
export async function markFailed(c: SqlRunner, id: number, error: string, owner?: string): Promise<void> {
  await c.run(`UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ? AND state = 'sending'${mine(owner)}`, [error, id, ...ownerParam(owner)]);
}

/**
 * Settles the `sending` rows of `owners` (see `SchedulingStore.recoverInterrupted`): a row whose attempt is not in
 * `startedKeys` ("id:attempts") never reached the platform and goes back to pending; the others are counted sent
 * (`assume-sent`) or put back (`resend`). Resolves the number of rows settled.
 */
export async function settleSending(c: SqlRunner, owners: string[], mode: 'assume-sent' | 'resend', nowMs: number, startedKeys: Set<string> | undefined): Promise<number> {
  const rows = await c.all<{ id: number; attempts: number }>(
    `SELECT id, attempts FROM outbox WHERE state = 'sending' AND COALESCE(claimed_by, '') IN (${marks(owners.length)})`,
    owners,
  );
  for (const r of rows) {
    const reached = startedKeys === undefined || startedKeys.has(`${r.id}:${r.attempts}`);
    if (!reached) {
      // Claimed, never handed to the platform: this attempt did not happen.
      await c.run(`UPDATE outbox SET state = 'pending', attempts = attempts - 1, claimed_by = NULL WHERE id = ?`, [r.id]);
    } else if (mode === 'assume-sent') {
      await c.run(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = 'interrupted while sending; assumed delivered' WHERE id = ?`, [nowMs, r.id]);
    } else {
      await c.run(`UPDATE outbox SET state = 'pending', claimed_by = NULL, last_error = 'interrupted while sending; resent' WHERE id = ?`, [r.id]);
    }
  }
  return rows.length;
}

/** Counts of outbox rows by state. */
export async function outboxCounts(c: SqlRunner): Promise<OutboxCounts> {
  const counts: OutboxCounts = { pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const r of await c.all<{ state: OutboxState; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')) counts[r.state] = Number(r.n);
  return counts;
}
