/** Subscriptions: who receives notices, with tags for targeted broadcasts. */
import type { Subscriber } from '../store.ts';
import { tagPattern, toSubscriber, type SubscriberRow } from './rows.ts';
import type { SqlRunner } from './runner.ts';

/** Subscribes a chat (call inside a transaction); `tags` replaces its tags, undefined keeps an active subscription's tags. */
export async function subscribe(c: SqlRunner, channel: string, chat: string, tags: string[] | undefined, at: Date): Promise<{ subscriber: Subscriber; wasActive: boolean }> {
  const old = await c.get<SubscriberRow>('SELECT * FROM subscribers WHERE channel = ? AND chat = ?', [channel, chat]);
  const wasActive = old?.active === 1;
  const newTags = [...new Set(tags ?? (wasActive && old ? (JSON.parse(old.tags) as string[]) : []))];
  const since = wasActive && old ? old.subscribed_at : at.getTime();
  await c.run(
    `INSERT INTO subscribers (channel, chat, tags, subscribed_at, active) VALUES (?, ?, ?, ?, 1)
     ON CONFLICT (channel, chat) DO UPDATE SET tags = excluded.tags, subscribed_at = excluded.subscribed_at, active = 1`,
    [channel, chat, JSON.stringify(newTags), since],
  );
  return { subscriber: { channel, chat, tags: newTags, active: true, subscribedAt: since }, wasActive };
}

/** Unsubscribes a chat and cancels its undelivered publicity and broadcast messages (call inside a transaction). */
export async function unsubscribe(c: SqlRunner, channel: string, chat: string): Promise<boolean> {
  const r = await c.run('UPDATE subscribers SET active = 0 WHERE channel = ? AND chat = ? AND active = 1', [channel, chat]);
  await c.run(
    `UPDATE outbox SET state = 'cancelled', last_error = 'unsubscribed'
     WHERE channel = ? AND chat = ? AND state = 'pending' AND kind IN ('publicity', 'broadcast')`,
    [channel, chat],
  );
  return r.changes > 0;
}

/** The chat's subscription, active or not, or undefined. */
export async function getSubscriber(c: SqlRunner, channel: string, chat: string): Promise<Subscriber | undefined> {
  const row = await c.get<SubscriberRow>('SELECT * FROM subscribers WHERE channel = ? AND chat = ?', [channel, chat]);
  return row ? toSubscriber(row) : undefined;
}

/** Number of active subscribers, optionally only those carrying `tag`. */
export async function countSubscribers(c: SqlRunner, tag?: string): Promise<number> {
  const row =
    tag === undefined
      ? await c.get<{ n: number }>('SELECT COUNT(*) AS n FROM subscribers WHERE active = 1')
      : await c.get<{ n: number }>(`SELECT COUNT(*) AS n FROM subscribers WHERE active = 1 AND tags LIKE ? ESCAPE '\\'`, [tagPattern(tag)]);
  return Number(row?.n ?? 0);
}
