import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PermanentSendError, TemporarySendError, type Channel } from '../../src/core/channel.ts';
import type { OutgoingMessage } from '../../src/core/types.ts';
import { DeliveryService, type DeliveryOptions } from '../../src/scheduling/delivery-service.ts';
import { awardExpires, awardStages, firstReminderOn, publicityData, publicityEnds, publicityStages, publicityStartText } from '../../src/scheduling/reminders.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { RecordingChannel, at, seedSubscribers, tempDbPath } from './fixtures/test-kit.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A fresh database file (schema created) and its path. */
async function freshDb(): Promise<string> {
  const t = tempDbPath('delivery-');
  cleanups.push(t.cleanup);
  await (await SqliteStore.open(t.path)).close();
  return t.path;
}

async function openStore(path: string): Promise<SqliteStore> {
  const store = await SqliteStore.open(path);
  cleanups.push(() => store.close());
  return store;
}

function service(store: SqliteStore, channels: Channel[], options: DeliveryOptions = {}): DeliveryService {
  const s = new DeliveryService(store, new Map(channels.map((c) => [c.name, c])), { baseBackoffMs: 5, maxInlineWaitMs: 2000, ...options });
  cleanups.push(() => s.stop());
  return s;
}

const chats = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function registerAward(store: SqliteStore, chat: string, awardedOn: string, channel = 'console') {
  const expires = awardExpires(awardedOn);
  return (await store.addAward({ channel, chat, awardedOn, expires, nextReminderOn: firstReminderOn(awardStages(expires)) }, at(awardedOn))).award;
}

describe('award reminders', () => {
  it('reach only the registering chat: 90, 30 and 7 days before, then once after expiry', async () => {
    const store = await openStore(await freshDb());
    const ch = new RecordingChannel();
    const svc = service(store, [ch]);
    await registerAward(store, 'ent', '2024-03-01');
    await registerAward(store, 'other', '2024-06-01');
    const ticks = ['2026-11-29', '2026-11-30', '2026-12-01', '2027-01-29', '2027-02-20', '2027-02-21', '2027-02-28', '2027-03-01', '2027-03-02', '2028-01-01'];
    const seen: string[][] = [];
    for (const day of ticks) {
      await svc.runDue(at(day, '00:00'));
      await svc.runDue(at(day, '00:00')); // a second tick at the same instant sends nothing new
      seen.push(ch.kinds('ent'));
    }
    expect(ch.kinds('ent')).toEqual(['award_expiring', 'award_expiring', 'award_expiring', 'award_expired']);
    expect(ch.to('ent').map((m) => m.data)).toEqual([
      ...Array(3).fill({ reminder: { kind: 'award_expiring', expires: '2027-02-28' } }),
      { reminder: { kind: 'award_expired', expires: '2027-02-28' } },
    ]);
    // Each arrived on its own day.
    expect(seen.map((k) => k.length)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);
    expect(ch.to('ent')[0].text).toContain('还有90天');
    expect(ch.to('ent')[3].text).toMatch(/重新申报/);
    expect(ch.to('other').every((m) => (m.data as any).reminder.expires === '2027-05-31')).toBe(true);
  });

  it('sends only the latest overdue reminder after downtime', async () => {
    const path = await freshDb();
    let store = await openStore(path);
    await registerAward(store, 'ent', '2024-03-01');
    await store.close();
    // The bot was down from before the 90-day reminder until three days before expiry.
    store = await openStore(path);
    const ch = new RecordingChannel();
    await service(store, [ch]).runDue(at('2027-02-25'));
    expect(ch.to('ent')).toHaveLength(1);
    expect(ch.to('ent')[0].text).toContain('还有3天');
    await store.close();
    // Down again past expiry: one award_expired, nothing else.
    store = await openStore(path);
    const ch2 = new RecordingChannel();
    await service(store, [ch2]).runDue(at('2027-08-01'));
    expect(ch2.kinds('ent')).toEqual(['award_expired']);
    await service(store, [ch2]).runDue(at('2029-08-01'));
    expect(ch2.sent).toHaveLength(1);
  });

  it('stops reminding once the award is removed', async () => {
    const store = await openStore(await freshDb());
    const ch = new RecordingChannel('console');
    const award = await registerAward(store, 'ent', '2024-03-01');
    expect(await store.removeAward('console', 'someone-else', award.id)).toBe(false);
    expect(await store.removeAward('console', 'ent', award.id)).toBe(true);
    await service(store, [ch]).runDue(at('2026-11-30'));
    expect(ch.sent).toHaveLength(0);
  });
});

describe('publicity reminders', () => {
  async function announce(store: SqliteStore, starts: string) {
    const ends = publicityEnds(starts);
    const p = { title: '2025年度优秀奖拟获奖企业名单公示', starts, ends };
    return store.addPublicity(
      { ...p, createdBy: 'console:staff:staff', nextReminderOn: firstReminderOn(publicityStages(ends)) },
      { text: publicityStartText(p, starts), data: publicityData('publicity_start', ends) },
      at(starts),
    );
  }

  it('gives every subscriber the start at once, one ending reminder in the last three days and one end notice', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', chats(3));
    const store = await openStore(path);
    const ch = new RecordingChannel();
    const svc = service(store, [ch]);
    const r = await announce(store, '2026-01-05');
    expect(r.recipients).toBe(3);
    for (const day of ['2026-01-05', '2026-01-11', '2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15', '2026-01-16', '2026-02-01']) {
      await svc.runDue(at(day));
      await svc.runDue(at(day));
    }
    for (const chat of chats(3)) {
      expect(ch.kinds(chat)).toEqual(['publicity_start', 'publicity_ending', 'publicity_end']);
      expect(ch.to(chat).map((m) => (m.data as any).reminder.ends)).toEqual(['2026-01-14', '2026-01-14', '2026-01-14']);
    }
    expect(ch.to('u0')[1].text).toMatch(/开平市市场监督管理局/);
    // Announcing the same publicity again notifies nobody twice.
    expect((await announce(store, '2026-01-05')).created).toBe(false);
  });

  it('sends only publicity_end when the bot was down through the whole ending window', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', ['a']);
    const store = await openStore(path);
    const ch = new RecordingChannel();
    const svc = service(store, [ch]);
    await announce(store, '2026-01-05');
    await svc.runDue(at('2026-01-05'));
    await svc.runDue(at('2026-01-19'));
    expect(ch.kinds('a')).toEqual(['publicity_start', 'publicity_end']);
  });

  it('reaches subscribers who joined during the publicity, not those who left', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', ['early', 'leaver']);
    const store = await openStore(path);
    const ch = new RecordingChannel();
    const svc = service(store, [ch]);
    await announce(store, '2026-01-05');
    await svc.runDue(at('2026-01-05'));
    await store.subscribe('console', 'late', undefined, at('2026-01-08'));
    await store.unsubscribe('console', 'leaver');
    await svc.runDue(at('2026-01-13'));
    expect(ch.kinds('early')).toEqual(['publicity_start', 'publicity_ending']);
    expect(ch.kinds('late')).toEqual(['publicity_ending']);
    expect(ch.kinds('leaver')).toEqual(['publicity_start']);
  });
});

describe('outbox delivery', () => {
  it('retries a temporary failure after the requested wait, then delivers once', async () => {
    const store = await openStore(await freshDb());
    const ch = new RecordingChannel('console', 0, (_m, call) => {
      if (call < 2) throw new TemporarySendError('429 Too Many Requests', 40);
    });
    await store.enqueue({ key: 'notice:retry', kind: 'notice', channel: 'console', chat: 'c', text: '你好', dueAt: 0 }, new Date());
    const t0 = performance.now();
    const summary = await service(store, [ch]).runPass(new Date());
    expect(ch.calls).toBe(3);
    expect(ch.sent.map((m) => m.text)).toEqual(['你好']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    expect(summary).toMatchObject({ sent: 1, retried: 2, failed: 0 });
    expect(await store.outboxCounts()).toMatchObject({ sent: 1, pending: 0, failed: 0 });
  });

  it('gives up after the last attempt, and at once on a permanent failure', async () => {
    const store = await openStore(await freshDb());
    const ch = new RecordingChannel('console', 0, (m) => {
      if (m.chat === 'flaky') throw new TemporarySendError('network down');
      if (m.chat === 'blocked') throw new PermanentSendError('bot was blocked by the user');
    });
    for (const chat of ['flaky', 'blocked', 'fine']) {
      await store.enqueue({ key: `notice:${chat}`, kind: 'notice', channel: 'console', chat, text: 'x', dueAt: 0 }, new Date());
    }
    await service(store, [ch], { maxAttempts: 3 }).runDue(new Date());
    expect(ch.calls).toBe(3 + 1 + 1);
    expect(ch.sent.map((m) => m.chat)).toEqual(['fine']);
    expect(await store.outboxCounts()).toMatchObject({ sent: 1, failed: 2, pending: 0 });
  });

  it('leaves a long retry to a later tick', async () => {
    const store = await openStore(await freshDb());
    let fail = true;
    const ch = new RecordingChannel('console', 0, () => {
      if (fail) throw new TemporarySendError('flood wait', 60_000);
    });
    await store.enqueue({ key: 'notice:later', kind: 'notice', channel: 'console', chat: 'c', text: 'x', dueAt: 0 }, new Date());
    const svc = service(store, [ch]);
    const now = Date.now();
    await svc.runDue(new Date(now));
    expect(ch.sent).toHaveLength(0);
    fail = false;
    await svc.runDue(new Date(now + 30_000));
    expect(ch.sent).toHaveLength(0);
    await svc.runDue(new Date(now + 61_000));
    expect(ch.sent).toHaveLength(1);
  });

  it('paces sends by the channel interval and the per-chat interval', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'telegram', chats(6));
    const store = await openStore(path);
    const ch = new RecordingChannel('telegram', 25);
    await store.createBroadcast({ senderChannel: 'telegram', senderChat: 'u0', text: '通知' }, new Date());
    await service(store, [ch], { perChatIntervalMs: { telegram: 300 } }).runDue(new Date());
    expect(ch.sent).toHaveLength(7); // six copies and the report to u0
    const gaps = ch.sentAt.slice(1).map((t, i) => t - ch.sentAt[i]);
    for (const g of gaps.slice(0, 5)) expect(g).toBeGreaterThanOrEqual(23);
    // The report goes to u0, which had its copy first: it waits for the per-chat gap.
    expect(ch.sentAt[6] - ch.sentAt[0]).toBeGreaterThanOrEqual(295);
  });

  it('delivers queued quick replies with their choices', async () => {
    const store = await openStore(await freshDb());
    const choices = [{ label: '是', value: '是' }, { label: '否', value: '否' }];
    await store.enqueue({ key: 'reply:1', kind: 'notice', channel: 'console', chat: 'c', text: '贵司注册满3年了吗？', choices, data: { precheck: { ask: 'years' } }, dueAt: 0 }, new Date());
    const ch = new RecordingChannel();
    await service(store, [ch]).runDue(new Date());
    expect(ch.sent).toEqual([{ chat: 'c', text: '贵司注册满3年了吗？', choices, data: { precheck: { ask: 'years' } } }]);
  });

  it('keeps messages for a channel that is not running until it is', async () => {
    const store = await openStore(await freshDb());
    await store.enqueue({ key: 'notice:wx', kind: 'notice', channel: 'wechat', chat: 'w', text: 'x', dueAt: 0 }, new Date());
    const consoleOnly = new RecordingChannel('console');
    await service(store, [consoleOnly]).runDue(new Date());
    expect(await store.outboxCounts()).toMatchObject({ pending: 1 });
    const wechat = new RecordingChannel('wechat', 0);
    await service(store, [wechat], { minIntervalMs: { wechat: 0 } }).runDue(new Date());
    expect(wechat.sent).toHaveLength(1);
  });
});

describe('background loop', () => {
  it('runs by itself, never overlaps itself, picks up new work when poked, and stops cleanly', async () => {
    const store = await openStore(await freshDb());
    let active = 0;
    let maxActive = 0;
    const ch = new RecordingChannel('console', 0, async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 15));
      active -= 1;
    });
    const svc = service(store, [ch]);
    for (let i = 0; i < 5; i++) await store.enqueue({ key: `notice:${i}`, kind: 'notice', channel: 'console', chat: `c${i}`, text: `${i}`, dueAt: 0 }, new Date());
    svc.start(1);
    // Ticks requested while a pass runs wait for it.
    const extra = [svc.runDue(new Date()), svc.runDue(new Date())];
    await Promise.all(extra);
    expect(ch.sent.map((m) => m.text)).toEqual(['0', '1', '2', '3', '4']);
    expect(maxActive).toBe(1);
    await svc.stop();
    svc.start(60_000);
    await new Promise((r) => setTimeout(r, 50)); // the first pass runs at once and finds nothing
    await store.enqueue({ key: 'notice:late', kind: 'notice', channel: 'console', chat: 'late', text: 'late', dueAt: 0 }, new Date());
    svc.poke();
    for (let i = 0; i < 100 && ch.to('late').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ch.to('late')).toHaveLength(1);
    await svc.stop();
    expect(ch.sent).toHaveLength(6);
  });
});

describe('broadcasts', () => {
  it('reports delivered, failed and cancelled to the sender once all deliveries are settled', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', chats(5));
    const store = await openStore(path);
    const ch = new RecordingChannel('console', 0, (m) => {
      if (m.chat === 'u1') throw new PermanentSendError('chat not found');
    });
    const { id, recipients } = await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '请于本周五前提交材料' }, new Date());
    expect(recipients).toBe(5);
    await store.unsubscribe('console', 'u4');
    const svc = service(store, [ch]);
    await svc.runDue(new Date());
    await svc.runDue(new Date());
    expect(ch.to('u4')).toHaveLength(0);
    const reports = ch.to('staff');
    expect(reports).toHaveLength(1);
    expect(reports[0].data).toEqual({ broadcast_report: { id, recipients: 5, delivered: 3, failed: 1, pending: 0, cancelled: 1 } });
    expect(reports[0].text).toMatch(/已送达 3，失败 1，待发送 0/);
  });

  it('counts deliveries on channels that are not running as pending in the report', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', ['c1']);
    await seedSubscribers(path, 'wechat', ['w1']);
    const store = await openStore(path);
    const ch = new RecordingChannel('console');
    await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: 'hi' }, new Date());
    await service(store, [ch]).runDue(new Date());
    expect(ch.to('staff')[0].data).toMatchObject({ broadcast_report: { delivered: 1, pending: 1 } });
  });

  it('resumes after a crash mid-broadcast: each of 1,000 subscribers gets exactly one copy', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', chats(1000));
    const platform: OutgoingMessage[] = [];
    let store = await SqliteStore.open(path);
    const { id } = await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '全体会员：\'年检\' "通知" <b>周五</b>' }, new Date());
    // The first process freezes for good while the platform handles its 350th message (accepted, never answered),
    // and then its database connection is gone: as after a crash, it never writes again.
    let crashed!: () => void;
    const crash = new Promise<void>((r) => (crashed = r));
    const dying: Channel = {
      name: 'console',
      async start() {},
      async stop() {},
      send(msg) {
        platform.push(msg);
        if (platform.length === 350) {
          crashed();
          return new Promise<void>(() => undefined);
        }
        return Promise.resolve();
      },
    };
    const first = new DeliveryService(store, new Map([['console', dying]]), { sendTimeoutMs: 1e9 });
    void first.runDue(new Date()).catch(() => undefined);
    await crash;
    await store.close();
    expect(platform).toHaveLength(350);

    // Restart on the same file.
    store = await openStore(path);
    const ch = new RecordingChannel('console');
    await service(store, [ch]).runDue(new Date());
    platform.push(...ch.sent);
    const copies = new Map<string, number>();
    for (const m of platform.filter((m) => m.data && 'broadcast' in m.data)) copies.set(m.chat, (copies.get(m.chat) ?? 0) + 1);
    expect(copies.size).toBe(1000);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    expect(platform.filter((m) => m.chat === 'staff').map((m) => m.data)).toEqual([
      { broadcast_report: { id, recipients: 1000, delivered: 1000, failed: 0, pending: 0, cancelled: 0 } },
    ]);
    // Ticking again sends nothing new.
    await service(store, [ch]).runDue(new Date());
    expect(ch.sent.length + 350).toBe(platform.length);
  });

  it('two services on two connections to one file: only the lease holder delivers, the other takes over when it stops', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', chats(200));
    const [a, b] = [await openStore(path), await openStore(path)];
    const [chA, chB] = [new RecordingChannel('console'), new RecordingChannel('console')];
    const [svcA, svcB] = [service(a, [chA]), service(b, [chB])];
    await a.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '通知' }, new Date());
    await Promise.all([svcA.runDue(new Date()), svcB.runDue(new Date()), svcA.runDue(new Date()), svcB.runDue(new Date())]);
    const delivered = [...chA.sent, ...chB.sent].filter((m) => m.data && 'broadcast' in m.data);
    expect(delivered).toHaveLength(200);
    // Exactly one of them sent everything.
    expect([chA, chB].filter((c) => c.sent.length > 0)).toHaveLength(1);
    const [leader, standby] = chA.sent.length ? [svcA, svcB] : [svcB, svcA];
    const standbyChannel = chA.sent.length ? chB : chA;
    await (chA.sent.length ? a : b).createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '第二条' }, new Date());
    await leader.stop();
    await standby.runDue(new Date());
    expect(standbyChannel.sent.filter((m) => m.data && 'broadcast' in m.data)).toHaveLength(200);
  });

  it('a damaged database: nothing is delivered, staff are told once by chat, and the pass does not fail', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', chats(400));
    let store = await SqliteStore.open(path);
    await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '通知' }, new Date());
    await store.close();
    const { default: sqlite3 } = await import('sqlite3');
    const leaf = await new Promise<number>((resolve, reject) => {
      const db = new sqlite3.Database(path, () =>
        db.get("SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1", (e: Error | null, r: { pageno: number }) =>
          db.close(() => (e ? reject(e) : resolve(r.pageno))),
        ),
      );
    });
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (leaf - 1) * 4096);
    closeSync(fd);
    store = await openStore(path);
    const ch = new RecordingChannel('console');
    const svc = service(store, [ch], { staff: { console: ['boss'] } });
    await svc.runDue(new Date());
    await svc.runDue(new Date());
    expect(ch.sent.map((m) => [m.chat, m.data])).toEqual([['boss', { alert: { storage: 'damaged' } }]]);
  });

  it('survives kill -9 of the delivering process: each of 1,000 subscribers gets exactly one copy', async () => {
    const path = await freshDb();
    await seedSubscribers(path, 'console', chats(1000));
    const store = await SqliteStore.open(path);
    await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '会员大会通知' }, new Date());
    await store.close();
    const child = fileURLToPath(new URL('./fixtures/deliver-child.ts', import.meta.url));
    const run = (killAfter?: number) =>
      new Promise<string[]>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', child, path], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (killAfter !== undefined && out.split('\n').length > killAfter) p.kill('SIGKILL');
        });
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('error', reject);
        p.on('close', (code, signal) => {
          if (killAfter === undefined && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
          if (killAfter !== undefined && signal !== 'SIGKILL') reject(new Error(`child was not killed: ${code} ${err}`));
          resolve(out.split('\n').filter(Boolean));
        });
      });
    const { readdirSync } = await import('node:fs');
    const { dirname, basename } = await import('node:path');
    const journals = () => readdirSync(dirname(path)).filter((f) => f.startsWith(`${basename(path)}-sending.`));
    const before = await run(300);
    const killedJournals = journals();
    expect(killedJournals).toHaveLength(1);
    expect(before.length).toBeGreaterThanOrEqual(300);
    expect(before.length).toBeLessThan(1000);
    const after = await run();
    const lines = [...before, ...after].map((l) => JSON.parse(l) as OutgoingMessage);
    const copies = new Map<string, number>();
    for (const m of lines.filter((m) => m.data && 'broadcast' in m.data)) copies.set(m.chat, (copies.get(m.chat) ?? 0) + 1);
    expect(copies.size).toBe(1000);
    expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(lines.filter((m) => m.chat === 'staff')).toHaveLength(1);
    // The killed owner's send journal was read and removed by the run that recovered its rows.
    expect(journals().filter((f) => killedJournals.includes(f))).toEqual([]);
  });
});
