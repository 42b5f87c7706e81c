/** Broadcasts: staff messages fanned out to subscribers, with delivery counts and the sender's final report. */
import type { BroadcastStats, NewOutboxItem } from '../store.ts';
import { fanOut, insertItem } from './outbox.ts';
import { insertReturningId } from './reminders.ts';
import { toBroadcast, type BroadcastRow } from './rows.ts';
import { marks, type SqlRunner } from './runner.ts';

const BROADCAST_SELECT = `
  SELECT b.id, b.sender_channel, b.sender_chat, b.text, b.tag, b.recipients, b.created_at, b.report_sent,
    SUM(CASE WHEN o.state = 'sent' THEN 1 ELSE 0 END) AS delivered,
    SUM(CASE WHEN o.state = 'failed' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN o.state IN ('pending', 'sending') THEN 1 ELSE 0 END) AS pending,
    SUM(CASE WHEN o.state = 'cancelled' THEN 1 ELSE 0 END) AS cancelled
  FROM broadcasts b LEFT JOIN outbox o ON o.broadcast_id = b.id`;

/** Parses a broadcast id given as a string; NaN-safe. */
export function broadcastNumber(id: string): number | undefined {
  return /^\d+$/.test(id) && id.length < 16 ? Number(id) : undefined;
}

/** Records a broadcast and queues it for every matching active subscriber (call inside a transaction). */
export async function createBroadcast(c: SqlRunner, broadcast: { senderChannel: string; senderChat: string; text: string; tag?: string }, at: Date): Promise<{ id: string; recipients: number }> {
  const id = await insertReturningId(c, 'INSERT INTO broadcasts (sender_channel, sender_chat, text, tag, recipients, created_at, report_sent) VALUES (?, ?, ?, ?, 0, ?, 0)', [
    broadcast.senderChannel,
    broadcast.senderChat,
    broadcast.text,
    broadcast.tag ?? null,
    at.getTime(),
  ]);
  const recipients = await fanOut(
    c,
    { keyPrefix: `broadcast:${id}:`, kind: 'broadcast', text: broadcast.text, data: { broadcast: { id: String(id) } }, tag: broadcast.tag, dueAt: 0 },
    at,
    id,
  );
  // With nobody to reach, the sender's report is the immediate reply, so the broadcast counts as reported.
  await c.run('UPDATE broadcasts SET recipients = ?, report_sent = ? WHERE id = ?', [recipients, recipients === 0 ? 1 : 0, id]);
  return { id: String(id), recipients };
}

/** Delivery counts of one broadcast by its number, or undefined. */
export async function getBroadcast(c: SqlRunner, id: number): Promise<BroadcastStats | undefined> {
  const row = await c.get<BroadcastRow>(`${BROADCAST_SELECT} WHERE b.id = ? GROUP BY b.id`, [id]);
  return row ? toBroadcast(numeric(row)) : undefined;
}

/** The most recent broadcasts with their counts, newest first. */
export async function listBroadcasts(c: SqlRunner, limit: number): Promise<BroadcastStats[]> {
  const ids = await c.all<{ id: number }>('SELECT id FROM broadcasts ORDER BY id DESC LIMIT ?', [limit]);
  return statsOf(c, ids);
}

/** Broadcasts without a report whose deliveries on `channels` are all settled. */
export async function listSettledUnreported(c: SqlRunner, channels: string[], limit: number): Promise<BroadcastStats[]> {
  const ids = await c.all<{ id: number }>(
    `SELECT b.id FROM broadcasts b WHERE b.report_sent = 0 AND NOT EXISTS (
       SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id AND o.state IN ('pending', 'sending') AND o.channel IN (${marks(channels.length)})
     ) ORDER BY b.id LIMIT ?`,
    [...channels, limit],
  );
  return statsOf(c, ids);
}

/** Marks a broadcast reported and queues `report` (call inside a transaction); resolves false when it was reported already. */
export async function markBroadcastReported(c: SqlRunner, id: number, report: NewOutboxItem | undefined, at: Date): Promise<boolean> {
  const r = await c.run('UPDATE broadcasts SET report_sent = 1 WHERE id = ? AND report_sent = 0', [id]);
  if (r.changes !== 1) return false;
  if (report) await insertItem(c, report, at);
  return true;
}

async function statsOf(c: SqlRunner, ids: { id: number }[]): Promise<BroadcastStats[]> {
  const out: BroadcastStats[] = [];
  for (const { id } of ids) {
    const b = await getBroadcast(c, Number(id));
    if (b) out.push(b);
  }
  return out;
}

/** Sums come back as strings or bigints from some engines; the counts are small integers. */
function numeric(r: BroadcastRow): BroadcastRow {
  const n = (v: number | null): number | null => (v === null ? null : Number(v));
  return { ...r, id: Number(r.id), delivered: n(r.delivered), failed: n(r.failed), pending: n(r.pending), cancelled: n(r.cancelled), recipients: Number(r.recipients), created_at: Number(r.created_at), report_sent: Number(r.report_sent) };
}
