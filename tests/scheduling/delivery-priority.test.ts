/** Replies to people go before bulk sends: the outbox is drained by priority, then age, keeping each chat's order. */
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryService } from '../../src/scheduling/delivery-service.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { RecordingChannel, seedSubscribers, tempDbPath } from './fixtures/test-kit.ts';

const NOW = new Date('2026-06-01T10:00:00+08:00');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A store on a fresh file with `n` Telegram subscribers. */
async function storeWithSubscribers(n: number): Promise<SqliteStore> {
  const t = tempDbPath('priority-');
  cleanups.push(t.cleanup);
  await (await SqliteStore.open(t.path)).close();
  await seedSubscribers(t.path, 'telegram', Array.from({ length: n }, (_, i) => `s${i}`));
  const store = await SqliteStore.open(t.path);
  cleanups.push(() => store.close());
  return store;
}

describe('delivery priority', () => {
  it('with a 1,000-row broadcast queued, delivers a reply queued after it before the broadcast drains', async () => {
    const store = await storeWithSubscribers(1000);
    const { recipients } = await store.createBroadcast({ senderChannel: 'telegram', senderChat: 'staff', text: '【通知】年度质量奖开始申报' }, NOW);
    expect(recipients).toBe(1000);
    const ch = new RecordingChannel('telegram', 2);
    const svc = new DeliveryService(store, new Map([['telegram', ch]]), { perChatIntervalMs: { telegram: 0 } });
    cleanups.push(() => svc.stop());
    const pass = svc.runDue(NOW);
    while (ch.sent.length < 50) await new Promise((r) => setTimeout(r, 5));
    // A person's next pre-check step and its follow-up, queued as the handler does when a direct send failed.
    const queuedAt = ch.sent.length;
    await store.enqueue({ key: 'reply:a', kind: 'notice', priority: 'reply', channel: 'telegram', chat: 'person', text: '问题 2/5：企业是否在本市注册？', dueAt: 0 }, NOW);
    await store.enqueue({ key: 'reply:b', kind: 'notice', priority: 'reply', channel: 'telegram', chat: 'person', text: '请选择：是 / 否', dueAt: 0 }, NOW);
    svc.poke();
    await pass;
    const order = ch.sent.map((m) => m.chat);
    const first = order.indexOf('person');
    expect(first).toBeGreaterThanOrEqual(queuedAt);
    expect(first).toBeLessThan(queuedAt + 10); // next after the sends already under way, not after the other ~950
    expect(ch.to('person').map((m) => m.text)).toEqual(['问题 2/5：企业是否在本市注册？', '请选择：是 / 否']);
    expect(order.filter((c) => /^s\d+$/.test(c))).toHaveLength(1000);
  });

  it('reads the queue again while a broadcast drains, so a reply queued by another process is not held to the end', async () => {
    const store = await storeWithSubscribers(600);
    await store.createBroadcast({ senderChannel: 'telegram', senderChat: 'staff', text: '【通知】公示开始' }, NOW);
    const ch = new RecordingChannel('telegram', 5); // 600 rows take at least 3 s at this pace
    const svc = new DeliveryService(store, new Map([['telegram', ch]]), { perChatIntervalMs: { telegram: 0 } });
    cleanups.push(() => svc.stop());
    const pass = svc.runDue(NOW);
    while (ch.sent.length < 20) await new Promise((r) => setTimeout(r, 5));
    const queuedAt = ch.sent.length;
    await store.enqueue({ key: 'reply:other-process', kind: 'notice', priority: 'reply', channel: 'telegram', chat: 'person', text: '答：奖励100万元。', dueAt: 0 }, NOW);
    await pass;
    const at = ch.sent.findIndex((m) => m.chat === 'person');
    expect(at).toBeGreaterThan(queuedAt - 1);
    expect(at).toBeLessThan(queuedAt + 200); // within the half-second re-read at 5 ms a send, far before the 600th
  });
});
