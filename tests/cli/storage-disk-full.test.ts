import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { seedSubscribers } from '../scheduling/fixtures/test-kit.ts';
import { ChatProcess, mountTmpfs, say, tick } from '../storage/fault-kit.ts';

/** Fills the filesystem holding `file` until it has no space left. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  // The last bytes that fit.
  try {
    for (;;) writeSync(fd, Buffer.alloc(512, 1));
  } catch {
    // full
  }
  closeSync(fd);
}

const mount = mountTmpfs(16 * 1024);
if ('skip' in mount) console.warn(`[storage-disk-full] SKIPPED: ${mount.skip}`);
afterAll(() => {
  if ('dir' in mount) mount.unmount();
});

const broadcastsTo = (msgs: { chat: string; data?: Record<string, any> }[], id?: string) =>
  msgs.filter((m) => m.data?.broadcast && (id === undefined || m.data.broadcast.id === id)).map((m) => m.chat);

describe.skipIf('skip' in mount)('a disk that fills up', () => {
  it('never stalls: every line is acked, failed saves say so, questions are answered, and delivery resumes exactly once when space returns', async () => {
    const dir = (mount as { dir: string }).dir;
    const db = join(dir, 'bot.db');
    const filler = join(dir, 'filler');
    await (await SqliteStore.open(db)).close();
    const chats = Array.from({ length: 300 }, (_, i) => `sub${i}`);
    await seedSubscribers(db, 'console', chats);

    const bot = new ChatProcess(db, { admins: ['staff1'] });
    // The disk fills while the first broadcast is being delivered.
    let filled = false;
    bot.onMessage = (m) => {
      if (!filled && m.data?.broadcast && broadcastsTo(bot.all).length >= 20) {
        filled = true;
        fillDisk(filler);
      }
    };
    const first = await bot.send(say('staff1', '/broadcast 第一次通知：请按时提交材料', '2026-03-02T10:00:00'));
    expect(first.msgs[0].data?.broadcast_queued?.recipients).toBe(300);
    const firstId = first.msgs[0].data!.broadcast_queued.id as string;
    expect(filled).toBe(true);

    // While the disk is full: a new broadcast cannot be saved, and the reply says so truthfully.
    const second = await bot.send(say('staff1', '/broadcast 第二次通知', '2026-03-02T10:01:00'));
    const replies = second.msgs.filter((m) => !m.data?.alert);
    expect(replies.map((m) => m.text)).toEqual(['抱歉，暂时无法保存，请稍后再试。']);
    expect(replies[0].data).toEqual({ error: 'storage' });
    expect(second.ack.data).toEqual({ error: 'storage' });
    // A policy question needs no write and is answered as usual.
    const question = await bot.send(say('ent1', '优秀奖奖金多少', '2026-03-02T10:02:00'));
    expect(question.ack.data).toBeUndefined();
    expect(question.msgs).toHaveLength(1);
    expect(question.msgs[0].data?.answer?.found).toBe(true);
    expect(question.msgs[0].text).not.toContain('无法保存');
    // Ticks go on being acked; the delivery they attempt fails on storage.
    const stuck = await bot.send(tick('2026-03-02T10:03:00'));
    const deliveredWhileFull = broadcastsTo(bot.all, firstId).length;
    expect(deliveredWhileFull).toBeLessThan(300);
    expect(stuck.ack.data).toEqual({ error: 'storage' });

    // Space returns: the next tick resumes delivery, and the staff member can broadcast again.
    rmSync(filler);
    const resumed = await bot.send(tick('2026-03-02T10:05:00'));
    expect(resumed.ack.data).toBeUndefined();
    const again = await bot.send(say('staff1', '/broadcast 第二次通知', '2026-03-02T10:06:00'));
    const secondId = again.msgs[0].data?.broadcast_queued?.id as string;
    expect(secondId).toBeDefined();
    expect(await bot.close()).toBe(0);

    for (const id of [firstId, secondId]) {
      const got = broadcastsTo(bot.all, id);
      expect(new Set(got).size).toBe(300);
      expect(got).toHaveLength(300);
    }
    // Each broadcast's sender got one report, with all 300 delivered.
    const reports = bot.all.filter((m) => m.chat === 'staff1' && m.data?.broadcast_report);
    expect(reports.map((r) => [r.data!.broadcast_report.id, r.data!.broadcast_report.delivered])).toEqual([
      [firstId, 300],
      [secondId, 300],
    ]);
    // The staff member was told once that the disk was full, and once that it is over.
    const alerts = bot.all.filter((m) => m.data?.alert);
    expect(alerts.map((m) => [m.chat, m.data!.alert.storage])).toEqual([
      ['staff1', 'full'],
      ['staff1', 'ok'],
    ]);
    expect(alerts[0].text).toContain('磁盘已满');
    expect(bot.stderr).toMatch(/SQLITE_FULL/);
  }, 60_000);
});
