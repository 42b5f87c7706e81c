import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import sqlite3 from 'sqlite3';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/storage/migrations.ts';
import { tempDbPath } from '../scheduling/fixtures/test-kit.ts';

/** Runs one query on a separate raw connection (as another process would see the file). */
function rawQuery<T>(path: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (err) => {
      if (err) return reject(err);
      db.all(sql, (e: Error | null, rows: T[]) => db.close(() => (e ? reject(e) : resolve(rows))));
    });
  });
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fresh(): string {
  const t = tempDbPath('store-');
  cleanups.push(t.cleanup);
  return t.path;
}

/** What only the SQLite file does (WAL, PRAGMA user_version, the serial queue, its query plans); the behaviour both engines share is in store-suite.test.ts. */
describe('SqliteStore', () => {
  it('creates a WAL database at the current schema version and keeps data across reopen', async () => {
    const path = fresh();
    const store = await SqliteStore.open(path);
    await store.saveChatState('console', 'c1', { v: 1, step: 'ask', text: '“引号” \'single\'' });
    await store.subscribe('telegram', '42', ['水口镇'], new Date('2026-01-01T00:00:00Z'));
    await store.close();
    expect(existsSync(path)).toBe(true);
    expect(await rawQuery<{ journal_mode: string }>(path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await rawQuery<{ user_version: number }>(path, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);

    const again = await SqliteStore.open(path);
    expect(await again.getChatState('console', 'c1')).toEqual({ v: 1, step: 'ask', text: '“引号” \'single\'' });
    expect(await again.getChatState('console', 'nobody')).toBeUndefined();
    expect((await again.getSubscriber('telegram', '42'))?.tags).toEqual(['水口镇']);
    await again.close();
  });

  it('upgrades a version 1 database in place, keeping its rows', async () => {
    const path = fresh();
    const v1 = MIGRATIONS.find((m) => m.version === 1)!;
    await rawQuery(path, 'PRAGMA journal_mode = WAL');
    await new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(path, () =>
        db.exec(
          `BEGIN; ${v1.sql}; PRAGMA user_version = 1;
           INSERT INTO outbox (key, kind, channel, chat, text, due_at, created_at) VALUES ('notice:old', 'notice', 'console', 'c', '旧消息', 0, 0);
           COMMIT;`,
          (e) => db.close(() => (e ? reject(e) : resolve())),
        ),
      );
    });
    const store = await SqliteStore.open(path);
    expect(await rawQuery<{ user_version: number }>(path, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);
    expect((await store.dueOutbox('console', Date.now(), 10)).map((r) => [r.text, r.choices])).toEqual([['旧消息', undefined]]);
    const choices = [{ label: '是', value: '是' }, { label: '否', value: '否' }];
    await store.enqueue({ key: 'notice:new', kind: 'notice', channel: 'console', chat: 'c', text: '新', choices, dueAt: 0 }, new Date());
    expect((await store.dueOutbox('console', Date.now(), 10))[1].choices).toEqual(choices);
    await store.close();
  });

  it('refuses a database written by a newer version', async () => {
    const path = fresh();
    await (await SqliteStore.open(path)).close();
    await rawQuery(path, 'PRAGMA user_version = 99');
    await expect(SqliteStore.open(path)).rejects.toThrow(/newer/);
  });

  it('runs concurrent transactions one at a time, in call order', async () => {
    const store = await SqliteStore.open(fresh());
    const now = new Date();
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) calls.push(store.subscribe('console', `a${i}`, undefined, now));
    const first = store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: 'one' }, now);
    for (let i = 0; i < 100; i++) calls.push(store.subscribe('console', `b${i}`, undefined, now));
    for (let i = 0; i < 50; i++) calls.push(store.unsubscribe('console', `a${i}`));
    const second = store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: 'two' }, now);
    await Promise.all(calls);
    expect((await first).recipients).toBe(100);
    expect((await second).recipients).toBe(150);
    expect(await store.countSubscribers()).toBe(150);
    // The fifty unsubscribed chats had their undelivered copy of the first broadcast cancelled.
    const stats = await store.getBroadcast((await first).id);
    expect(stats).toMatchObject({ recipients: 100, pending: 50, cancelled: 50 });
    await store.close();
  });

  it('stores a webhook update ahead of the queued work, without splitting a transaction or reordering the rest', async () => {
    const store = await SqliteStore.open(fresh());
    const now = new Date('2026-06-01T10:00:00+08:00');
    const done: string[] = [];
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) calls.push(store.subscribe('console', `c${i}`, undefined, now).then(() => done.push(`sub${i}`)));
    const broadcast = store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '通知' }, now).then((b) => (done.push('broadcast'), b));
    const stored = store.storeUpdate('telegram', '42', '{"update_id":42}', now).then((fresh) => (done.push('update'), fresh));
    expect(await stored).toBe(true);
    await Promise.all(calls);
    // The update was stored long before the 200 subscriptions queued ahead of it had run …
    expect(done.indexOf('update')).toBeLessThan(10);
    // … and those still ran in call order, and the broadcast after them saw all 200.
    expect(done.filter((d) => d.startsWith('sub'))).toEqual(Array.from({ length: 200 }, (_, i) => `sub${i}`));
    expect((await broadcast).recipients).toBe(200);
    expect((await store.openUpdates('telegram', 10)).map((u) => u.updateId)).toEqual(['42']);
    await store.close();
  });

  it('finds due awards through the next_reminder_on index, not a table scan', async () => {
    const path = fresh();
    await (await SqliteStore.open(path)).close();
    const plan = await rawQuery<{ detail: string }>(
      path,
      "EXPLAIN QUERY PLAN SELECT id, channel, chat, awarded_on, expires, next_reminder_on, last_kind FROM awards WHERE next_reminder_on <= '2026-01-01' ORDER BY next_reminder_on, id LIMIT 500",
    );
    const text = plan.map((p) => p.detail).join(' | ');
    expect(text).toMatch(/USING INDEX awards_next_reminder_on/);
    expect(text).not.toMatch(/TEMP B-TREE/);
  });
});
