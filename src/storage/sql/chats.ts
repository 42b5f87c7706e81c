/** Chats and forms: saved dialogue state (conversation topic, pre-check form) and seen platform update ids. */
import type { SqlRunner } from './runner.ts';

/** Reads the saved dialogue state of a chat, or undefined. */
export async function getChatState(c: SqlRunner, channel: string, chat: string): Promise<unknown | undefined> {
  const row = await c.get<{ state: string }>('SELECT state FROM chat_state WHERE channel = ? AND chat = ?', [channel, chat]);
  return row ? (JSON.parse(row.state) as unknown) : undefined;
}

/** Saves the dialogue state of a chat. */
export async function saveChatState(c: SqlRunner, channel: string, chat: string, state: unknown, nowMs: number): Promise<void> {
  await c.run(
    `INSERT INTO chat_state (channel, chat, state, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (channel, chat) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [channel, chat, JSON.stringify(state ?? null), nowMs],
  );
}

/** Outbox key prefix of the match notices (one per award version and chat; see dialogue/match-notice.ts). */
export const MATCH_NOTICE_KEY = 'match:';

/** Cancels a chat's match notices still queued (pending, not being sent): the chat turned them off. Resolves how many. */
export async function cancelMatchNotices(c: SqlRunner, channel: string, chat: string): Promise<number> {
  const r = await c.run(
    `UPDATE outbox SET state = 'cancelled', last_error = 'match notices turned off'
     WHERE channel = ? AND chat = ? AND state = 'pending' AND substr(key, 1, ?) = ?`,
    [channel, chat, MATCH_NOTICE_KEY.length, MATCH_NOTICE_KEY],
  );
  return r.changes;
}

/** Records a platform update id; resolves false when it was seen before (by any process sharing the database). */
export async function markUpdateSeen(c: SqlRunner, channel: string, updateId: string | number, nowMs: number): Promise<boolean> {
  const r = await c.run('INSERT INTO seen_updates (channel, update_id, seen_at) VALUES (?, ?, ?) ON CONFLICT (channel, update_id) DO NOTHING', [
    channel,
    String(updateId),
    nowMs,
  ]);
  return r.changes === 1;
}

/** Forgets update ids recorded before `before`. */
export async function pruneSeenUpdates(c: SqlRunner, before: Date): Promise<number> {
  return (await c.run('DELETE FROM seen_updates WHERE seen_at < ?', [before.getTime()])).changes;
}
