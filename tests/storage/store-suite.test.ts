/** The store's behaviour, run against every engine: the same tests for the SQLite file and for PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStore } from '../../src/storage/store.ts';
import { noticeSkipped } from '../helpers/pg-cluster.ts';
import { ENGINES } from './engines.ts';

noticeSkipped('tests/storage/store-suite.test.ts');

const T0 = new Date('2026-03-01T08:00:00+08:00');

/** Rows sorted by chat (engines with several deliverers interleave chats differently in each process). */
const byChat = <T extends { chat: string }>(rows: T[]): T[] => [...rows].sort((x, y) => x.chat.localeCompare(y.chat));

for (const engine of ENGINES) {
  describe.skipIf(!engine.available)(`store (${engine.name})`, () => {
    beforeAll(() => engine.setup(), 60_000);
    afterAll(() => engine.teardown());

    async function open(): Promise<{ store: AppStore; reopen: () => Promise<AppStore> }> {
      const opener = await engine.fresh();
      return { store: await opener(), reopen: () => opener() };
    }

    it('keeps chat state (the conversation topic and a pre-check form) and subscriptions across a reopen', async () => {
      const { store, reopen } = await open();
      const state = { v: 1, topic: { doc: 'x' }, precheck: { step: 'ask', answers: { 纳税: '是' } }, text: '“引号” \'single\'' };
      await store.saveChatState('console', 'c1', state);
      await store.subscribe('telegram', '42', ['水口镇'], T0);
      await store.close();
      const again = await reopen();
      expect(await again.getChatState('console', 'c1')).toEqual(state);
      expect(await again.getChatState('console', 'nobody')).toBeUndefined();
      expect(await again.getSubscriber('telegram', '42')).toEqual({ channel: 'telegram', chat: '42', tags: ['水口镇'], active: true, subscribedAt: T0.getTime() });
      await again.close();
    });

    it('rejects calls after close', async () => {
      const { store } = await open();
      await store.close();
      await expect(store.getChatState('console', 'x')).rejects.toThrow(/closed/);
    });

    it('deduplicates platform updates, across stores on one database and after a restart', async () => {
      const { store, reopen } = await open();
      const other = await reopen();
      expect(await store.markUpdateSeen('telegram', 1001)).toBe(true);
      expect(await other.markUpdateSeen('telegram', 1001)).toBe(false);
      expect(await other.markUpdateSeen('wechat', 1001)).toBe(true);
      await store.close();
      expect(await other.markUpdateSeen('telegram', '1001')).toBe(false);
      expect(await other.pruneSeenUpdates(new Date(Date.now() + 1000))).toBe(2);
      expect(await other.markUpdateSeen('telegram', 1001)).toBe(true);
      await other.close();
    });

    it('keeps stored updates until they are answered, once per update id, across a restart, in arrival order', async () => {
      const { store, reopen } = await open();
      expect(await store.storeUpdate('telegram', '9002', '{"update_id":9002}', T0)).toBe(true);
      expect(await store.storeUpdate('telegram', '9001', '{"update_id":9001}', T0)).toBe(true);
      expect(await store.storeUpdate('telegram', '9002', '{"update_id":9002}', T0)).toBe(false);
      expect(await store.storeUpdate('wechat', '9002', '{}', T0)).toBe(true);
      await store.markUpdateDone('telegram', '9002', T0);
      await store.close();
      const again = await reopen();
      expect((await again.openUpdates('telegram', 10)).map((u) => [u.updateId, u.payload])).toEqual([['9001', '{"update_id":9001}']]);
      // an answered update is still known: Telegram redelivering it is not answered twice
      expect(await again.storeUpdate('telegram', '9002', '{"update_id":9002}', T0)).toBe(false);
      await again.markUpdateDone('telegram', '9001', T0);
      expect(await again.openUpdates('telegram', 10)).toEqual([]);
      expect(await again.pruneSeenUpdates(new Date(T0.getTime() + 1))).toBe(2);
      expect((await again.openUpdates('wechat', 10)).map((u) => u.updateId)).toEqual(['9002']);
      await again.close();
    });

    it('matches broadcast tags literally, as whole tags', async () => {
      const { store } = await open();
      await store.subscribe('console', 'pct', ['a%b'], T0);
      await store.subscribe('console', 'x', ['axb'], T0);
      await store.subscribe('console', 'town', ['水口镇'], T0);
      await store.subscribe('console', 'town2', ['水口镇区', '"引号"'], T0);
      await store.subscribe('console', 'none', [], T0);
      expect(await store.countSubscribers('a%b')).toBe(1);
      expect(await store.countSubscribers('a_b')).toBe(0);
      expect(await store.countSubscribers('水口镇')).toBe(1);
      expect(await store.countSubscribers('"引号"')).toBe(1);
      expect(await store.countSubscribers()).toBe(5);
      const b = await store.createBroadcast({ senderChannel: 'console', senderChat: 's', text: 't', tag: '水口镇' }, T0);
      expect(b.recipients).toBe(1);
      await store.close();
    });

    it('keeps tags on a repeated subscribe without tags, replaces them when given, and cancels undelivered notices on unsubscribe', async () => {
      const { store } = await open();
      expect((await store.subscribe('console', 'c', ['龙头'], T0)).wasActive).toBe(false);
      expect((await store.subscribe('console', 'c', undefined, T0)).subscriber.tags).toEqual(['龙头']);
      expect((await store.subscribe('console', 'c', ['花洒', '花洒'], T0)).subscriber.tags).toEqual(['花洒']);
      const b = await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '通知' }, T0);
      expect(await store.unsubscribe('console', 'c')).toBe(true);
      expect(await store.unsubscribe('console', 'c')).toBe(false);
      expect((await store.getSubscriber('console', 'c'))?.active).toBe(false);
      expect(await store.getBroadcast(b.id)).toMatchObject({ recipients: 1, cancelled: 1, pending: 0 });
      const back = await store.subscribe('console', 'c', undefined, T0);
      expect(back).toMatchObject({ wasActive: false, subscriber: { tags: [], active: true } });
      await store.close();
    });

    it('turning match notices off cancels only that chat\'s match notices still queued, with its state, in one step', async () => {
      const { store } = await open();
      const notice = (key: string, chat: string) => ({ key, kind: 'broadcast' as const, channel: 'console', chat, text: key, data: { matchNotice: { award: 'a' } }, dueAt: 0 });
      await store.enqueue(notice('match:a:v1:console:c', 'c'), T0);
      await store.enqueue(notice('match:b:v1:console:c', 'c'), T0);
      await store.enqueue(notice('match:a:v1:console:d', 'd'), T0);
      await store.enqueue({ ...notice('broadcast:7:console:c', 'c'), data: {} }, T0);
      // One match notice is being sent already: it is not pulled back (nothing is sent twice, nothing half-cancelled).
      await store.acquireDelivery();
      const [sending] = (await store.dueOutbox('console', T0.getTime(), 10)).filter((r) => r.key === 'match:a:v1:console:c');
      expect(await store.claimOutbox([sending.id], T0.getTime())).toEqual([sending.id]);
      await store.saveChatState('console', 'c', { v: 2, matchOptOut: true }, { cancelMatchNotices: true });
      expect(await store.getChatState('console', 'c')).toEqual({ v: 2, matchOptOut: true });
      const left = (await store.dueOutbox('console', T0.getTime(), 10)).map((r) => r.key).sort();
      expect(left).toEqual(['broadcast:7:console:c', 'match:a:v1:console:d']);
      expect(await store.outboxCounts()).toMatchObject({ pending: 2, sending: 1, cancelled: 1 });
      // Saving again cancels nothing more, and a plain save never cancels.
      await store.saveChatState('console', 'd', { v: 2 });
      await store.saveChatState('console', 'c', { v: 2, matchOptOut: true }, { cancelMatchNotices: true });
      expect(await store.outboxCounts()).toMatchObject({ pending: 2, sending: 1, cancelled: 1 });
      await store.close();
    });

    it('enqueues a key only once, keeping quick replies and data', async () => {
      const { store } = await open();
      const choices = [{ label: '是', value: '是' }, { label: '否', value: '否' }];
      const item = { key: 'notice:1', kind: 'notice' as const, channel: 'console', chat: 'c', text: 'x', choices, data: { n: 1 }, dueAt: 0 };
      expect(await store.enqueue(item, T0)).toBe(true);
      expect(await store.enqueue({ ...item, text: 'other' }, T0)).toBe(false);
      expect(await store.outboxCounts()).toMatchObject({ pending: 1 });
      expect(await store.dueOutbox('console', T0.getTime(), 10)).toMatchObject([{ key: 'notice:1', text: 'x', choices, data: { n: 1 }, attempts: 0, state: 'pending' }]);
      expect(await store.nextDueAt('console')).toBe(0);
      expect(await store.nextDueAt('wechat')).toBeUndefined();
      await store.close();
    });

    it('recovers rows a crash left in sending: journaled ones by the chosen mode, the others back to pending', async () => {
      const { store } = await open();
      for (const k of ['a', 'b', 'c']) await store.enqueue({ key: `notice:${k}`, kind: 'notice', channel: 'console', chat: k, text: k, dueAt: 0 }, T0);
      const due = byChat(await store.dueOutbox('console', Date.now(), 10));
      expect(await store.acquireDelivery()).toEqual({ leader: true });
      const claimed = await store.claimOutbox(due.map((d) => d.id), Date.now());
      expect(claimed.sort()).toEqual(due.map((d) => d.id).sort());
      expect(await store.claimOutbox(due.map((d) => d.id), Date.now())).toEqual([]);
      // Row a reached the platform (journaled, attempt 1); rows b and c were claimed but never handed over.
      expect(await store.recoverInterrupted('assume-sent', Date.now(), [{ id: due[0].id, attempts: 1 }, { id: due[1].id, attempts: 2 }])).toBe(3);
      expect(await store.outboxCounts()).toMatchObject({ sent: 1, pending: 2, sending: 0 });
      const again = byChat(await store.dueOutbox('console', Date.now(), 10));
      expect(again.map((r) => [r.chat, r.attempts])).toEqual([
        ['b', 0],
        ['c', 0],
      ]);
      // Without a journal every claimed row is ambiguous; `resend` sends it again.
      await store.claimOutbox([again[0].id], Date.now());
      expect(await store.recoverInterrupted('resend', Date.now())).toBe(1);
      expect(await store.outboxCounts()).toMatchObject({ sent: 1, pending: 2 });
      await store.close();
    });

    it('records sends, retries and failures of claimed rows only', async () => {
      const { store } = await open();
      for (const k of ['a', 'b', 'c']) await store.enqueue({ key: `notice:${k}`, kind: 'notice', channel: 'console', chat: k, text: k, dueAt: 0 }, T0);
      const [a, b, c] = byChat(await store.dueOutbox('console', Date.now(), 10));
      await store.markSent([a.id], 1); // not claimed: nothing happens
      expect(await store.outboxCounts()).toMatchObject({ pending: 3, sent: 0 });
      await store.acquireDelivery();
      await store.claimOutbox([a.id, b.id, c.id], Date.now());
      await store.markSent([a.id], 1);
      await store.markRetry(b.id, 5_000, 'timeout');
      await store.markFailed(c.id, 'blocked');
      expect(await store.outboxCounts()).toMatchObject({ pending: 1, sent: 1, failed: 1, sending: 0 });
      expect(await store.dueOutbox('console', 4_999, 10)).toEqual([]);
      expect(await store.dueOutbox('console', 5_000, 10)).toMatchObject([{ chat: 'b', attempts: 1, lastError: 'timeout' }]);
      await store.close();
    });

    it('registers awards once per date, advances due reminders exactly once, and cancels a removed award\'s reminders', async () => {
      const { store } = await open();
      const award = { channel: 'telegram', chat: 'e1', awardedOn: '2024-03-01', expires: '2027-02-28', nextReminderOn: '2026-02-28' };
      const first = await store.addAward(award, T0);
      expect(first.created).toBe(true);
      expect((await store.addAward(award, T0)).created).toBe(false);
      await store.addAward({ ...award, awardedOn: '2025-01-01', nextReminderOn: '2027-01-01' }, T0);
      expect((await store.listAwards('telegram', 'e1')).map((a) => a.awardedOn)).toEqual(['2024-03-01', '2025-01-01']);
      expect((await store.listDueAwards('2026-03-01', 10)).map((a) => a.id)).toEqual([first.award.id]);
      const plan = (due: { id: number }[]) =>
        due.map((a) => ({ id: a.id, nextReminderOn: '2026-12-01', lastStage: 'expiring-365', item: { key: `award:${a.id}:expiring-365`, kind: 'award' as const, channel: 'telegram', chat: 'e1', text: '到期提醒', dueAt: 0 } }));
      expect(await store.advanceDueAwards('2026-03-01', 10, plan, T0)).toEqual({ seen: 1, created: 1 });
      expect(await store.advanceDueAwards('2026-03-01', 10, plan, T0)).toEqual({ seen: 0, created: 0 });
      expect(await store.removeAward('telegram', 'e1', first.award.id)).toBe(true);
      expect(await store.removeAward('telegram', 'e1', first.award.id)).toBe(false);
      expect(await store.outboxCounts()).toMatchObject({ pending: 0, cancelled: 1 });
      await store.close();
    });

    it('announces a publicity once to every active subscriber and advances it', async () => {
      const { store } = await open();
      await store.subscribe('console', 'a', [], T0);
      await store.subscribe('console', 'b', [], T0);
      const p = { title: '2026年度公示', starts: '2026-03-02', ends: '2026-03-11', createdBy: 'console:staff', nextReminderOn: '2026-03-10' };
      const r = await store.addPublicity(p, { text: '公示开始' }, T0);
      expect(r).toMatchObject({ created: true, recipients: 2 });
      expect(await store.addPublicity(p, { text: '公示开始' }, T0)).toMatchObject({ created: false, recipients: 0, publicity: { id: r.publicity.id } });
      expect(await store.listDuePublicity('2026-03-10', 10)).toMatchObject([{ id: r.publicity.id, lastStage: 'start' }]);
      const adv = await store.advanceDuePublicity(
        '2026-03-10',
        10,
        (due) => due.map((d) => ({ id: d.id, nextReminderOn: null, lastStage: 'ending', fanOut: { keyPrefix: `publicity:${d.id}:ending:`, kind: 'publicity' as const, text: '明天结束', dueAt: 0 } })),
        T0,
      );
      expect(adv).toEqual({ seen: 1, created: 2 });
      expect(await store.listDuePublicity('2026-12-31', 10)).toEqual([]);
      await store.close();
    });

    it('counts a broadcast\'s deliveries and reports it once', async () => {
      const { store } = await open();
      for (const c of ['a', 'b', 'c']) await store.subscribe('telegram', c, [], T0);
      const b = await store.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '大家好' }, T0);
      expect(b.recipients).toBe(3);
      await store.acquireDelivery();
      const due = await store.dueOutbox('telegram', Date.now(), 10);
      await store.claimOutbox(due.map((d) => d.id), Date.now());
      await store.markSent([due[0].id, due[1].id], Date.now());
      expect(await store.listSettledUnreported(['telegram'], 10)).toEqual([]);
      await store.markFailed(due[2].id, 'blocked');
      const settled = await store.listSettledUnreported(['telegram'], 10);
      expect(settled).toMatchObject([{ id: b.id, recipients: 3, delivered: 2, failed: 1, pending: 0, reportSent: false, createdAt: T0.getTime() }]);
      const report = { key: `report:${b.id}`, kind: 'report' as const, channel: 'console', chat: 'staff', text: '已送达 2', dueAt: 0 };
      expect(await store.markBroadcastReported(b.id, report)).toBe(true);
      expect(await store.markBroadcastReported(b.id, report)).toBe(false);
      expect((await store.listBroadcasts(5)).map((x) => [x.id, x.reportSent])).toEqual([[b.id, true]]);
      expect(await store.getBroadcast('999999')).toBeUndefined();
      expect(await store.getBroadcast('not-a-number')).toBeUndefined();
      await store.close();
    });

    it('bumps the knowledge version seen by every store on the database', async () => {
      const { store, reopen } = await open();
      const other = await reopen();
      expect(await other.knowledgeVersion()).toBe(0);
      expect(await store.bumpKnowledgeVersion(T0)).toBe(1);
      expect(await other.knowledgeVersion()).toBe(1);
      await store.close();
      await other.close();
    });

    it('gives the console statement access with new ids and the aliases as written', async () => {
      const { store } = await open();
      const r = await store.runExclusive((c) => c.run('INSERT INTO staff_audit (at, staff, action, detail) VALUES (?, ?, ?, ?)', [1, 'console:s', 'login', '']), true);
      expect(r).toMatchObject({ changes: 1, lastID: 1 });
      expect(await store.runExclusive((c) => c.all<{ action: string }>('SELECT action FROM staff_audit'))).toEqual([{ action: 'login' }]);
      // camelCase aliases come back as written on both engines; quoted strings are left alone.
      expect(await store.runExclusive((c) => c.get('SELECT action AS actionName, staff AS "as", \'AS x?\' AS t FROM staff_audit WHERE at = ?', [1]))).toEqual({ actionName: 'login', as: 'console:s', t: 'AS x?' });
      await store.close();
    });
  });
}
