/** Awards and reminders: registered awards, publicity periods, and advancing each to its next reminder stage. */
import type { AdvanceResult, AwardRecord, DueAward, DuePublicity, PublicityRecord, ReminderAdvance } from '../store.ts';
import { fanOut, insertItems } from './outbox.ts';
import { toAward, type AwardRow, type PublicityRow } from './rows.ts';
import type { SqlRunner } from './runner.ts';

/** Inserts a row and resolves its new id (RETURNING works on both engines). */
export async function insertReturningId(c: SqlRunner, sql: string, params: unknown[]): Promise<number> {
  const rows = await c.all<{ id: number }>(`${sql} RETURNING id`, params);
  return Number(rows[0].id);
}

/** Registers an award for a chat unless it has one with the same date (call inside a transaction). */
export async function addAward(
  c: SqlRunner,
  award: { channel: string; chat: string; awardedOn: string; expires: string; nextReminderOn: string | null },
  at: Date,
): Promise<{ award: AwardRecord; created: boolean }> {
  const old = await c.get<AwardRow>('SELECT * FROM awards WHERE channel = ? AND chat = ? AND awarded_on = ? ORDER BY id LIMIT 1', [award.channel, award.chat, award.awardedOn]);
  if (old) return { award: toAward(old), created: false };
  const id = await insertReturningId(c, 'INSERT INTO awards (channel, chat, awarded_on, expires, next_reminder_on, last_kind, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)', [
    award.channel,
    award.chat,
    award.awardedOn,
    award.expires,
    award.nextReminderOn,
    at.getTime(),
  ]);
  return { award: { id, channel: award.channel, chat: award.chat, awardedOn: award.awardedOn, expires: award.expires }, created: true };
}

/** The chat's awards, oldest grant first. */
export async function listAwards(c: SqlRunner, channel: string, chat: string): Promise<AwardRecord[]> {
  return (await c.all<AwardRow>('SELECT * FROM awards WHERE channel = ? AND chat = ? ORDER BY awarded_on, id', [channel, chat])).map(toAward);
}

/** Removes one of the chat's awards and cancels its undelivered reminders (call inside a transaction). */
export async function removeAward(c: SqlRunner, channel: string, chat: string, id: number): Promise<boolean> {
  const r = await c.run('DELETE FROM awards WHERE id = ? AND channel = ? AND chat = ?', [id, channel, chat]);
  if (r.changes === 0) return false;
  // Award reminder keys are "award:<id>:<stage>"; ';' sorts right after ':', so this is a prefix range on the unique key index.
  await c.run(
    `UPDATE outbox SET state = 'cancelled', last_error = 'award removed'
     WHERE key >= ? AND key < ? AND state = 'pending' AND kind = 'award'`,
    [`award:${id}:`, `award:${id};`],
  );
  return true;
}

/** Awards whose next reminder day is on or before `today`, by reminder day; `lock` takes row locks that a concurrent scan skips (PostgreSQL). */
export async function listDueAwards(c: SqlRunner, today: string, limit: number, lock = ''): Promise<DueAward[]> {
  const rows = await c.all<AwardRow>(
    `SELECT id, channel, chat, awarded_on, expires, next_reminder_on, last_kind FROM awards
     WHERE next_reminder_on <= ? ORDER BY next_reminder_on, id LIMIT ?${lock}`,
    [today, limit],
  );
  return rows.map((r) => ({ ...toAward(r), nextReminderOn: r.next_reminder_on as string, lastStage: r.last_kind }));
}

/** Publicity periods whose next reminder day is on or before `today`; `lock` as for awards. */
export async function listDuePublicity(c: SqlRunner, today: string, limit: number, lock = ''): Promise<DuePublicity[]> {
  const rows = await c.all<PublicityRow>(
    `SELECT id, title, starts, ends, next_reminder_on, last_kind FROM publicity
     WHERE next_reminder_on <= ? ORDER BY next_reminder_on, id LIMIT ?${lock}`,
    [today, limit],
  );
  return rows.map((r) => ({ id: r.id, title: r.title, starts: r.starts, ends: r.ends, nextReminderOn: r.next_reminder_on as string, lastStage: r.last_kind }));
}

/** Reads due awards, plans and applies their steps (call inside a transaction). */
export async function advanceDueAwards(c: SqlRunner, today: string, limit: number, plan: (due: DueAward[]) => ReminderAdvance[], at: Date, lock = ''): Promise<AdvanceResult> {
  const due = await listDueAwards(c, today, limit, lock);
  if (due.length === 0) return { seen: 0, created: 0 };
  return { seen: due.length, created: await applyAdvances(c, 'awards', plan(due), at) };
}

/** Reads due publicity periods, plans and applies their steps (call inside a transaction). */
export async function advanceDuePublicity(c: SqlRunner, today: string, limit: number, plan: (due: DuePublicity[]) => ReminderAdvance[], at: Date, lock = ''): Promise<AdvanceResult> {
  const due = await listDuePublicity(c, today, limit, lock);
  if (due.length === 0) return { seen: 0, created: 0 };
  return { seen: due.length, created: await applyAdvances(c, 'publicity', plan(due), at) };
}

/** Applies steps with a few multi-row statements (a statement costs a round trip). */
async function applyAdvances(c: SqlRunner, table: 'awards' | 'publicity', advances: ReminderAdvance[], at: Date): Promise<number> {
  const CHUNK = 200;
  for (let i = 0; i < advances.length; i += CHUNK) {
    const part = advances.slice(i, i + CHUNK);
    const cases = part.map(() => 'WHEN ? THEN CAST(? AS TEXT)').join(' ');
    await c.run(
      `UPDATE ${table} SET next_reminder_on = CASE id ${cases} END, last_kind = CASE id ${cases} END
       WHERE id IN (${part.map(() => '?').join(', ')})`,
      [...part.flatMap((a) => [a.id, a.nextReminderOn]), ...part.flatMap((a) => [a.id, a.lastStage]), ...part.map((a) => a.id)],
    );
  }
  let created = 0;
  const items = advances.flatMap((a) => (a.item ? [a.item] : []));
  for (let i = 0; i < items.length; i += CHUNK) created += await insertItems(c, items.slice(i, i + CHUNK), at);
  for (const a of advances) if (a.fanOut) created += await fanOut(c, a.fanOut, at, null);
  return created;
}

/** Records a publicity and queues `start` for every active subscriber (call inside a transaction). */
export async function addPublicity(
  c: SqlRunner,
  publicity: { title: string; starts: string; ends: string; createdBy: string; nextReminderOn: string | null },
  start: { text: string; data?: Record<string, unknown> },
  at: Date,
): Promise<{ publicity: PublicityRecord; created: boolean; recipients: number }> {
  // One publicity per period, whatever its title: an untitled and a titled one for the same days would notify twice.
  const old = await c.get<PublicityRow>('SELECT * FROM publicity WHERE starts = ? ORDER BY id LIMIT 1', [publicity.starts]);
  if (old) return { publicity: { id: old.id, title: old.title, starts: old.starts, ends: old.ends }, created: false, recipients: 0 };
  const id = await insertReturningId(c, 'INSERT INTO publicity (title, starts, ends, created_by, created_at, next_reminder_on, last_kind) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    publicity.title,
    publicity.starts,
    publicity.ends,
    publicity.createdBy,
    at.getTime(),
    publicity.nextReminderOn,
    'start',
  ]);
  const recipients = await fanOut(c, { keyPrefix: `publicity:${id}:start:`, kind: 'publicity', text: start.text, data: start.data, dueAt: 0 }, at, null);
  return { publicity: { id, title: publicity.title, starts: publicity.starts, ends: publicity.ends }, created: true, recipients };
}
