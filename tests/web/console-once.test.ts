/**
 * The console sends once whatever the browser does, and tells the truth: draft keys through Back, Reload and double
 * clicks; publicity through preview and confirm, one per period; reports from the outbox rows that add up; a draft
 * kept across an expired session; sign-in limits behind a proxy and per link token; Secure cookies behind https;
 * award registrations with removal. Over a real runtime and SQLite file (fastify.inject).
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-cli.ts';
import { createSignInToken } from '../../src/web/console-db.ts';
import { Client, consoleKit, subscribeMany, TEST_NOW, type ConsoleKit } from './console-kit.ts';

let kit: ConsoleKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const draftOf = (body: string) => /name="draft" value="([^"]+)"/.exec(body)![1];
const broadcastsSent = (k: ConsoleKit) => k.channel.sent.filter((m) => m.data?.broadcast);

describe('a broadcast is sent once whatever the browser does', () => {
  it('Back, Reload (the preview posted again) and a second confirm show the first broadcast; a double click creates one', async () => {
    kit = await consoleKit();
    const chats = await subscribeMany(kit.rt, 10, 'ys', ['月山镇'], TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    const key = draftOf((await c.get('/broadcast')).body);
    const form = { text: '月山镇企业请于本周五前报送材料', tag: '月山镇', draft: key };
    expect(draftOf((await c.post('/broadcast/preview', form)).body)).toBe(key);
    const sent = await c.post('/broadcast/send', form);
    const at = sent.headers.location as string;
    expect(at).toMatch(/^\/broadcast\/\d+$/);
    // Back, then Reload: the browser posts the preview again with the same key; it leads to the broadcast already made.
    const reposted = await c.post('/broadcast/preview', form);
    expect(reposted.statusCode).toBe(303);
    expect(reposted.headers.location).toBe(at);
    // And 确认发送 again: the existing broadcast's progress.
    expect((await c.post('/broadcast/send', form)).headers.location).toBe(at);
    // The compose form opened from the preview's 返回修改 link also leads there.
    expect((await c.get(`/broadcast?draft=${key}`)).headers.location).toBe(at);

    // A double click on a fresh draft: two posts at once, one broadcast.
    const key2 = draftOf((await c.get('/broadcast')).body);
    const form2 = { text: '第二条通知', tag: '月山镇', draft: key2 };
    await c.post('/broadcast/preview', form2);
    const [a, b] = await Promise.all([c.post('/broadcast/send', form2), c.post('/broadcast/send', form2)]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(await kit.rt.store.listBroadcasts(10)).toHaveLength(2);

    await kit.rt.runDue(TEST_NOW);
    const got = broadcastsSent(kit);
    expect(got).toHaveLength(20);
    for (const chat of chats) expect(got.filter((m) => m.chat === chat).map((m) => m.text).sort()).toEqual(['月山镇企业请于本周五前报送材料', '第二条通知'].sort());
  });

  it('warns in the preview when the same notice went to the same people in the last day', async () => {
    kit = await consoleKit();
    await subscribeMany(kit.rt, 2, 'x', [], TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    const form = { text: '同一条通知', tag: '', draft: draftOf((await c.get('/broadcast')).body) };
    await c.post('/broadcast/preview', form);
    await c.post('/broadcast/send', form);
    const fresh = { ...form, draft: draftOf((await c.get('/broadcast')).body) };
    const preview = await c.post('/broadcast/preview', fresh);
    expect(preview.body).toContain('id="same-warning"');
  });
});

describe('publicity goes through compose, preview and confirm', () => {
  it('with no award rules file naming a publicity title, the title is required: the field says so and an untitled preview is refused politely', async () => {
    const saved = process.env.AWARDS_DIR;
    const dir = mkdtempSync(join(tmpdir(), 'no-publicity-title-'));
    cpSync(join(ROOT, 'tests/fixtures/awards/zhengzhou-mayor-quality.json'), join(dir, 'zhengzhou-mayor-quality.json'));
    process.env.AWARDS_DIR = dir;
    try {
      kit = await consoleKit();
      await subscribeMany(kit.rt, 2, 'q', [], TEST_NOW);
      const c = new Client(kit.app);
      await c.signIn(kit);
      const form = (await c.get('/publicity')).body;
      expect(form).toMatch(/<label for="title">标题<\/label><input[^>]*id="title"[^>]*required/);
      expect(form).not.toContain('placeholder=');
      const preview = await c.post('/publicity/preview', { starts: '2026-03-05', title: '', draft: draftOf(form) });
      expect(preview.body).toContain('请填写公示标题');
      expect(preview.body).not.toContain('id="untitled-warning"');
      await kit.rt.runDue(TEST_NOW);
      expect(kit.channel.sent).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.AWARDS_DIR;
      else process.env.AWARDS_DIR = saved;
    }
  });

  it('an untitled publicity is previewed with its default title and sent only on confirm, once; the same period is refused whatever its title', async () => {
    kit = await consoleKit();
    await subscribeMany(kit.rt, 3, 'p', [], TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    const key = draftOf((await c.get('/publicity')).body);
    const preview = await c.post('/publicity/preview', { starts: '2026-03-05', title: '', draft: key });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('id="untitled-warning"');
    expect(preview.body).toContain('开平市水暖卫浴产品质量优秀奖拟获奖企业名单公示');
    expect(preview.body).toContain('<strong id="reach">3</strong>');
    await kit.rt.runDue(TEST_NOW);
    expect(kit.channel.sent).toEqual([]);

    const [a, b] = await Promise.all([c.post('/publicity/send', { starts: '2026-03-05', title: '', draft: key }), c.post('/publicity/send', { starts: '2026-03-05', title: '', draft: key })]);
    expect(a.statusCode).toBe(303);
    expect(b.headers.location).toBe(a.headers.location);
    expect((await c.post('/publicity/send', { starts: '2026-03-05', title: '', draft: key })).headers.location).toBe(a.headers.location);
    expect((await c.post('/publicity/preview', { starts: '2026-03-05', title: '', draft: key })).headers.location).toBe(a.headers.location);

    // A titled publicity for the same period, from a fresh form: refused at preview and at confirm.
    const key2 = draftOf((await c.get('/publicity')).body);
    const titled = { starts: '2026-03-05', title: '2025年度拟获奖企业名单', draft: key2 };
    const refused = await c.post('/publicity/preview', titled);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('已经发布过了');
    expect((await c.post('/publicity/send', titled)).statusCode).toBe(409);
    // The chat command refuses it too.
    const chat = await kit.rt.bot.handle({ channel: 'console', chat: 's', user: 'staff1', text: '/publicity 2026-03-05 另一个标题', at: TEST_NOW });
    expect(chat[0].text).toContain('已经发布过了');

    await kit.rt.runDue(TEST_NOW);
    const starts = kit.channel.sent.filter((m) => (m.data as { reminder?: { kind?: string } } | undefined)?.reminder?.kind === 'publicity_start');
    expect(starts.map((m) => m.chat).sort()).toEqual(['p1', 'p2', 'p3']);
  });
});

describe('reports tell the truth', () => {
  it('after an unsubscribe, a channel that is not connected and a cancel, every count has its reason and they add up to the reach', async () => {
    kit = await consoleKit();
    await subscribeMany(kit.rt, 6, 'c', [], TEST_NOW);
    for (let i = 1; i <= 3; i++) await kit.rt.store.subscribe('wechat', `wx${i}`, [], TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    const form = { text: '全体通知', tag: '', draft: draftOf((await c.get('/broadcast')).body) };
    await c.post('/broadcast/preview', form);
    const id = /(\d+)$/.exec((await c.post('/broadcast/send', form)).headers.location as string)![1];
    await kit.rt.bot.handle({ channel: 'console', chat: 'c6', user: 'c6', text: '/unsubscribe', at: TEST_NOW });
    await kit.rt.runDue(TEST_NOW);

    const before = (await c.get(`/api/broadcasts/${id}`)).json() as { recipients: number; lines: { key: string; n: number }[]; status: string; done: boolean };
    expect(before.recipients).toBe(9);
    expect(Object.fromEntries(before.lines.map((l) => [l.key, l.n]))).toEqual({ sent: 5, waiting_channel: 3, skipped_unsubscribed: 1 });
    expect(before.status).toContain('等待渠道连接');
    const page = await c.get(`/broadcast/${id}`);
    expect(page.body).toContain('等待中：微信没有连接');
    expect(page.body).toContain('未发送：对方在发送前已退订');
    expect(page.body).not.toContain('正在发送');

    await c.post(`/broadcast/${id}/cancel`, {});
    const after = (await c.get(`/api/broadcasts/${id}`)).json() as { recipients: number; lines: { key: string; n: number }[]; done: boolean };
    expect(Object.fromEntries(after.lines.map((l) => [l.key, l.n]))).toEqual({ sent: 5, cancelled_staff: 3, skipped_unsubscribed: 1 });
    expect(after.lines.reduce((n, l) => n + l.n, 0)).toBe(after.recipients);
    expect(after.done).toBe(true);
    const overview = await c.get('/');
    expect(overview.body).toContain('已由工作人员取消');
    expect(overview.body).not.toMatch(/待发送 [1-9]/);
    for (const raw of ['lastCheck', 'at:', 'ok:', 'console:staff1', 'web:console', 'anonymous', 'used']) expect(overview.body, raw).not.toContain(raw);
  });
});

describe('an expired session', () => {
  it('keeps the notice as a draft, answers in Chinese (not JSON), and returns to the draft after signing in again', async () => {
    kit = await consoleKit();
    await subscribeMany(kit.rt, 2, 'x', [], TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    const form = { text: '一段很长的通知，打字打了很久', tag: '', draft: draftOf((await c.get('/broadcast')).body) };
    await c.post('/broadcast/preview', form);
    kit.clock.now = new Date(TEST_NOW.getTime() + 13 * 3600_000);
    const late = await c.post('/broadcast/send', form);
    expect(late.statusCode).toBe(401);
    expect(late.headers['content-type']).toContain('text/html');
    expect(late.body).toContain('id="draft-kept"');
    expect(late.body).not.toContain('unauthorized');
    expect(await kit.rt.store.listBroadcasts(10)).toEqual([]);

    const token = await createSignInToken(kit.rt.store, 'console:staff1', kit.clock.now);
    await c.get(`/signin?token=${token}`);
    const back = await c.post('/signin', { token });
    expect(back.headers.location).toBe(`/broadcast?draft=${form.draft}`);
    const compose = await c.get(back.headers.location as string);
    expect(compose.body).toContain('一段很长的通知，打字打了很久</textarea>');
    expect(draftOf(compose.body)).toBe(form.draft);
    await c.post('/broadcast/preview', form);
    expect((await c.post('/broadcast/send', form)).statusCode).toBe(303);
    expect(await kit.rt.store.listBroadcasts(10)).toHaveLength(1);
  });
});

describe('sign-in behind a proxy', () => {
  const attempt = (k: ConsoleKit, client: string, token = 'abcdefghijklmnop') =>
    k.app.inject({ method: 'GET', url: `/signin?token=${token}`, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': client } });

  it('with WEB_TRUST_PROXY the limit counts the real client: one stranger does not lock out staff', async () => {
    kit = await consoleKit({ signInPerMinute: 3, env: { WEB_TRUST_PROXY: '127.0.0.1' } });
    const stranger = [];
    for (let i = 0; i < 4; i++) stranger.push((await attempt(kit, '203.0.113.7')).statusCode);
    expect(stranger).toEqual([200, 200, 200, 429]);
    expect((await attempt(kit, '198.51.100.20')).statusCode).toBe(200);
  });

  it('without it, the proxy address is all the server sees (the header is not believed)', async () => {
    kit = await consoleKit({ signInPerMinute: 3 });
    for (let i = 0; i < 3; i++) await attempt(kit, `203.0.113.${i}`);
    expect((await attempt(kit, '198.51.100.20')).statusCode).toBe(429);
  });

  it('limits the attempts on one link token, whatever the address', async () => {
    kit = await consoleKit({ signInPerToken: 2, env: { WEB_TRUST_PROXY: 'loopback' } });
    const c = new Client(kit.app);
    await c.get('/signin?token=zzzzzzzzzzzzzzzz');
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await c.post('/signin', { token: 'zzzzzzzzzzzzzzzz' })).statusCode);
    expect(codes).toEqual([401, 401, 429]);
  });

  it('sets Secure cookies when the public URL is https', async () => {
    kit = await consoleKit({ env: { WEB_PUBLIC_URL: 'https://console.example.org' } });
    const c = new Client(kit.app);
    const token = await createSignInToken(kit.rt.store, 'console:staff1', TEST_NOW);
    const page = await c.get(`/signin?token=${token}`);
    expect(([] as string[]).concat(page.headers['set-cookie'] ?? []).find((h) => h.startsWith('pa_csrf='))).toMatch(/Secure/);
    const res = await c.post('/signin', { token });
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).find((h) => h.startsWith('pa_session='))).toMatch(/Secure/);
  });

  it('rejects a WEB_TRUST_PROXY that is not an address, a range, true or a number of hops, naming the variable', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    expect(() => loadConfig({ WEB_TRUST_PROXY: 'my proxy please' })).toThrow(/WEB_TRUST_PROXY/);
    expect(loadConfig({ WEB_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).WEB_TRUST_PROXY).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig({ WEB_TRUST_PROXY: '1' }).WEB_TRUST_PROXY).toBe(1);
  });
});

describe('awards page', () => {
  it('names the company when its chat gave its name ("我们公司叫…"), on the awards page and the overview; /forget removes it', async () => {
    kit = await consoleKit();
    const say = (chat: string, text: string) => kit!.rt.bot.handle({ channel: 'wechat', chat, user: chat, text, at: TEST_NOW });
    await say('wxid_named', '我们公司叫华艺卫浴有限公司');
    await say('wxid_named', '/award 2024-03-01');
    await say('wxid_plain', '/award 2024-05-01');
    const c = new Client(kit.app);
    await c.signIn(kit);
    const table = /<table id="awards">[\s\S]*?<\/table>/.exec((await c.get('/publicity')).body)![0];
    expect(table).toContain('华艺卫浴有限公司（微信联系人，编号 wxid_named）');
    expect(table).toContain('微信联系人（编号 wxid_plain）');
    expect((await c.get('/')).body).toContain('华艺卫浴有限公司（微信联系人，编号 wxid_named）：2024年3月1日获奖');
    // Removing one of its registrations is recorded with the company's name.
    await say('wxid_named', '/award 2023-06-01');
    const older = /<tr><td class="company">华艺卫浴有限公司（微信联系人，编号 wxid_named）<\/td><td>[^<]*<\/td><td>2023年6月1日[\s\S]*?name="id" value="(\d+)"/.exec((await c.get('/publicity')).body)![1];
    expect((await c.post('/awards/remove', { id: older })).statusCode).toBe(303);
    expect((await c.get('/audit')).body).toContain(`获奖登记 #${older}：华艺卫浴有限公司（微信联系人，编号 wxid_named）`);
    await say('wxid_named', '/forget');
    const after = (await c.get('/publicity')).body;
    expect(after).not.toContain('华艺卫浴');
    expect(after).toContain('微信联系人（编号 wxid_named）');
  });

  it('shows company, award name, expiry and next reminder; staff remove one, with an audit entry, and its reminders stop', async () => {
    kit = await consoleKit();
    await kit.rt.bot.handle({ channel: 'telegram', chat: '777', user: '777', text: '/award 2024-03-01', at: TEST_NOW });
    const c = new Client(kit.app);
    await c.signIn(kit);
    const page = await c.get('/publicity');
    const row = /<table id="awards">[\s\S]*?<\/table>/.exec(page.body)![0];
    expect(row).toContain('Telegram 用户（编号 777）');
    expect(row).toContain('开平市水暖卫浴产品质量优秀奖');
    expect(row).toContain('2027年2月28日');
    expect(row).toContain('2026年11月30日');
    const id = /name="id" value="(\d+)"/.exec(row)![1];
    const removed = await c.post('/awards/remove', { id });
    expect(removed.headers.location).toBe(`/publicity?removed=${id}`);
    expect((await c.get('/publicity')).body).not.toContain('<table id="awards">');
    const audit = await c.get('/audit');
    expect(audit.body).toContain('删除获奖登记');
    expect(audit.body).toContain('Telegram 用户（编号 777）');
    expect(await kit.rt.store.listAwards('telegram', '777')).toEqual([]);
    expect((await c.post('/awards/remove', { id })).statusCode).toBe(404);
  });
});
