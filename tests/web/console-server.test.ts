/** HTTP tests of every console route, refusals included, over a real runtime and SQLite file (fastify.inject). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSignInToken } from '../../src/web/console-db.ts';
import { Client, consoleKit, subscribeMany, TEST_NOW, type ConsoleKit } from './console-kit.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const NEW_DOC_QUESTION = '示例市陶瓷洁具质量奖多久评选一次';

let kit: ConsoleKit;
beforeEach(async () => {
  kit = await consoleKit();
});
afterEach(async () => {
  await kit.close();
});

/** Every page and API of the console, for the refusal checks. */
const PAGES = ['/', '/broadcast', '/broadcast/1', '/publicity', '/unanswered', '/documents', '/audit', '/no-such-page'];
const APIS = ['/api/overview', '/api/reach?tag=x', '/api/broadcasts/1', '/api/broadcasts/1/events', '/api/unanswered', '/api/documents', '/api/audit'];
const POSTS = ['/logout', '/broadcast/preview', '/broadcast/send', '/broadcast/1/cancel', '/publicity/preview', '/publicity/send', '/awards/remove', '/unanswered/handled', '/documents/upload', '/documents/remove'];

describe('without a session', () => {
  it('redirects every page to the sign-in page, which shows no data', async () => {
    await subscribeMany(kit.rt, 2, 'secret-chat-', ['水口镇'], TEST_NOW);
    const c = new Client(kit.app);
    for (const url of PAGES) {
      const res = await c.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe('/signin');
      expect(res.body).not.toContain('secret-chat');
    }
    const signin = await c.get('/signin');
    expect(signin.statusCode).toBe(200);
    expect(signin.body).toContain('/console');
    expect(signin.body).not.toContain('水口镇');
    expect(signin.body).not.toContain('<nav><span class="brand">政策助手 · 工作人员控制台</span><a');
  });

  it('answers 401 to every API and every form post, and changes nothing', async () => {
    await subscribeMany(kit.rt, 2, 'c', ['水口镇'], TEST_NOW);
    const c = new Client(kit.app);
    await c.get('/signin?token=whatever');
    for (const url of APIS) expect((await c.get(url)).statusCode, url).toBe(401);
    for (const url of POSTS) expect((await c.post(url, { text: 'x', tag: '', starts: '2026-03-02', file: 'a.txt', wordings: '["x"]' })).statusCode, url).toBe(401);
    expect(await kit.rt.store.listBroadcasts(10)).toEqual([]);
    expect(readdirSync(join(kit.dataDir, 'policies')).filter((f) => f.endsWith('.txt'))).toHaveLength(5);
  });

  it('serves the stylesheet and script to anyone', async () => {
    const c = new Client(kit.app);
    const css = await c.get('/assets/console.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect((await c.get('/assets/console.js')).statusCode).toBe(200);
    expect((await c.get('/assets/nope.js')).statusCode).toBe(404);
  });
});

describe('sign-in', () => {
  it('uses a link once, sets an HttpOnly SameSite=Strict session cookie and records the sign-in', async () => {
    const c = new Client(kit.app);
    const token = await createSignInToken(kit.rt.store, 'console:staff1', TEST_NOW);
    const page = await c.get(`/signin?token=${token}`);
    expect(page.body).toContain('确认登录');
    const res = await c.post('/signin', { token });
    expect(res.statusCode).toBe(303);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((h) => h.startsWith('pa_session='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect((await c.get('/')).statusCode).toBe(200);

    const other = new Client(kit.app);
    await other.get(`/signin?token=${token}`);
    const again = await other.post('/signin', { token });
    expect(again.statusCode).toBe(401);
    expect(again.body).toContain('已经用过');
    expect((await other.get('/')).statusCode).toBe(303);

    const audit = await c.get('/audit');
    expect(audit.body).toContain('工作人员 staff1');
    expect(audit.body).not.toContain('console:staff1');
    expect(audit.body).toContain('登录');
    expect(audit.body).toContain('登录被拒绝');
    expect(audit.body).toContain('未登录的访客');
    expect(audit.body).toContain('登录链接已用过');
  });

  it('refuses an expired link, an unknown one and one for somebody no longer staff', async () => {
    const c = new Client(kit.app);
    const old = await createSignInToken(kit.rt.store, 'console:staff1', TEST_NOW);
    kit.clock.now = new Date(TEST_NOW.getTime() + 11 * 60_000);
    await c.get(`/signin?token=${old}`);
    const expired = await c.post('/signin', { token: old });
    expect(expired.statusCode).toBe(401);
    expect(expired.body).toContain('已过期');
    expect((await c.post('/signin', { token: 'not-a-real-token-at-all' })).statusCode).toBe(401);
    const gone = await createSignInToken(kit.rt.store, 'console:former', kit.clock.now);
    const r = await c.post('/signin', { token: gone });
    expect(r.statusCode).toBe(401);
    expect((await c.get('/')).statusCode).toBe(303);
  });

  it('rejects a sign-in post without the CSRF token', async () => {
    const c = new Client(kit.app);
    const token = await createSignInToken(kit.rt.store, 'console:staff1', TEST_NOW);
    await c.get(`/signin?token=${token}`);
    const res = await c.post('/signin', { token }, { csrf: false });
    expect(res.statusCode).toBe(403);
    // The token was not used up by the refused post.
    expect((await c.post('/signin', { token })).statusCode).toBe(303);
  });

  it('is rate-limited', async () => {
    const limited = await consoleKit({ signInPerMinute: 5 });
    try {
      const c = new Client(limited.app);
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await c.get('/signin?token=abcdefghijkl')).statusCode);
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(codes[6]).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('signs out: the session no longer works', async () => {
    const c = new Client(kit.app);
    await c.signIn(kit);
    await c.get('/');
    const sid = c.cookies.get('pa_session');
    expect((await c.post('/logout', {})).statusCode).toBe(303);
    const stale = new Client(kit.app);
    stale.cookies.set('pa_session', sid!);
    expect((await stale.get('/')).statusCode).toBe(303);
  });
});

describe('signed in', () => {
  it('refuses state-changing posts without a valid CSRF token', async () => {
    const c = new Client(kit.app);
    await c.signIn(kit);
    await c.get('/broadcast');
    for (const url of POSTS.filter((u) => u !== '/documents/upload')) {
      expect((await c.post(url, { text: '通知', tag: '', starts: '2026-03-02' }, { csrf: false })).statusCode, url).toBe(403);
      expect((await c.post(url, { text: '通知', tag: '', starts: '2026-03-02' }, { csrf: 'forged-token' })).statusCode, url).toBe(403);
    }
    expect((await c.upload('/documents/upload', 'x.txt', fixture('good-policy.txt'), { csrf: false })).statusCode).toBe(403);
    expect(await kit.rt.store.listBroadcasts(10)).toEqual([]);
  });

  it('overview: subscribers by channel and tag, deliveries, reminders and document validity', async () => {
    await subscribeMany(kit.rt, 3, 'sk', ['水口镇'], TEST_NOW);
    await subscribeMany(kit.rt, 2, 'ls', ['龙山'], TEST_NOW);
    await kit.rt.bot.handle({ channel: 'console', chat: 'firm', user: 'firm', text: '/award 2024-03-01', at: TEST_NOW });
    const c = new Client(kit.app);
    await c.signIn(kit);
    const page = await c.get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('水口镇</td><td>3');
    expect(page.body).toContain('终端</td><td>5');
    expect(page.body).toContain('获奖到期');
    expect(page.body).toMatch(/已失效（有效期至2021年9月30日）/);
    const api = (await c.get('/api/overview')).json();
    expect(api.subscribers.total).toBe(5);
    expect(api.subscribers.byTag).toContainEqual({ tag: '龙山', n: 2 });
    expect(api.reminders[0].kind).toBe('award');
    expect(api.documents.length).toBeGreaterThanOrEqual(5);
    const docs = (await c.get('/api/documents')).json() as { title: string; file: string }[];
    expect(docs.map((d) => d.title)).toContain('开平市水暖卫浴产品质量优秀奖评审管理办法');
    const audit = (await c.get('/api/audit')).json() as { staff: string; action: string }[];
    expect(audit[0]).toMatchObject({ staff: 'console:staff1', action: 'signin' });
    const missing = await c.get('/no-such-page');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('没有这个页面');
  });

  it('broadcast: preview with reach, sends once to the tagged subscribers only, progress, opt-outs respected', async () => {
    const tagged = await subscribeMany(kit.rt, 20, 'sk', ['水口镇'], TEST_NOW);
    await subscribeMany(kit.rt, 5, 'other', ['龙山'], TEST_NOW);
    await kit.rt.bot.handle({ channel: 'console', chat: 'sk20', user: 'sk20', text: '/unsubscribe', at: TEST_NOW });
    const c = new Client(kit.app);
    await c.signIn(kit);
    const compose = await c.get('/broadcast');
    expect(compose.body).toContain('标签“水口镇”（19 位）');
    expect((await c.get(`/api/reach?tag=${encodeURIComponent('水口镇')}`)).json()).toEqual({ tags: ['水口镇'], recipients: 19 });
    expect((await c.get('/api/reach')).json()).toEqual({ tags: [], recipients: 24 });

    const text = '申报材料请于3月20日前报送 <b>勿迟</b>';
    const preview = await c.post('/broadcast/preview', { text, tag: '水口镇' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('<strong id="reach">19</strong>');
    expect(preview.body).toContain('Telegram 中显示为');
    expect(preview.body).toContain('微信中显示为');
    expect(preview.body).toContain('&#60;b&#62;勿迟&#60;/b&#62;');
    expect(preview.body).not.toContain('<b>勿迟');
    const draft = /name="draft" value="([^"]+)"/.exec(preview.body)![1];

    const sent = await c.post('/broadcast/send', { text, tag: '水口镇', draft });
    expect(sent.statusCode).toBe(303);
    const id = /\/broadcast\/(\d+)$/.exec(sent.headers.location as string)![1];
    // Confirming the same draft again (a double click, a resent form) creates nothing new.
    const twice = await c.post('/broadcast/send', { text, tag: '水口镇', draft });
    expect(twice.headers.location).toBe(`/broadcast/${id}`);
    expect(await kit.rt.store.listBroadcasts(10)).toHaveLength(1);

    expect((await c.get(`/api/broadcasts/${id}`)).json()).toMatchObject({ recipients: 19, sent: 0, queued: 19, done: false });
    const progress = await c.get(`/broadcast/${id}`);
    expect(progress.body).toContain('正在发送');
    expect(progress.body).toContain('id="cancel"');

    await kit.rt.runDue(TEST_NOW);
    await kit.rt.runDue(TEST_NOW);
    const broadcastMessages = kit.channel.sent.filter((m) => m.data?.broadcast);
    expect(broadcastMessages.map((m) => m.chat).sort()).toEqual(tagged.slice(0, 19).sort());
    expect(broadcastMessages.every((m) => m.text === text)).toBe(true);
    expect((await c.get(`/api/broadcasts/${id}`)).json()).toMatchObject({ recipients: 19, sent: 19, queued: 0, failed: 0, done: true });
    expect((await c.get(`/broadcast/${id}`)).body).toContain('已全部处理完毕');
    // The sender's report reaches the console, not a chat.
    expect(kit.reports.reports()[0]?.text).toContain(`广播 #${id}`);

    const events = await c.get(`/api/broadcasts/${id}/events`);
    expect(events.headers['content-type']).toContain('text/event-stream');
    expect(events.body).toContain('"sent":19');
    expect(events.body).toContain('event: done');

    const audit = await c.get('/audit');
    expect(audit.body).toContain('群发通知');
    expect(audit.body).toContain(`群发 #${id}：标签 水口镇，19 位`);
  });

  it('broadcast to several tags reaches each subscriber carrying any of them once', async () => {
    const onlyA = await subscribeMany(kit.rt, 3, 'a', ['水口镇'], TEST_NOW);
    const onlyB = await subscribeMany(kit.rt, 2, 'b', ['龙山'], TEST_NOW);
    const both = await subscribeMany(kit.rt, 2, 'ab', ['水口镇', '龙山'], TEST_NOW);
    await subscribeMany(kit.rt, 4, 'n', ['月山'], TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    expect((await c.get(`/api/reach?tag=${encodeURIComponent('水口镇')}&tag=${encodeURIComponent('龙山')}`)).json()).toEqual({ tags: ['水口镇', '龙山'], recipients: 7 });
    await c.get('/broadcast');
    const preview = await c.post('/broadcast/preview', { text: '两镇企业请注意', tag: ['水口镇', '龙山'] });
    expect(preview.body).toContain('<strong id="reach">7</strong>');
    expect(preview.body).toContain('带有标签“水口镇”或“龙山”的订阅者');
    const draft = /name="draft" value="([^"]+)"/.exec(preview.body)![1];
    const id = /\/broadcast\/(\d+)$/.exec((await c.post('/broadcast/send', { text: '两镇企业请注意', tag: ['水口镇', '龙山'], draft })).headers.location as string)![1];
    await kit.rt.runDue(TEST_NOW);
    expect(kit.channel.sent.filter((m) => m.data?.broadcast).map((m) => m.chat).sort()).toEqual([...onlyA, ...onlyB, ...both].sort());
    expect((await c.get(`/api/broadcasts/${id}`)).json()).toMatchObject({ recipients: 7, sent: 7, done: true });
    // The chat command sees the console's broadcast too.
    const listed = await kit.rt.bot.handle({ channel: 'console', chat: 'staffchat', user: 'staff1', text: `/broadcasts ${id}`, at: TEST_NOW });
    expect(listed[0].text).toContain('已送达 7');
  });

  it('broadcast: rejects an empty or too long text, and an unknown broadcast is 404', async () => {
    const c = new Client(kit.app);
    await c.signIn(kit);
    await c.get('/broadcast');
    const empty = await c.post('/broadcast/preview', { text: '   ', tag: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('请填写通知内容');
    expect((await c.post('/broadcast/preview', { text: '长'.repeat(5000), tag: '' })).statusCode).toBe(400);
    expect((await c.post('/broadcast/send', { text: '通知', tag: '' })).statusCode).toBe(400);
    expect((await c.get('/broadcast/999')).statusCode).toBe(404);
    expect((await c.get('/api/broadcasts/999')).statusCode).toBe(404);
    expect((await c.get('/api/broadcasts/999/events')).statusCode).toBe(404);
    expect((await c.post('/broadcast/999/cancel', {})).statusCode).toBe(404);
  });

  it('broadcast: cancelling stops what is still queued', async () => {
    await subscribeMany(kit.rt, 4, 'sk', ['水口镇'], TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    const preview = await c.post('/broadcast/preview', { text: '临时通知', tag: '' });
    const draft = /name="draft" value="([^"]+)"/.exec(preview.body)![1];
    const id = /\/broadcast\/(\d+)$/.exec((await c.post('/broadcast/send', { text: '临时通知', tag: '', draft })).headers.location as string)![1];
    await c.get(`/broadcast/${id}`);
    expect((await c.post(`/broadcast/${id}/cancel`, {})).statusCode).toBe(303);
    await kit.rt.runDue(TEST_NOW);
    expect(kit.channel.sent.filter((m) => m.data?.broadcast)).toEqual([]);
    expect((await c.get(`/api/broadcasts/${id}`)).json()).toMatchObject({ recipients: 4, sent: 0, cancelled: 4, done: true });
    expect((await c.get('/audit')).body).toContain('取消 4 条尚未发送的消息');
    const page = await c.get(`/broadcast/${id}`);
    expect(page.body).toContain('已由工作人员取消');
    expect(page.body).not.toContain('退订');
  });

  it('publicity: announces a ten-day publicity to subscribers and lists awards with their reminders', async () => {
    await subscribeMany(kit.rt, 2, 'sk', [], TEST_NOW);
    await kit.rt.bot.handle({ channel: 'console', chat: 'firm', user: 'firm', text: '/award 2024-03-01', at: TEST_NOW });
    const c = new Client(kit.app);
    await c.signIn(kit);
    const form = await c.get('/publicity');
    const draft = /name="draft" value="([^"]+)"/.exec(form.body)![1];
    const bad = await c.post('/publicity/preview', { starts: '2026-02-30', title: '', draft });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('不存在');
    const past = await c.post('/publicity/preview', { starts: '2025-01-05', title: '', draft });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('已经结束');
    const preview = await c.post('/publicity/preview', { starts: '2026-03-02', title: '2025年度拟获奖企业名单 <i>x</i>', draft });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('2026年3月2日至2026年3月11日');
    expect(preview.body).toContain('<strong id="reach">2</strong>');
    expect(preview.body).toContain('&#60;i&#62;x');
    // Nothing is sent by the preview.
    await kit.rt.runDue(TEST_NOW);
    expect(kit.channel.sent.filter((m) => (m.data as { reminder?: unknown } | undefined)?.reminder)).toEqual([]);
    const sent = await c.post('/publicity/send', { starts: '2026-03-02', title: '2025年度拟获奖企业名单 <i>x</i>', draft });
    expect(sent.statusCode).toBe(303);
    const ok = await c.get(sent.headers.location as string);
    expect(ok.body).toContain('2026年3月2日至2026年3月11日');
    expect(ok.body).toContain('已向2位订阅者');
    expect(ok.body).toContain('&#60;i&#62;x');
    expect(ok.body).toContain('2024年3月1日');
    expect(ok.body).toContain('2027年2月28日');
    const again = await c.post('/publicity/preview', { starts: '2026-03-02', title: '2025年度拟获奖企业名单 <i>x</i>' });
    expect(again.body).toContain('已经发布过了');
    await kit.rt.runDue(TEST_NOW);
    expect(kit.channel.sent.filter((m) => (m.data as { reminder?: { kind?: string } } | undefined)?.reminder?.kind === 'publicity_start').map((m) => m.chat).sort()).toEqual(['sk1', 'sk2']);
    expect((await c.get('/audit')).body).toContain('发布公示');
  });

  it('unanswered: logs not-covered questions with channel, date and reply, groups wordings, escapes them, marks handled', async () => {
    const ask = (chat: string, text: string, at: Date) => kit.rt.bot.handle({ channel: 'console', chat, user: chat, text, at });
    await ask('a', '北京市有没有电梯维保补贴<script>alert(1)</script>', TEST_NOW);
    await ask('b', '请问北京市有没有电梯维保补贴？<script>alert(1)</script>', new Date(TEST_NOW.getTime() + 3600_000));
    await ask('c', '优秀奖奖金多少', TEST_NOW);
    const c = new Client(kit.app);
    await c.signIn(kit);
    const page = await c.get('/unanswered');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toContain('&#60;script&#62;alert(1)');
    expect(page.body).not.toContain('优秀奖奖金多少');
    const groups = (await c.get('/api/unanswered')).json() as { count: number; handled: boolean; channels: string[]; lastReply: string; lastAt: number; wordings: string[] }[];
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 2, handled: false, channels: ['console'], lastAt: TEST_NOW.getTime() + 3600_000 });
    expect(groups[0].lastReply).toContain('未收录');

    kit.clock.now = new Date(TEST_NOW.getTime() + 7200_000);
    expect((await c.post('/unanswered/handled', { wordings: JSON.stringify(groups[0].wordings) })).statusCode).toBe(303);
    expect(((await c.get('/api/unanswered')).json() as { handled: boolean }[])[0].handled).toBe(true);
    await ask('d', '北京市有没有电梯维保补贴', new Date(TEST_NOW.getTime() + 3 * 3600_000));
    expect(((await c.get('/api/unanswered')).json() as { handled: boolean; count: number }[])[0]).toMatchObject({ handled: false, count: 3 });
    expect((await c.post('/unanswered/handled', { wordings: 'not json' })).statusCode).toBe(400);
  });

  it('documents: a broken upload changes nothing and names the line or field; a good one is answered at once; removal', async () => {
    const c = new Client(kit.app);
    await c.signIn(kit);
    const before = kit.rt.bot.ask(NEW_DOC_QUESTION, TEST_NOW);
    expect(before.citations.some((x) => x.title.includes('示例市'))).toBe(false);
    const files = () => readdirSync(join(kit.dataDir, 'policies')).sort();
    const initial = files();
    const docCount = kit.rt.bot.knowledge.documents.length;
    await c.get('/documents');

    const field = await c.upload('/documents/upload', 'broken-field.txt', fixture('broken-field.txt'));
    expect(field.statusCode).toBe(422);
    expect(field.body).toContain('字段 <code>expires</code>');
    const line = await c.upload('/documents/upload', 'broken-line.txt', fixture('broken-line.txt'));
    expect(line.statusCode).toBe(422);
    expect(line.body).toContain('第 3 行');
    const notText = await c.upload('/documents/upload', 'picture.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(notText.statusCode).toBe(422);
    expect(notText.body).toContain('.txt');
    const binary = await c.upload('/documents/upload', 'binary.txt', Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    expect(binary.statusCode).toBe(422);
    expect(files()).toEqual(initial);
    expect(kit.rt.bot.knowledge.documents).toHaveLength(docCount);

    const good = await c.upload('/documents/upload', '示例市 陶瓷洁具办法.txt', fixture('good-policy.txt'));
    expect(good.statusCode).toBe(200);
    expect(good.body).toContain('已上传并启用');
    expect(files()).toContain('示例市_陶瓷洁具办法.txt');
    expect(kit.rt.bot.knowledge.documents).toHaveLength(docCount + 1);
    const replies = await kit.rt.bot.handle({ channel: 'console', chat: 'q', user: 'q', text: NEW_DOC_QUESTION, at: TEST_NOW });
    expect(replies[0].text).toContain('每两年评选一次');
    expect(replies[0].text).toContain('《示例市陶瓷洁具产品质量奖励办法》第四条');
    const tried = await c.get(`/documents?q=${encodeURIComponent(NEW_DOC_QUESTION)}`);
    expect(tried.body).toContain('每两年评选一次');
    const list = await c.get('/documents');
    expect(list.body).toContain('示例市陶瓷洁具产品质量奖励办法');
    expect(list.body).toContain('有效（至2030年3月31日）');
    const dup = await c.upload('/documents/upload', '示例市 陶瓷洁具办法.txt', fixture('good-policy.txt'));
    expect(dup.statusCode).toBe(422);
    expect(dup.body).toContain('同名文件');

    expect((await c.post('/documents/remove', { file: '示例市_陶瓷洁具办法.txt' })).statusCode).toBe(200);
    expect(readdirSync(join(kit.dataDir, 'removed')).some((f) => f.endsWith('示例市_陶瓷洁具办法.txt'))).toBe(true);
    expect(files()).toEqual(initial);
    const after = kit.rt.bot.ask(NEW_DOC_QUESTION, TEST_NOW);
    expect(after.citations.some((x) => x.title.includes('示例市'))).toBe(false);
    expect((await c.post('/documents/remove', { file: '../../etc/passwd' })).statusCode).toBe(422);

    const audit = (await c.get('/audit')).body;
    expect(audit).toContain('上传被拒绝');
    expect(audit).toContain('上传文件');
    expect(audit).toContain('删除文件');
  });
});

describe('/console in a chat', () => {
  it('gives staff a working one-time link and refuses everyone else', async () => {
    const staffReply = await kit.rt.bot.handle({ channel: 'telegram', chat: '42', user: '42', text: '/console', at: TEST_NOW });
    const url = /http:\/\/127\.0\.0\.1:8080(\/signin\?token=[\w-]+)/.exec(staffReply[0].text);
    expect(url).not.toBeNull();
    const c = new Client(kit.app);
    await c.get(url![1]);
    const token = new URL(`http://x${url![1]}`).searchParams.get('token')!;
    expect((await c.post('/signin', { token })).statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('Telegram 工作人员（编号 42）');

    const stranger = await kit.rt.bot.handle({ channel: 'telegram', chat: '7', user: '7', text: '/console', at: TEST_NOW });
    expect(stranger[0].text).toContain('没有使用权限');
    expect(stranger[0].text).not.toContain('token');
    const sameIdOtherChannel = await kit.rt.bot.handle({ channel: 'wechat', chat: '42', user: '42', text: '/console', at: TEST_NOW });
    expect(sameIdOtherChannel[0].text).toContain('没有使用权限');
  });

  it('says the console is off when WEB_PORT is not set', async () => {
    const off = await consoleKit({ env: { WEB_PORT: '' } });
    try {
      const r = await off.rt.bot.handle({ channel: 'console', chat: 'x', user: 'staff1', text: '/console', at: TEST_NOW });
      expect(r[0].text).toContain('没有开启');
    } finally {
      await off.close();
    }
  });
});
