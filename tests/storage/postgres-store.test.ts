/** What only the PostgreSQL store does: migrating once under an advisory lock, claims that skip each other's rows, per-chat order across processes, takeover of a lapsed owner's claims. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { PG_MIGRATIONS } from '../../src/storage/postgres/schema.ts';
import { noticeSkipped } from '../helpers/pg-cluster.ts';
import { postgresEngine } from './engines.ts';

noticeSkipped('tests/storage/postgres-store.test.ts');

const T0 = new Date('2026-03-01T08:00:00+08:00');

describe('DATABASE_URL', () => {
  it('is validated, naming the variable and never its value', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).not.toThrow(/secret/);
    expect(loadConfig({ DATABASE_URL: 'postgres://bot:pw@db.internal:5432/policy' }).DATABASE_URL).toBe('postgres://bot:pw@db.internal:5432/policy');
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
  });
});

describe.skipIf(!postgresEngine.available)('PostgresStore', () => {
  beforeAll(() => postgresEngine.setup(), 60_000);
  afterAll(() => postgresEngine.teardown());

  it('migrates once when several processes start together', async () => {
    const open = await postgresEngine.fresh();
    const stores = await Promise.all(Array.from({ length: 5 }, () => open()));
    const rows = await stores[0].runExclusive((c) => c.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    await Promise.all(stores.map((s) => s.close()));
  });

  it('lets two processes claim the same rows at once without ever both taking one (SKIP LOCKED)', async () => {
    const open = await postgresEngine.fresh();
    const [a, b] = [await open(), await open()];
    for (let i = 0; i < 300; i++) await a.subscribe('telegram', `c${i}`, [], T0);
    await a.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '通知' }, T0);
    await a.acquireDelivery();
    await b.acquireDelivery();
    const ids = (await a.dueOutbox('telegram', Date.now(), 1000)).map((r) => r.id);
    const claims = await Promise.all(
      [a, b, a, b].map(async (s, k) => {
        const got: number[] = [];
        for (const id of k % 2 ? [...ids].reverse() : ids) got.push(...(await s.claimOutbox([id], Date.now())));
        return got;
      }),
    );
    const all = claims.flat();
    expect(all.length).toBe(300);
    expect(new Set(all).size).toBe(300);
    await a.close();
    await b.close();
  });

  it('keeps per-chat order across processes: a later message waits while an earlier one is pending or being sent elsewhere', async () => {
    const open = await postgresEngine.fresh();
    const [a, b] = [await open(), await open()];
    await a.enqueue({ key: 'r1', kind: 'notice', channel: 'telegram', chat: 'x', text: '第一条', dueAt: 0 }, T0);
    await a.enqueue({ key: 'r2', kind: 'notice', channel: 'telegram', chat: 'x', text: '第二条', dueAt: 0 }, T0);
    await a.enqueue({ key: 'r3', kind: 'notice', channel: 'telegram', chat: 'y', text: '别的会话', dueAt: 0 }, T0);
    const [r1, r2, r3] = (await a.dueOutbox('telegram', Date.now(), 10)).sort((x, y) => x.key.localeCompare(y.key));
    expect(await b.claimOutbox([r2.id], Date.now())).toEqual([]); // r1 of the same chat is still pending
    expect(await b.claimOutbox([r3.id], Date.now())).toEqual([r3.id]);
    expect(await a.claimOutbox([r1.id], Date.now())).toEqual([r1.id]);
    expect(await b.claimOutbox([r2.id], Date.now())).toEqual([]); // r1 is being sent by a
    await a.markSent([r1.id], Date.now());
    expect(await b.claimOutbox([r2.id], Date.now())).toEqual([r2.id]);
    await a.close();
    await b.close();
  });

  it("takes a lapsed owner's claims over, and that owner's late outcome does not count", async () => {
    const open = await postgresEngine.fresh();
    const [a, b] = [await open(), await open()];
    await a.enqueue({ key: 'n1', kind: 'notice', channel: 'telegram', chat: 'x', text: '提醒', dueAt: 0 }, T0);
    const [row] = await a.dueOutbox('telegram', Date.now(), 10);
    expect(await a.claimOutbox([row.id], Date.now())).toEqual([row.id]);
    // a is frozen past its lease (as if by SIGSTOP): its row lapses in the database.
    const admin = (b as unknown as { pool: pg.Pool }).pool;
    await admin.query('UPDATE store_owners SET lease_until = 0 WHERE owner = $1', [a.owner]);
    expect(await b.recoverableOwners()).toContain(a.owner);
    // No journal line for the row: it never reached the platform, so it goes back to pending for b.
    expect(await b.recoverInterrupted('assume-sent', Date.now(), [])).toBe(1);
    expect(await b.claimOutbox([row.id], Date.now())).toEqual([row.id]);
    await a.markSent([row.id], Date.now()); // a wakes up: its outcome is not b's claim
    expect(await b.outboxCounts()).toMatchObject({ sending: 1, sent: 0 });
    await b.markSent([row.id], Date.now());
    expect(await b.outboxCounts()).toMatchObject({ sending: 0, sent: 1 });
    await a.close();
    await b.close();
  });

  it('wakes every process when another queues work (LISTEN/NOTIFY)', async () => {
    const open = await postgresEngine.fresh();
    const [a, b] = [await open(), await open()];
    const woke = new Promise<void>((resolve) => b.onWork?.(resolve));
    await a.enqueue({ key: 'w1', kind: 'notice', channel: 'telegram', chat: 'x', text: '唤醒', dueAt: 0 }, T0);
    await expect(Promise.race([woke.then(() => 'woken'), new Promise((r) => setTimeout(() => r('timeout'), 5000))])).resolves.toBe('woken');
    await a.close();
    await b.close();
  });
});

