import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/run-cli.ts';
import { parseCommand } from '../../../src/core/bot.ts';
import type { Handler, HandlerContext } from '../../../src/core/handler.ts';
import type { OutgoingMessage } from '../../../src/core/types.ts';
import { createSchedulingHandlers } from '../../../src/core/handlers/index-scheduling.ts';
import type { Knowledge } from '../../../src/knowledge/answer.ts';
import { extractEntities } from '../../../src/nlu/entities.ts';
import type { IntentGuess } from '../../../src/nlu/intent-classifier.ts';
import { normalizeText } from '../../../src/nlu/normalize.ts';
import { DeliveryService } from '../../../src/scheduling/delivery-service.ts';
import { SqliteStore } from '../../../src/storage/sqlite-store.ts';
import { RecordingChannel, at, tempDbPath } from '../../scheduling/fixtures/test-kit.ts';

/** The scheduling handlers over a real SQLite file, driven the way the dispatcher drives them. */
class Harness {
  readonly channel = new RecordingChannel('console');
  private constructor(
    readonly store: SqliteStore,
    readonly handlers: Handler[],
    readonly delivery: DeliveryService,
    readonly cleanup: () => void,
    public pokes = 0,
  ) {}

  static async create(): Promise<Harness> {
    const t = tempDbPath('handlers-');
    const store = await SqliteStore.open(t.path);
    const h: Harness = new Harness(store, [], undefined as unknown as DeliveryService, t.cleanup);
    (h as { handlers: Handler[] }).handlers = createSchedulingHandlers(store, { onEnqueued: () => (h.pokes += 1) });
    (h as { delivery: DeliveryService }).delivery = new DeliveryService(store, new Map([['console', h.channel]]), { maxInlineWaitMs: 100 });
    return h;
  }

  /** Sends one message; resolves the first handler's replies, or undefined when no scheduling handler took it. */
  async say(
    chat: string,
    text: string,
    opts: { staff?: boolean; now?: Date; intent?: IntentGuess; user?: string } = {},
  ): Promise<OutgoingMessage[] | undefined> {
    const norm = normalizeText(text);
    const { command, args } = parseCommand(norm);
    const now = opts.now ?? at('2026-06-01');
    const ctx: HandlerContext = {
      msg: { channel: 'console', chat, user: opts.user ?? chat, text, at: now },
      text: norm,
      command,
      args,
      intent: opts.intent ?? { intent: 'out_of_scope', confidence: 0 },
      entities: extractEntities(norm),
      isStaff: opts.staff ?? false,
      now,
      knowledge: {} as Knowledge, // the scheduling handlers never consult policy knowledge
    };
    for (const h of this.handlers) {
      const r = await h.handle(ctx);
      if (r) return r;
    }
    return undefined;
  }

  /** Sends one message that some handler must take; resolves its single reply. */
  async one(chat: string, text: string, opts: Parameters<Harness['say']>[2] = {}): Promise<OutgoingMessage> {
    const r = await this.say(chat, text, opts);
    expect(r, `no handler took “${text}”`).toBeDefined();
    expect(r).toHaveLength(1);
    expect(r![0].chat).toBe(chat);
    return r![0];
  }

  tick(now: Date): Promise<void> {
    return this.delivery.runDue(now);
  }

  async close(): Promise<void> {
    await this.delivery.stop();
    await this.store.close();
    this.cleanup();
  }
}

let open: Harness[] = [];
afterEach(async () => {
  for (const h of open) await h.close();
  open = [];
});
async function harness(): Promise<Harness> {
  const h = await Harness.create();
  open.push(h);
  return h;
}

describe('subscriptions', () => {
  it('subscribes and unsubscribes by command and in words, confirming in Chinese', async () => {
    const h = await harness();
    const sub = await h.one('a', '/subscribe');
    expect(sub.text).toMatch(/订阅成功/);
    expect(sub.data).toEqual({ subscription: { active: true, tags: [] } });
    expect((await h.one('a', '订阅通知')).text).toMatch(/已经订阅/);
    expect((await h.one('a', '取消订阅')).data).toEqual({ subscription: { active: false, tags: [] } });
    expect((await h.store.getSubscriber('console', 'a'))?.active).toBe(false);
    expect((await h.one('a', '退订')).text).toMatch(/没有订阅/);
    expect((await h.one('b', '我要订阅')).text).toMatch(/订阅成功/);
    expect((await h.one('c', '訂閱通知')).text).toMatch(/订阅成功/);
    expect((await h.one('c', '/unsubscribe')).text).toMatch(/已退订/);
    expect(await h.store.countSubscribers()).toBe(1);
  });

  it('keeps tags for targeted broadcasts', async () => {
    const h = await harness();
    expect((await h.one('a', '/subscribe 水口镇 龙头')).data).toEqual({ subscription: { active: true, tags: ['水口镇', '龙头'] } });
    expect((await h.one('b', '订阅通知 水口鎮')).data).toEqual({ subscription: { active: true, tags: ['水口镇'] } });
    expect((await h.one('a', '/subscribe 花洒')).text).toMatch(/已更新订阅标签：花洒/);
    expect(await h.store.countSubscribers('水口镇')).toBe(1);
  });

  it('answers questions about subscribing without changing anything', async () => {
    const h = await harness();
    expect((await h.one('a', '我订阅了吗')).data).toEqual({ subscription: { active: false, tags: [] } });
    expect((await h.one('a', '怎么订阅通知')).text).toMatch(/\/subscribe/);
    expect(await h.store.getSubscriber('console', 'a')).toBeUndefined();
  });

  it('trusts words over the classifier, and the classifier only for messages about notices', async () => {
    const h = await harness();
    await h.one('a', '/subscribe');
    expect((await h.one('a', '取消订阅', { intent: { intent: 'subscribe', confidence: 0.95 } })).data).toMatchObject({ subscription: { active: false } });
    expect((await h.one('b', '有公示提醒我', { intent: { intent: 'subscribe', confidence: 0.9 } })).data).toMatchObject({ subscription: { active: true } });
    expect(await h.say('c', '优秀奖奖金多少', { intent: { intent: 'subscribe', confidence: 0.9 } })).toBeUndefined();
    expect(await h.say('c', '公示期多少天', { intent: { intent: 'publicity', confidence: 0.9 } })).toBeUndefined();
  });
});

describe('staff commands', () => {
  it('refuses non-staff politely with error forbidden and queues nothing', async () => {
    const h = await harness();
    await h.one('member', '/subscribe');
    for (const text of ['/publicity 2026-06-01 名单公示', '/broadcast 大家好', '/broadcasts', '/broadcast --tag 水口镇 hi']) {
      const r = await h.one('member', text);
      expect(r.data).toEqual({ error: 'forbidden' });
      expect(r.text).toMatch(/抱歉.*工作人员/);
    }
    expect(await h.store.listBroadcasts(10)).toEqual([]);
    await h.tick(at('2026-06-01'));
    expect(h.channel.sent).toEqual([]);
  });

  it('broadcasts text verbatim to every current subscriber only, then reports to the sender', async () => {
    const h = await harness();
    await h.one('a', '/subscribe');
    await h.one('b', '/subscribe 水口镇');
    await h.one('gone', '/subscribe');
    await h.one('gone', '退订');
    const tricky = `通知：'单引号' "双引号" ＂全角＂ 繁體字 <b>加粗</b> &amp; <script>alert(1)</script>\n'); DROP TABLE subscribers; -- 100% _x_ \\n 结尾`;
    const ack = await h.one('staff', `/broadcast ${tricky}`, { staff: true });
    expect(ack.data).toMatchObject({ broadcast_queued: { recipients: 2 } });
    expect(h.pokes).toBe(1);
    const id = (ack.data as { broadcast_queued: { id: string } }).broadcast_queued.id;
    await h.tick(at('2026-06-01'));
    for (const chat of ['a', 'b']) expect(h.channel.to(chat)).toEqual([{ chat, text: tricky, data: { broadcast: { id } }, urgency: 'bulk' }]);
    expect(h.channel.to('gone')).toEqual([]);
    expect(h.channel.to('staff').map((m) => m.data)).toEqual([{ broadcast_report: { id, recipients: 2, delivered: 2, failed: 0, pending: 0, cancelled: 0 } }]);
    expect(h.channel.to('staff')[0].text).toMatch(/已送达 2，失败 0，待发送 0/);
    expect(await h.store.countSubscribers()).toBe(2);
    // Ticking again sends nothing new.
    await h.tick(at('2026-06-01'));
    expect(h.channel.sent).toHaveLength(3);
    expect((await h.one('staff', `/broadcasts ${id}`, { staff: true })).data).toMatchObject({ broadcast_report: { delivered: 2 } });
  });

  it('targets a tag, and reports at once when nobody matches', async () => {
    const h = await harness();
    await h.one('a', '/subscribe 水口镇');
    await h.one('b', '/subscribe 月山镇');
    await h.one('c', '/subscribe');
    await h.one('staff', '/broadcast --tag 水口镇 水口镇企业请注意', { staff: true });
    const none = await h.one('staff', '/broadcast --tag 赤坎镇 没人会收到', { staff: true });
    expect(none.data).toMatchObject({ broadcast_report: { recipients: 0, delivered: 0, failed: 0, pending: 0 } });
    await h.tick(at('2026-06-01'));
    expect(h.channel.to('a').map((m) => m.text)).toEqual(['水口镇企业请注意']);
    expect(h.channel.to('b')).toEqual([]);
    expect(h.channel.to('c')).toEqual([]);
    expect(h.channel.to('staff')).toHaveLength(1);
  });

  it('asks for text when a broadcast is empty', async () => {
    const h = await harness();
    expect((await h.one('staff', '/broadcast', { staff: true })).data).toEqual({ error: 'usage' });
  });

  it('announces a publicity: start at once, ending in the last three days, end the day after', async () => {
    const h = await harness();
    await h.one('a', '/subscribe');
    const r = await h.one('staff', '/publicity 2026-01-05 2025年度优秀奖拟获奖企业名单', { staff: true, now: at('2026-01-05', '08:00') });
    expect(r.data).toMatchObject({ publicity: { starts: '2026-01-05', ends: '2026-01-14', recipients: 1, title: '2025年度优秀奖拟获奖企业名单' } });
    expect(r.text).toMatch(/2026年1月14日/);
    for (const day of ['2026-01-05', '2026-01-10', '2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15', '2026-01-16']) await h.tick(at(day));
    expect(h.channel.to('a').map((m) => m.data)).toEqual([
      { reminder: { kind: 'publicity_start', ends: '2026-01-14' } },
      { reminder: { kind: 'publicity_ending', ends: '2026-01-14' } },
      { reminder: { kind: 'publicity_end', ends: '2026-01-14' } },
    ]);
    expect(h.channel.to('a')[0].text).toContain('2025年度优秀奖拟获奖企业名单');
    expect(h.channel.to('a')[1].text).toMatch(/异议.*开平市市场监督管理局/s);
  });

  it('rejects a bad or finished publicity date', async () => {
    const h = await harness();
    expect((await h.one('staff', '/publicity 2026-02-30', { staff: true })).data).toEqual({ error: 'invalid_date' });
    expect((await h.one('staff', '/publicity 2026-01-05', { staff: true, now: at('2026-03-01') })).data).toEqual({ error: 'invalid_date' });
    expect((await h.one('staff', '/publicity', { staff: true })).data).toEqual({ error: 'usage' });
  });

  it('an untitled publicity takes its title from the award rules file, and is refused politely when no rules file gives one', async () => {
    const h = await harness();
    await h.one('a', '/subscribe');
    const titled = await h.one('staff', '/publicity 2026-01-05', { staff: true, now: at('2026-01-05', '08:00') });
    const kaiping = JSON.parse(readFileSync(join(ROOT, 'data/awards/kaiping-excellence.json'), 'utf8')) as { publicity: { title: string } };
    expect(titled.data).toMatchObject({ publicity: { title: kaiping.publicity.title } });
    const saved = process.env.AWARDS_DIR;
    const dir = mkdtempSync(join(tmpdir(), 'no-publicity-title-'));
    cpSync(join(ROOT, 'tests/fixtures/awards/zhengzhou-mayor-quality.json'), join(dir, 'zhengzhou-mayor-quality.json'));
    process.env.AWARDS_DIR = dir;
    try {
      const refused = await h.one('staff', '/publicity 2026-02-05', { staff: true, now: at('2026-01-05', '08:00') });
      // Nor can an award be registered for reminders: no rules file states how long one stays valid.
      const award = await h.one('ent', '/award 2024-03-01');
      expect(award.data).toEqual({ error: 'no_registration' });
      expect(award.text).toContain('目前没有可以登记到期提醒的奖项');
      expect(refused.data).toEqual({ error: 'title_required' });
      expect(refused.text).toContain('请在开始日期后写上公示标题');
      await h.tick(at('2026-02-05'));
      const starts = h.channel.to('a').filter((m) => (m.data as { reminder?: { kind: string } } | undefined)?.reminder?.kind === 'publicity_start');
      expect(starts.map((m) => (m.data as { reminder: { ends: string } }).reminder.ends)).toEqual(['2026-01-14']);
    } finally {
      if (saved === undefined) delete process.env.AWARDS_DIR;
      else process.env.AWARDS_DIR = saved;
    }
  });
});

describe('awards', () => {
  it('registers from words, lists, and warns only the registering chat', async () => {
    const h = await harness();
    const r = await h.one('ent', '我们2024年3月1日获得了优秀奖');
    expect(r.data).toMatchObject({ award: { awardedOn: '2024-03-01', expires: '2027-02-28', created: true } });
    expect(r.text).toMatch(/2027年2月28日/);
    const id = (r.data as { award: { id: number } }).award.id;
    expect((await h.one('ent', '2024-03-01拿的奖')).data).toMatchObject({ award: { id, created: false } });
    const list = await h.one('ent', '/awards');
    expect(list.data).toEqual({ awards: [{ id, awardedOn: '2024-03-01', expires: '2027-02-28' }] });
    expect(list.text).toContain(`#${id}`);
    expect((await h.one('other', '/awards')).data).toEqual({ awards: [] });
    await h.one('other', '/subscribe');
    await h.tick(at('2026-11-30'));
    expect(h.channel.to('ent').map((m) => m.data)).toEqual([{ reminder: { kind: 'award_expiring', expires: '2027-02-28' } }]);
    expect(h.channel.to('other')).toEqual([]);
  });

  it('removes an award by command or words, only from its own chat', async () => {
    const h = await harness();
    const a = (await h.one('ent', '/award 2024-03-01')).data as { award: { id: number } };
    const b = (await h.one('ent', '/award 2024/06/15')).data as { award: { id: number } };
    expect((await h.one('intruder', `删除奖项 ${a.award.id}`)).data).toEqual({ error: 'not_found' });
    expect((await h.one('ent', `删除奖项 ${a.award.id}`)).data).toEqual({ award_removed: { id: a.award.id } });
    expect((await h.one('ent', `/awards remove ${b.award.id}`)).data).toEqual({ award_removed: { id: b.award.id } });
    expect((await h.one('ent', '我的获奖记录')).data).toEqual({ awards: [] });
    await h.tick(at('2026-11-30'));
    await h.tick(at('2027-06-01'));
    expect(h.channel.sent).toEqual([]);
  });

  it('asks for a full date, rejects impossible ones, and leaves policy questions alone', async () => {
    const h = await harness();
    expect((await h.one('ent', '我们去年5月拿的奖')).data).toEqual({ need: 'award_date' });
    expect((await h.one('ent', '/award 2023-02-29')).data).toEqual({ error: 'invalid_date' });
    expect((await h.one('ent', '/award 2030-01-01')).data).toEqual({ error: 'invalid_date' });
    expect((await h.one('ent', '/award')).text).toMatch(/\/award 2024-03-01/);
    for (const q of ['获得优秀奖需要什么条件', '优秀奖有效期几年', '政府质量奖奖金多少', '我们2024年3月1日获得了中国质量奖']) {
      expect(await h.say('ent', q, { intent: { intent: 'award_validity', confidence: 0.8 } })).toBeUndefined();
    }
    expect(await h.store.listAwards('console', 'ent')).toEqual([]);
  });

  it('handles a leap-day award', async () => {
    const h = await harness();
    expect((await h.one('ent', '/award 2024-02-29')).data).toMatchObject({ award: { expires: '2027-02-28' } });
  });
});
