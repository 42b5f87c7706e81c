/**
 * Several `chat --jsonl` bot processes on one PostgreSQL database, as an operator would run them: every subscriber
 * gets exactly one copy of a broadcast when a process is killed with kill -9 or frozen with SIGSTOP mid-way, two
 * processes racing on the same due reminders never both send one, a conversation moves between processes, and no
 * SQLite file is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awardExpires, awardStages, firstReminderOn } from '../../src/scheduling/reminders.ts';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import type { BotLine } from '../helpers/chat.ts';
import { askedSlot, last } from '../helpers/chat.ts';
import { freshDatabase, noticeSkipped, pgAvailable, startCluster, type PgCluster } from '../helpers/pg-cluster.ts';
import { ChatProcess, say, tick } from './fault-kit.ts';

noticeSkipped('tests/storage/multi-process.test.ts');

const AT = '2026-03-01T10:00:00+08:00';
let cluster: PgCluster;
const dirs: string[] = [];

/** A fresh database and a way to start bot processes on it (with a short lease, so takeovers happen within seconds). */
async function setup(leaseMs = 1500) {
  const url = await freshDatabase(cluster);
  const dir = mkdtempSync(join(tmpdir(), 'multi-'));
  dirs.push(dir);
  const sqliteFile = join(dir, 'must-not-exist.db');
  const env = { DATABASE_URL: url, SEND_JOURNAL_DIR: join(dir, 'journals'), STORE_LEASE_MS: String(leaseMs), KNOWLEDGE_POLL_MS: '60000' };
  const start = async (): Promise<ChatProcess> => {
    const p = new ChatProcess(sqliteFile, { env });
    await p.send(say('warmup', '你好', AT), 60_000);
    return p;
  };
  const store = await PostgresStore.open(url, { journalDir: join(dir, 'journals') });
  return { url, store, start, sqliteFile };
}

/** Resolves once `check` is true, polling; rejects after `timeoutMs`. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Copies of broadcast messages per chat, over every process's output. */
function copies(procs: ChatProcess[], pick: (m: BotLine) => boolean): Map<string, number> {
  const n = new Map<string, number>();
  for (const p of procs) for (const m of p.all) if (pick(m)) n.set(m.chat, (n.get(m.chat) ?? 0) + 1);
  return n;
}

const isBroadcast = (m: BotLine): boolean => Boolean((m.data as { broadcast?: unknown } | undefined)?.broadcast) && m.chat.startsWith('e');

async function subscribeMany(store: PostgresStore, n: number): Promise<void> {
  await store.runExclusive((c) => c.run(`INSERT INTO subscribers (channel, chat, tags, subscribed_at, active) SELECT 'console', 'e' || g, '[]', 0, 1 FROM generate_series(1, ?) g`, [n]));
}

describe.skipIf(!pgAvailable())('several bot processes on one PostgreSQL database', () => {
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('broadcast to 10,000 subscribers with 3 processes, one killed with kill -9 mid-way: every subscriber gets exactly one copy', async () => {
    const { store, start, sqliteFile } = await setup();
    await subscribeMany(store, 10_000);
    const procs = [await start(), await start(), await start()];
    await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '关于申报的通知' }, new Date(AT));
    // Nobody types anything: the NOTIFY wakes all three.
    await until(() => procs[0].all.filter(isBroadcast).length >= 500, 60_000, 'the first process to deliver');
    procs[0].child.kill('SIGKILL');
    await until(async () => (await store.outboxCounts()).sent >= 10_000, 280_000, 'every copy to be delivered');
    const n = copies(procs, isBroadcast);
    expect(n.size).toBe(10_000);
    expect([...n.values()].filter((c) => c !== 1)).toEqual([]);
    expect(await store.outboxCounts()).toMatchObject({ pending: 0, sending: 0 });
    // Every process took part.
    for (const p of procs) expect(p.all.filter(isBroadcast).length).toBeGreaterThan(0);
    for (const p of procs.slice(1)) expect(await p.close()).toBe(0);
    expect(existsSync(sqliteFile)).toBe(false);
    await store.close();
  }, 360_000);

  it('two processes race on the same due reminders 100 times: 0 duplicates', async () => {
    const { store, start } = await setup();
    const awardedOn = '2024-03-01';
    const expires = awardExpires(awardedOn);
    const due = firstReminderOn(awardStages(expires))!;
    const procs = [await start(), await start()];
    for (let race = 0; race < 100; race++) {
      await store.addAward({ channel: 'console', chat: `ent${race}`, awardedOn, expires, nextReminderOn: due }, new Date(AT));
      await Promise.all(procs.map((p) => p.send(tick(`${due}T09:00:00`))));
    }
    await until(async () => (await store.outboxCounts()).sent >= 100, 30_000, 'every reminder');
    const n = copies(procs, (m) => Boolean((m.data as { reminder?: unknown } | undefined)?.reminder));
    expect(n.size).toBe(100);
    expect([...n.values()].filter((c) => c !== 1)).toEqual([]);
    for (const p of procs) expect(await p.close()).toBe(0);
    await store.close();
  }, 200_000);

  it('a process frozen with SIGSTOP past its lease: its claims are taken over and nothing is sent twice when it resumes', async () => {
    const { store, start } = await setup(1200);
    await subscribeMany(store, 1500);
    const procs = [await start(), await start()];
    await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '冻结测试' }, new Date(AT));
    await until(() => procs[0].all.filter(isBroadcast).length >= 200, 60_000, 'the first process to deliver');
    procs[0].child.kill('SIGSTOP');
    const frozenAt = procs[0].all.filter(isBroadcast).length;
    await new Promise((r) => setTimeout(r, 3000)); // well past the 1.2 s lease
    procs[0].child.kill('SIGCONT');
    await until(async () => (await store.outboxCounts()).sent >= 1500, 120_000, 'every copy to be delivered');
    await new Promise((r) => setTimeout(r, 1500)); // anything the resumed process would still send shows now
    const n = copies(procs, isBroadcast);
    expect(n.size).toBe(1500);
    expect([...n.values()].filter((c) => c !== 1)).toEqual([]);
    expect(procs[1].all.filter(isBroadcast).length).toBeGreaterThan(0);
    expect(frozenAt).toBeGreaterThan(0);
    for (const p of procs) expect(await p.close()).toBe(0);
    await store.close();
  }, 200_000);

  it('the pre-check (the saved conversation state) survives a move to another process and back', async () => {
    const { store, start } = await setup();
    const [a, b] = [await start(), await start()];
    const first = await a.send(say('u1', '/precheck', AT));
    expect(askedSlot(last(first.msgs))).toBe('plumbingProducts');
    const second = await b.send(say('u1', '是的，做水龙头', AT));
    expect(askedSlot(last(second.msgs))).toBe('registeredInKaiping');
    const third = await a.send(say('u1', '对', AT));
    expect(askedSlot(last(third.msgs))).toBe('yearsRegistered');
    for (const p of [a, b]) expect(await p.close()).toBe(0);
    await store.close();
  }, 120_000);
});
