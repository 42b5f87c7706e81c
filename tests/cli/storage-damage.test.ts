import { describe, expect, it } from 'vitest';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import sqlite3 from 'sqlite3';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { tempDb } from '../helpers/chat.ts';
import { runCli } from '../helpers/run-cli.ts';
import { seedSubscribers } from '../scheduling/fixtures/test-kit.ts';
import { ChatProcess, say, tick } from '../storage/fault-kit.ts';

/** Runs one query on its own connection. */
function query<T>(path: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (err) => {
      if (err) return reject(err);
      db.all(sql, (e: Error | null, rows: T[]) => db.close(() => (e ? reject(e) : resolve(rows))));
    });
  });
}

/** Overwrites one page of the file with garbage, as a failing disk or a stray write would. */
function garblePage(path: string, pageno: number, pageSize: number): void {
  const fd = openSync(path, 'r+');
  const junk = Buffer.alloc(pageSize);
  for (let i = 0; i < pageSize; i++) junk[i] = (i * 7919 + 13) & 0xff;
  writeSync(fd, junk, 0, pageSize, (pageno - 1) * pageSize);
  closeSync(fd);
}

const STAFF = 'staff1';
const broadcastIds = (p: ChatProcess) => p.all.filter((m) => m.data?.broadcast).map((m) => `${m.data!.broadcast.id}:${m.chat}`);

describe('a damaged database page', () => {
  it('is noticed at start-up, stops delivery but not answers, tells staff; restore from the latest backup resumes delivery exactly once', async () => {
    const db = tempDb();
    await (await SqliteStore.open(db)).close();
    await seedSubscribers(db, 'console', Array.from({ length: 300 }, (_, i) => `sub${i}`));
    const delivered: string[] = [];

    // Broadcast A goes out; then a backup; then broadcast B goes out after the backup.
    let bot = new ChatProcess(db, { admins: [STAFF] });
    const a = await bot.send(say(STAFF, '/broadcast 通知A', '2026-03-02T10:00:00'));
    const idA = a.msgs[0].data!.broadcast_queued.id as string;
    expect(await bot.close()).toBe(0);
    delivered.push(...broadcastIds(bot));
    const backup = await runCli(['backup', '--db', db]);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/backup written and verified: .*\.backups\//);
    bot = new ChatProcess(db, { admins: [STAFF] });
    const b = await bot.send(say(STAFF, '/broadcast 通知B', '2026-03-02T11:00:00'));
    const idB = b.msgs[0].data!.broadcast_queued.id as string;
    expect(await bot.close()).toBe(0);
    delivered.push(...broadcastIds(bot));
    expect(delivered).toHaveLength(600);

    // Garbage over one leaf page of the outbox (old delivered rows of broadcast A).
    expect(existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0).toBe(0);
    const [{ page_size }] = await query<{ page_size: number }>(db, 'PRAGMA page_size');
    const [leaf] = await query<{ pageno: number }>(db, "SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1");
    garblePage(db, leaf.pageno, page_size);

    // The bot notices at once, keeps answering, tells staff and delivers nothing.
    bot = new ChatProcess(db, { admins: [STAFF] });
    const q = await bot.send(say('ent1', '优秀奖奖金多少', '2026-03-02T12:00:00'));
    expect(q.ack.data).toBeUndefined();
    expect(q.msgs.find((m) => m.chat === 'ent1')?.data?.answer?.found).toBe(true);
    const c = await bot.send(say(STAFF, '/broadcast 通知C', '2026-03-02T12:01:00'));
    const queuedC = c.msgs.find((m) => m.data?.broadcast_queued)?.data?.broadcast_queued.id as string | undefined;
    await bot.send(tick('2026-03-02T12:02:00'));
    const alerts = bot.all.filter((m) => m.data?.alert);
    expect(alerts.map((m) => [m.chat, m.data!.alert.storage])).toEqual([[STAFF, 'damaged']]);
    expect(alerts[0].text).toMatch(/损坏.*restore/);
    expect(broadcastIds(bot)).toEqual([]);
    expect(bot.stderr).toMatch(/database damaged: delivery stopped/);
    // Restore refuses while the bot holds the database.
    const refused = await runCli(['restore', 'latest', '--db', db]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/请先停止机器人/);
    expect(await bot.close()).toBe(0);

    // Restore from the latest backup, then delivery resumes: nothing sent twice, nothing queued lost.
    const restored = await runCli(['restore', 'latest', '--db', db]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/restored/);
    bot = new ChatProcess(db, { admins: [STAFF] });
    const t = await bot.send(tick('2026-03-02T13:00:00'));
    expect(t.ack.data).toBeUndefined();
    let idC = queuedC;
    if (!idC) idC = (await bot.send(say(STAFF, '/broadcast 通知C', '2026-03-02T13:01:00'))).msgs[0].data!.broadcast_queued.id as string;
    expect(await bot.close()).toBe(0);
    expect(bot.all.filter((m) => m.data?.alert)).toEqual([]);
    delivered.push(...broadcastIds(bot));
    const count = new Map<string, number>();
    for (const k of delivered) count.set(k, (count.get(k) ?? 0) + 1);
    for (const id of [idA, idB, idC]) expect([...count.keys()].filter((k) => k.startsWith(`${id}:`))).toHaveLength(300);
    expect([...count.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    const [{ integrity_check }] = await query<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    expect(integrity_check).toBe('ok');
  }, 60_000);
});
