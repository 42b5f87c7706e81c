/** Scheduling benchmark: broadcast delivery rate to an instant channel, and the due-reminder scan over 1,000,000 awards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sqlite3 from 'sqlite3';
import type { Channel } from '../src/core/channel.ts';
import { addDays } from '../src/scheduling/dates.ts';
import { DeliveryService } from '../src/scheduling/delivery-service.ts';
import { awardExpires, awardStages, stepReminders } from '../src/scheduling/reminders.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';

/** Subscribers in the broadcast benchmark. */
export const BENCH_SUBSCRIBERS = 10_000;

/** Awards stored for the scan benchmark. */
export const BENCH_AWARDS = 1_000_000;

/** Rows per multi-row INSERT execution during bulk setup. */
const ROWS_PER_INSERT = 100;

/** Opens a raw connection for bulk setup. */
function openRaw(path: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(db)));
  });
}

/** Inserts rows in one transaction through one prepared multi-row statement; `row(i)` gives the values of row i. */
async function bulkInsert(path: string, table: string, columns: string[], count: number, row: (i: number) => unknown[]): Promise<void> {
  const db = await openRaw(path);
  const one = `(${columns.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(ROWS_PER_INSERT).fill(one).join(', ')}`;
  await new Promise<void>((resolve, reject) => {
    db.serialize(() => {
      db.run('PRAGMA synchronous = OFF');
      db.run('BEGIN');
      const stmt = db.prepare(sql);
      let failed: Error | null = null;
      for (let start = 0; start < count; start += ROWS_PER_INSERT) {
        const params: unknown[] = [];
        for (let i = start; i < Math.min(count, start + ROWS_PER_INSERT); i++) params.push(...row(i));
        if (params.length === ROWS_PER_INSERT * columns.length) {
          stmt.run(params, (err: Error | null) => {
            if (err) failed ??= err;
          });
        } else {
          // A last, shorter chunk gets its own statement.
          const n = params.length / columns.length;
          db.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(n).fill(one).join(', ')}`, params, (err: Error | null) => {
            if (err) failed ??= err;
          });
        }
      }
      stmt.finalize();
      db.run('COMMIT', (err: Error | null) => (err || failed ? reject(err ?? failed) : resolve()));
    });
  });
  await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
}

/** A deterministic pseudo-random sequence (LCG) so runs are comparable. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Deliveries per second of a 10,000-subscriber broadcast to a channel whose send resolves at once. */
async function measureDeliveries(dir: string): Promise<number> {
  const path = join(dir, 'deliveries.db');
  await (await SqliteStore.open(path)).close();
  const now = Date.now();
  await bulkInsert(path, 'subscribers', ['channel', 'chat', 'tags', 'subscribed_at', 'active'], BENCH_SUBSCRIBERS, (i) => ['bench', `chat-${i}`, '[]', now, 1]);
  const store = await SqliteStore.open(path);
  try {
    let delivered = 0;
    const instant: Channel = {
      name: 'bench',
      minSendIntervalMs: 0,
      async start() {},
      async stop() {},
      async send(msg) {
        if (msg.data && 'broadcast' in msg.data) delivered += 1;
      },
    };
    const { recipients } = await store.createBroadcast({ senderChannel: 'bench', senderChat: 'staff', text: '协会通知：请于本周五前提交年度质量报告。' }, new Date());
    const service = new DeliveryService(store, new Map([['bench', instant]]));
    const t0 = performance.now();
    await service.runDue(new Date());
    const seconds = (performance.now() - t0) / 1000;
    if (delivered !== recipients || recipients !== BENCH_SUBSCRIBERS) throw new Error(`delivered ${delivered} of ${recipients}`);
    await service.stop();
    return delivered / seconds;
  } finally {
    await store.close();
  }
}

/** Milliseconds of the day's first due-reminder scan (find and enqueue today's reminders) with 1,000,000 awards stored. */
async function measureScan(dir: string): Promise<{ ms: number; due: number; queryMs: number; idleMs: number }> {
  const path = join(dir, 'awards.db');
  await (await SqliteStore.open(path)).close();
  const today = '2026-06-01';
  const yesterday = addDays(today, -1);
  const first = '2021-01-01';
  const span = 6 * 365;
  // Every award is stored as a scheduler that ran yesterday would have left it; rows of one grant day share a plan.
  const plans = new Map<string, [string, string | null, string | null]>();
  const planFor = (awardedOn: string): [string, string | null, string | null] => {
    let p = plans.get(awardedOn);
    if (!p) {
      const expires = awardExpires(awardedOn);
      const stages = awardStages(expires);
      const step = stepReminders(stages, null, yesterday);
      p = [expires, step.nextReminderOn, step.lastStage];
      plans.set(awardedOn, p);
    }
    return p;
  };
  const rnd = lcg(20260601);
  const created = Date.now();
  await bulkInsert(path, 'awards', ['channel', 'chat', 'awarded_on', 'expires', 'next_reminder_on', 'last_kind', 'created_at'], BENCH_AWARDS, (i) => {
    const awardedOn = addDays(first, Math.floor(rnd() * span));
    const [expires, next, last] = planFor(awardedOn);
    return ['bench', `ent-${i}`, awardedOn, expires, next, last, created];
  });
  const store = await SqliteStore.open(path);
  try {
    const q0 = performance.now();
    const firstBatch = await store.listDueAwards(today, 500);
    const queryMs = performance.now() - q0;
    const service = new DeliveryService(store, new Map());
    const t0 = performance.now();
    const due = await service.enqueueDueReminders(new Date(`${today}T09:00:00+08:00`));
    const ms = performance.now() - t0;
    if (firstBatch.length === 0 || due === 0) throw new Error('the benchmark data has no reminder due today');
    // Every later tick of the day finds nothing new.
    const i0 = performance.now();
    const again = await service.enqueueDueReminders(new Date(`${today}T09:01:00+08:00`));
    const idleMs = performance.now() - i0;
    if (again !== 0) throw new Error('a second tick enqueued reminders again');
    return { ms, due, queryMs, idleMs };
  } finally {
    await store.close();
  }
}

/** Runs both scheduling measurements in a temp directory and removes it. */
export async function runSchedulingBench(): Promise<{ deliveriesPerSecond: number; scanMsWith1MAwards: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sched-bench-'));
  try {
    const deliveriesPerSecond = await measureDeliveries(dir);
    const scan = await measureScan(dir);
    if (process.env.BENCH_VERBOSE) {
      process.stderr.write(
        `scan: ${scan.due} reminders due today found and enqueued in ${scan.ms.toFixed(1)} ms; ` +
          `first indexed batch query ${scan.queryMs.toFixed(2)} ms; a later tick with nothing due ${scan.idleMs.toFixed(2)} ms\n`,
      );
    }
    return { deliveriesPerSecond: Math.round(deliveriesPerSecond), scanMsWith1MAwards: Math.round(scan.ms * 10) / 10 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const result = await runSchedulingBench();
  console.log(JSON.stringify({ ...result, totalSeconds: Math.round((performance.now() - t0) / 100) / 10 }));
}
