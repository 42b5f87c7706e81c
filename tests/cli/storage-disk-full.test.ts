import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, openSync, rmSync, statSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { seedSubscribers } from '../scheduling/fixtures/test-kit.ts';
import { ChatProcess, mountTmpfs, say, tick } from '../storage/fault-kit.ts';

/**
 * Writes `file` until the filesystem holding it refuses a single byte more, then checks that it is full: statfs shows
 * no block left, and a new file cannot take one byte.
 */
function fillDisk(dir: string, file: string): void {
  const fd = openSync(file, 'w');
  try {
    // Big chunks first, then smaller ones down to single bytes, so the filler's own last page is used up too.
    for (const size of [1 << 20, 64 << 10, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
  const { bavail, bfree } = statfsSync(dir);
  if (bavail !== 0 || bfree !== 0) throw new Error(`the tmpfs still has ${bfree} free blocks after filling`);
  const probe = join(dir, 'probe');
  let code: string | undefined;
  try {
    writeFileSync(probe, 'x');
  } catch (e) {
    code = (e as NodeJS.ErrnoException).code;
  } finally {
    rmSync(probe, { force: true });
  }
  if (code !== 'ENOSPC') throw new Error(`a one-byte file could still be written to the full tmpfs (${code ?? 'no error'})`);
}

/** Opens a raw connection to the database file, as another process would; busy means busy at once, no waiting. */
function openRaw(path: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(path, (err) => {
      if (err) return reject(err);
      db.configure('busyTimeout', 0);
      resolve(db);
    });
  });
}

/**
 * Stops the bot (SIGSTOP) at a moment when it holds no SQLite lock, shown by a TRUNCATE checkpoint that completes:
 * everything in the WAL is then in the database file and the WAL file is empty. SQLite overwrites an old WAL from
 * its start after a checkpoint, so a WAL that still held pages would take writes on a full disk; an empty one
 * cannot, and with the bot stopped nothing writes between this checkpoint and the fill. Resolves with the bot stopped.
 */
async function stopAfterCheckpoint(pid: number, conn: sqlite3.Database, wal: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    process.kill(pid, 'SIGSTOP');
    let busy: boolean;
    try {
      busy = await new Promise<boolean>((resolve, reject) =>
        conn.get('PRAGMA wal_checkpoint(TRUNCATE)', (err: (Error & { code?: string }) | null, row?: { busy: number }) => {
          if (err && err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') reject(err);
          else resolve(Boolean(err) || row?.busy !== 0);
        }),
      );
      if (!busy && statSync(wal).size === 0) return;
    } catch (e) {
      process.kill(pid, 'SIGCONT');
      throw e;
    }
    // Stopped inside a statement or a read: let it run a moment and try again.
    process.kill(pid, 'SIGCONT');
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('the bot was always inside a statement; could not checkpoint its WAL');
}

const mount = mountTmpfs(16 * 1024);
if ('skip' in mount) console.warn(`[storage-disk-full] SKIPPED: ${mount.skip}`);
let bot: ChatProcess | undefined;
afterAll(() => {
  // A failed assertion must not leave the bot stopped or running.
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
    bot.child.kill('SIGCONT');
    bot.child.kill('SIGKILL');
  }
  if ('dir' in mount) mount.unmount();
});

const broadcastsTo = (msgs: { chat: string; data?: Record<string, any> }[], id?: string) =>
  msgs.filter((m) => m.data?.broadcast && (id === undefined || m.data.broadcast.id === id)).map((m) => m.chat);
const alertsIn = (msgs: { chat: string; data?: Record<string, any> }[]) => msgs.filter((m) => m.data?.alert).map((m) => [m.chat, m.data!.alert.storage]);

describe.skipIf('skip' in mount)('a disk that fills up', () => {
  it('never stalls: every line is acked, failed saves say so, questions are answered, and delivery resumes exactly once when space returns', async () => {
    const dir = (mount as { dir: string }).dir;
    const db = join(dir, 'bot.db');
    const filler = join(dir, 'filler');
    await (await SqliteStore.open(db)).close();
    const chats = Array.from({ length: 300 }, (_, i) => `sub${i}`);
    await seedSubscribers(db, 'console', chats);
    const raw = await openRaw(db);

    const proc = new ChatProcess(db, { admins: ['staff1'] });
    bot = proc;
    // The disk fills while the first broadcast is being delivered, once 20 deliveries have been read here. The
    // broadcast is long (about 3 KB a line), so the bot can never be more than some 40 deliveries ahead of what this
    // test has read (the 64 KB pipe plus one 64 KB read; its writes block when the pipe is full): it is stopped well
    // before the 300th, however the machine schedules the two processes.
    let filling: Promise<void> | undefined;
    proc.onMessage = (m) => {
      if (filling || !m.data?.broadcast || broadcastsTo(proc.all).length < 20) return;
      filling = (async () => {
        await stopAfterCheckpoint(proc.child.pid!, raw, `${db}-wal`);
        try {
          await new Promise<void>((resolve, reject) => raw.close((err) => (err ? reject(err) : resolve())));
          fillDisk(dir, filler);
          // Stopped, the bot wrote nothing since the checkpoint: its WAL is still empty, so every write needs a new block.
          expect(statSync(`${db}-wal`).size).toBe(0);
        } finally {
          proc.child.kill('SIGCONT');
        }
      })();
      filling.catch(() => undefined); // awaited (and reported) after the first line's ack
    };
    const firstText = `第一次通知：请按时提交材料。${'所需材料见附件清单，请于截止日前提交至协会秘书处。'.repeat(40)}`;
    const first = await proc.send(say('staff1', `/broadcast ${firstText}`, '2026-03-02T10:00:00'));
    expect(filling).toBeDefined();
    await filling;
    expect(first.msgs[0].data?.broadcast_queued?.recipients).toBe(300);
    const firstId = first.msgs[0].data!.broadcast_queued.id as string;
    // The pass stopped on the first write after the fill, part of the way through, and staff were told at once.
    const deliveredBeforeFull = broadcastsTo(proc.all, firstId).length;
    expect(deliveredBeforeFull).toBeGreaterThanOrEqual(20);
    expect(deliveredBeforeFull).toBeLessThan(300);
    expect(alertsIn(first.msgs)).toEqual([['staff1', 'full']]);
    expect(first.msgs.at(-1)!.text).toContain('磁盘已满');

    // While the disk is full: a new broadcast cannot be saved, and the reply says so truthfully.
    const second = await proc.send(say('staff1', '/broadcast 第二次通知', '2026-03-02T10:01:00'));
    expect(second.msgs.map((m) => m.text)).toEqual(['抱歉，暂时无法保存，请稍后再试。']);
    expect(second.msgs[0].data).toEqual({ error: 'storage' });
    expect(second.ack.data).toEqual({ error: 'storage' });
    // A policy question needs no write and is answered as usual.
    const question = await proc.send(say('ent1', '优秀奖奖金多少', '2026-03-02T10:02:00'));
    expect(question.ack.data).toBeUndefined();
    expect(question.msgs).toHaveLength(1);
    expect(question.msgs[0].data?.answer?.found).toBe(true);
    expect(question.msgs[0].text).not.toContain('无法保存');
    // Ticks go on being acked; the delivery they attempt fails on storage, and nothing goes out meanwhile.
    const stuck = await proc.send(tick('2026-03-02T10:03:00'));
    expect(stuck.ack.data).toEqual({ error: 'storage' });
    expect(stuck.msgs).toEqual([]);
    expect(broadcastsTo(proc.all, firstId)).toHaveLength(deliveredBeforeFull);

    // Space returns: the next tick delivers the rest, sends the report and says the problem is over.
    rmSync(filler);
    const resumed = await proc.send(tick('2026-03-02T10:05:00'));
    expect(resumed.ack.data).toBeUndefined();
    expect(broadcastsTo(resumed.msgs, firstId)).toHaveLength(300 - deliveredBeforeFull);
    expect(alertsIn(resumed.msgs)).toEqual([['staff1', 'ok']]);
    // The staff member can broadcast again.
    const again = await proc.send(say('staff1', '/broadcast 第二次通知', '2026-03-02T10:06:00'));
    const secondId = again.msgs[0].data?.broadcast_queued?.id as string;
    expect(secondId).toBeDefined();
    expect(await proc.close()).toBe(0);

    for (const id of [firstId, secondId]) {
      const got = broadcastsTo(proc.all, id);
      expect(new Set(got).size).toBe(300);
      expect(got).toHaveLength(300);
    }
    // Each broadcast's sender got one report, with all 300 delivered.
    const reports = proc.all.filter((m) => m.chat === 'staff1' && m.data?.broadcast_report);
    expect(reports.map((r) => [r.data!.broadcast_report.id, r.data!.broadcast_report.delivered])).toEqual([
      [firstId, 300],
      [secondId, 300],
    ]);
    // The staff member was told once that the disk was full, and once that it is over.
    expect(alertsIn(proc.all)).toEqual([
      ['staff1', 'full'],
      ['staff1', 'ok'],
    ]);
    expect(proc.stderr).toMatch(/SQLITE_FULL/);
  }, 60_000);
});
