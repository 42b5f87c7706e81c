/**
 * Store scale-out benchmark: a 10,000-subscriber broadcast and the day's due-reminder scan over 1,000,000 awards
 * (10,000 due), with 1, 2 and 4 processes on PostgreSQL beside the same on one SQLite file (where one process
 * delivers and the others stand by). PostgreSQL runs on a throwaway cluster (TEST_PG_URL, or one started here).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awardExpires, awardStages, firstReminderOn } from '../src/scheduling/reminders.ts';
import { openStore } from '../src/storage/open-store.ts';
import { freshDatabase, pgAvailable, startCluster } from '../tests/helpers/pg-cluster.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const SUBSCRIBERS = 10_000;
const AWARDS = 1_000_000;
const DUE_EVERY = 100;
const AWARDED_ON = '2023-05-10';

/** Runs `n` workers on `target`; resolves the wall time from "go" to the last one's end and their outputs. */
async function runWorkers(mode: 'deliver' | 'scan', target: string, n: number, today: string, journalDir: string): Promise<{ ms: number; out: { delivered: number; created: number }[] }> {
  const kids = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', 'bench/store-worker.ts', mode, target, today], { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', SEND_JOURNAL_DIR: journalDir }, stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const outputs = kids.map((k) => {
    let buf = '';
    let readyResolve: () => void;
    const ready = new Promise<void>((r) => (readyResolve = r));
    const done = new Promise<string>((resolve) => {
      k.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('ready\n')) readyResolve();
      });
      k.on('close', () => resolve(buf));
    });
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  const t0 = performance.now();
  for (const k of kids) k.stdin.write('go\n');
  const texts = await Promise.all(outputs.map((o) => o.done));
  const ms = performance.now() - t0;
  const out = texts.map((t, i) => {
    const lastLine = t.trim().split('\n').pop()!;
    if (!lastLine.startsWith('{')) throw new Error(`${mode} worker ${i} on ${target} failed (see its stderr above)`);
    return JSON.parse(lastLine) as { delivered: number; created: number };
  });
  return { ms, out };
}

const SERIES = (n: number) => `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ${n})`;

/** One measurement on a fresh database of either engine. */
async function measure(engine: 'postgres' | 'sqlite', n: number, make: () => Promise<string>, dir: string): Promise<{ perSecond: number; scanMs: number }> {
  const expires = awardExpires(AWARDED_ON);
  const today = firstReminderOn(awardStages(expires))!;
  // Broadcast.
  const target = await make();
  let store = await openStore(engine === 'postgres' ? { databaseUrl: target, dbPath: '', journalDir: dir } : { dbPath: target });
  await store.runExclusive((c) => c.run(`${SERIES(SUBSCRIBERS)} INSERT INTO subscribers (channel, chat, tags, subscribed_at, active) SELECT 'bench', 'chat-' || x, '[]', 0, 1 FROM g`), true);
  await store.createBroadcast({ senderChannel: 'bench', senderChat: 'staff', text: '协会通知：请于本周五前提交年度质量报告。' }, new Date());
  await store.close();
  const d = await runWorkers('deliver', target, n, today, dir);
  const delivered = d.out.reduce((s, o) => s + o.delivered, 0);
  if (delivered !== SUBSCRIBERS) throw new Error(`${engine} × ${n}: delivered ${delivered} of ${SUBSCRIBERS}`);
  // Reminder scan.
  const target2 = await make();
  store = await openStore(engine === 'postgres' ? { databaseUrl: target2, dbPath: '', journalDir: dir } : { dbPath: target2 });
  await store.runExclusive(
    (c) =>
      c.run(
        `${SERIES(AWARDS)} INSERT INTO awards (channel, chat, awarded_on, expires, next_reminder_on, last_kind, created_at)
         SELECT 'bench', 'ent-' || x, ?, ?, CASE WHEN x % ${DUE_EVERY} = 0 THEN ? ELSE '2099-01-01' END, NULL, 0 FROM g`,
        [AWARDED_ON, expires, today],
      ),
    true,
  );
  await store.close();
  const s = await runWorkers('scan', target2, n, today, dir);
  const created = s.out.reduce((sum, o) => sum + o.created, 0);
  if (created !== AWARDS / DUE_EVERY) throw new Error(`${engine} × ${n}: ${created} reminders enqueued, expected ${AWARDS / DUE_EVERY}`);
  return { perSecond: SUBSCRIBERS / (d.ms / 1000), scanMs: s.ms };
}

/** Runs the table and returns it as text lines. */
export async function runStoreScaleBench(counts = [1, 2, 4]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'store-scale-'));
  const lines = ['store scale-out (10,000-subscriber broadcast; due-reminder scan over 1,000,000 awards, 10,000 due):', '  engine      processes  deliveries/s  scan ms'];
  const cluster = pgAvailable() ? await startCluster() : undefined;
  try {
    let k = 0;
    for (const n of counts) {
      const r = await measure('sqlite', n, async () => join(dir, `bench-${k++}.db`), dir);
      lines.push(`  sqlite      ${String(n).padStart(9)}  ${r.perSecond.toFixed(0).padStart(12)}  ${r.scanMs.toFixed(0).padStart(7)}`);
    }
    if (!cluster) lines.push('  postgresql  (skipped: no PostgreSQL binary)');
    else {
      for (const n of counts) {
        const r = await measure('postgres', n, () => freshDatabase(cluster), dir);
        lines.push(`  postgresql  ${String(n).padStart(9)}  ${r.perSecond.toFixed(0).padStart(12)}  ${r.scanMs.toFixed(0).padStart(7)}`);
      }
    }
    return lines.join('\n');
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  console.log(await runStoreScaleBench(process.argv.slice(2).map(Number).filter(Boolean).length ? process.argv.slice(2).map(Number) : undefined));
}
