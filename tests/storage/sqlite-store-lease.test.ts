import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { closeSync, openSync, writeSync } from 'node:fs';
import sqlite3 from 'sqlite3';
import { LeaseLostError } from '../../src/storage/store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { tempDbPath } from '../scheduling/fixtures/test-kit.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fresh(rows = 0): Promise<string> {
  const t = tempDbPath('lease-');
  cleanups.push(t.cleanup);
  const s = await SqliteStore.open(t.path);
  for (let i = 0; i < rows; i++) await s.enqueue({ key: `notice:${i}`, kind: 'notice', channel: 'console', chat: `c${i}`, text: 't', dueAt: 0 }, new Date());
  await s.close();
  return t.path;
}

async function open(path: string, leaseMs?: number): Promise<SqliteStore> {
  const s = await SqliteStore.open(path, { leaseMs });
  cleanups.push(() => s.close());
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Page number of the first leaf page of the outbox table. */
async function firstOutboxLeaf(path: string): Promise<number> {
  const rows = await new Promise<{ pageno: number }[]>((resolve, reject) => {
    const db = new sqlite3.Database(path, () =>
      db.all("SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1", (e: Error | null, r: { pageno: number }[]) =>
        db.close(() => (e ? reject(e) : resolve(r))),
      ),
    );
  });
  return rows[0].pageno;
}

/** Overwrites that page with garbage (default 4 KiB pages). */
function garbleFirstOutboxLeaf(path: string, pageno: number): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, (pageno - 1) * 4096);
  closeSync(fd);
}

describe('the delivery lease', () => {
  it('lets one store deliver; a second on the same file stands by, cannot claim, and takes over when the first closes', async () => {
    const path = await fresh(2);
    const a = await open(path);
    const b = await open(path);
    expect(await a.acquireDelivery()).toEqual({ leader: true });
    const standby = await b.acquireDelivery();
    expect(standby.leader).toBe(false);
    expect(standby.holder).toMatchObject({ owner: a.owner, pid: process.pid });
    const [row] = await b.dueOutbox('console', Date.now(), 1);
    await expect(b.claimOutbox([row.id], Date.now())).rejects.toBeInstanceOf(LeaseLostError);
    expect(await a.claimOutbox([row.id], Date.now())).toEqual([row.id]);
    // Rows of a live owner are never recoverable by another store.
    expect(await b.recoverableOwners()).toEqual([]);
    expect(await b.recoverInterrupted('resend', Date.now())).toBe(0);
    await a.close();
    expect(await b.acquireDelivery()).toEqual({ leader: true });
    // The closed owner's claim is recoverable now, by the new holder.
    expect(await b.recoverableOwners()).toEqual([a.owner]);
    expect(await b.recoverInterrupted('resend', Date.now())).toBe(1);
    expect(await b.outboxCounts()).toMatchObject({ pending: 2, sending: 0 });
  });

  it('a frozen holder keeps its claims until its lease lapses; then a standby takes over and the holder, thawed, can claim nothing', async () => {
    const path = await fresh(3);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/lease-child.ts', import.meta.url)), path, '900'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string);
    const ready = await next();
    expect(ready).toMatchObject({ ready: true, leader: true });
    expect(ready.claimed).toHaveLength(1);
    child.kill('SIGSTOP');
    cleanups.push(() => child.kill('SIGCONT'));
    const b = await open(path);
    // Alive (its pid exists) and within its lease: not recoverable, no takeover.
    expect((await b.acquireDelivery()).leader).toBe(false);
    expect(await b.recoverableOwners()).toEqual([]);
    await sleep(1200);
    // Lease lapsed: the standby takes over and may recover the frozen holder's claim.
    expect(await b.acquireDelivery()).toEqual({ leader: true });
    expect(await b.recoverableOwners()).toEqual([ready.owner]);
    expect(await b.recoverInterrupted('resend', Date.now())).toBe(1);
    child.kill('SIGCONT');
    child.stdin.write('claim\n');
    expect(await next()).toEqual({ error: 'LeaseLostError', holdsLease: false });
    child.stdin.end();
  });

  it('health(): damage found by PRAGMA quick_check at open stays reported; the store still opens so questions can be answered', async () => {
    const path = await fresh(400);
    const s = await open(path);
    expect(s.health()).toMatchObject({ ok: true, lastCheck: { ok: true } });
    await s.close();
    garbleFirstOutboxLeaf(path, await firstOutboxLeaf(path));
    const damaged = await open(path);
    expect(damaged.health()).toMatchObject({ ok: false, problem: 'damaged', lastCheck: { ok: false } });
    expect(damaged.health().detail).toMatch(/quick_check/);
    expect(await damaged.quickCheck()).toBe(false);
    await expect(damaged.backupTo(`${path}.copy`)).rejects.toThrow(/damaged/);
  });

  it('health(): damage that happens under an open store is found by the periodic quick_check at a quiet moment', async () => {
    const path = await fresh(400);
    const s = await SqliteStore.open(path, { leaseMs: 600, quickCheckIntervalMs: 500 });
    cleanups.push(() => s.close());
    expect(s.health().ok).toBe(true);
    garbleFirstOutboxLeaf(path, await firstOutboxLeaf(path));
    const deadline = Date.now() + 8000;
    while (s.health().ok && Date.now() < deadline) await sleep(100);
    expect(s.health()).toMatchObject({ ok: false, problem: 'damaged', lastCheck: { ok: false } });
  });
});
