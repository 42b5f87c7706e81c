import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, consoleKit, type ConsoleKit } from '../web/console-kit.ts';
import { ROOT } from '../helpers/run-cli.ts';
import { Bot } from '../../src/core/bot.ts';
import { loadAwards } from '../../src/dialogue/award-loader.ts';
import { cancelIfOptedOut } from '../../src/web/match-db.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/awards');
const AT = new Date('2026-11-22T10:00:00+08:00');

let kit: ConsoleKit;
let awardsDir = '';
const savedEnv = process.env.AWARDS_DIR;

/** One message from a chat of the console channel, through the real bot and SQLite store. */
async function say(chat: string, text: string) {
  return kit.rt.bot.handle({ channel: 'console', chat, user: chat, text, at: AT });
}

const HANGZHOU_FIT = '我们在杭州注册5年了，是独立法人，亩均效益A档，近3年没有发生过事故，没有被列入失信名单';

beforeAll(async () => {
  // Kaiping and Zhengzhou are loaded; the Hangzhou-shaped award is the new rules file dropped in later.
  awardsDir = join(mkdtempSync(join(tmpdir(), 'match-notice-')), 'awards');
  mkdirSync(awardsDir);
  cpSync(join(ROOT, 'data/awards/kaiping-excellence.json'), join(awardsDir, 'kaiping-excellence.json'));
  cpSync(join(FIXTURE, 'zhengzhou-mayor-quality.json'), join(awardsDir, 'zhengzhou-mayor-quality.json'));
  process.env.AWARDS_DIR = awardsDir;
  kit = await consoleKit();
  kit.clock.now = AT;
  // fit: subscribed, its profile meets every deciding criterion of the new award.
  await say('fit', '/subscribe');
  await say('fit', HANGZHOU_FIT);
  // near: subscribed, one answer (the 亩均效益 grade) away.
  await say('near', '/subscribe');
  await say('near', '我们在杭州注册8年了，是独立法人，近3年没有发生过事故，没有被列入失信名单');
  // optout: would fit, but turned match notices off (other notices stay on).
  await say('optout', '/subscribe');
  await say('optout', HANGZHOU_FIT);
  await say('optout', '/unsubscribe 匹配');
  // gone: would fit, but unsubscribed from every notice.
  await say('gone', '/subscribe');
  await say('gone', HANGZHOU_FIT);
  await say('gone', '/unsubscribe');
  // never: would fit, never subscribed.
  await say('never', HANGZHOU_FIT);
  // elsewhere: subscribed, registered in Zhengzhou, so the Hangzhou award does not fit.
  await say('elsewhere', '/subscribe');
  await say('elsewhere', '我们在郑州注册10年了，是独立法人，没有发生过事故');
  // blank: subscribed, never said anything about the company.
  await say('blank', '/subscribe');
}, 120_000);

afterAll(async () => {
  await kit?.close();
  if (savedEnv === undefined) delete process.env.AWARDS_DIR;
  else process.env.AWARDS_DIR = savedEnv;
});

const matchNotices = () => kit.channel.sent.filter((m) => (m.data as { matchNotice?: unknown } | undefined)?.matchNotice);

describe('a new rules file reaches exactly the subscribers it may fit, once, after staff confirm', () => {
  it('the profiles were saved from plain sentences, and opting out of match notices keeps the subscription', async () => {
    const [profile] = await say('fit', '/profile');
    expect(profile.data?.profile).toMatchObject({ place: '杭州', yearsRegistered: 5, independentLegalPerson: true, majorAccident: false, seriousDishonesty: false });
    expect((await kit.rt.store.getSubscriber('console', 'optout'))?.active).toBe(true);
  });

  it('shows nothing for the awards already loaded, and "N 家可能符合" (eligible or one answer away) with a preview once the file is dropped in; nothing is sent before confirming', async () => {
    const c = new Client(kit.app);
    await c.signIn(kit);
    const before = await c.get('/matches');
    expect(before.statusCode).toBe(200);
    expect(before.body).not.toContain('杭州市政府质量奖');
    cpSync(join(FIXTURE, 'hangzhou-gov-quality.json'), join(awardsDir, 'hangzhou-gov-quality.json'));
    const page = await c.get('/matches');
    expect(page.body).toContain('杭州市政府质量奖');
    expect(page.body).toContain('2 家可能符合');
    expect(page.body).toContain('console:fit');
    expect(page.body).toContain('console:near');
    for (const chat of ['optout', 'gone', 'never', 'elsewhere', 'blank']) expect(page.body).not.toContain(`console:${chat}（`);
    await kit.rt.runDue(AT);
    expect(matchNotices()).toEqual([]);
  });

  it('after the confirm (clicked twice), the two subscribers get one notice each, cited, with the way to opt out', async () => {
    const c = new Client(kit.app);
    await c.signIn(kit);
    const page = await c.get('/matches');
    const version = versionOn(page.body);
    const first = await c.post('/matches/send', { award: 'hangzhou-gov-quality', version });
    expect(first.body).toContain('已排队发送 2 条');
    const second = await c.post('/matches/send', { award: 'hangzhou-gov-quality', version });
    expect(second.body).toContain('已排队发送 0 条');
    await kit.rt.runDue(AT);
    await kit.rt.runDue(new Date(AT.getTime() + 60_000));
    const sent = matchNotices();
    expect(sent.map((m) => m.chat).sort()).toEqual(['fit', 'near']);
    for (const m of sent) {
      expect(m.text).toContain('杭州市政府质量奖');
      expect(m.text).toContain('征求意见稿');
      // The one question left is the award's own 亩均效益 grade, cited by its article.
      expect(m.text).toContain('亩均效益评价档次');
      expect(m.text).toContain('二、（二）');
      expect(m.text).toContain('/unsubscribe 匹配');
    }
    expect((await c.get('/matches')).body).toContain('0 家可能符合');
  });

  it('a changed rules file is a new version: after a restart that loads it, a subscriber who answered becomes eligible and is told once more, with the ceiling; one who unsubscribed before delivery is not', async () => {
    // The bot restarted after ingest: it now knows the Hangzhou award, and "fit" answers its one open question.
    const restarted = new Bot({ knowledge: kit.rt.bot.knowledge, store: kit.rt.store, staff: {}, awards: loadAwards(awardsDir) });
    const replies = await restarted.handle({ channel: 'console', chat: 'fit', user: 'fit', text: '/precheck 杭州市政府质量奖', at: AT });
    expect(replies.at(-1)?.data?.precheck).toMatchObject({ ask: 'mujunGrade' });
    const graded = await restarted.handle({ channel: 'console', chat: 'fit', user: 'fit', text: 'a档', at: AT });
    expect(graded.at(-1)?.data?.precheck).toMatchObject({ ask: 'excellenceScore' });
    const done = await restarted.handle({ channel: 'console', chat: 'fit', user: 'fit', text: '650分', at: AT });
    expect(done.at(-1)?.data?.precheck).toEqual({ eligible: true, failed: [], reward: null, award: 'hangzhou-gov-quality' });
    const file = join(awardsDir, 'hangzhou-gov-quality.json');
    const rules = JSON.parse(readFileSync(file, 'utf8'));
    rules.nextSteps.push('申报材料须加盖单位公章（三、（一））。');
    writeFileSync(file, JSON.stringify(rules, null, 2));
    const c = new Client(kit.app);
    await c.signIn(kit);
    const page = await c.get('/matches');
    expect(page.body).toContain('2 家可能符合');
    expect(page.body).toContain('console:fit（可能符合）');
    await c.post('/matches/send', { award: 'hangzhou-gov-quality', version: versionOn(page.body) });
    // "near" unsubscribes after the confirm, before delivery: its queued notice is dropped.
    await say('near', '/unsubscribe');
    await kit.rt.runDue(new Date(AT.getTime() + 120_000));
    const fit = matchNotices().filter((m) => m.chat === 'fit');
    expect(fit).toHaveLength(2);
    expect(fit[1].text).toContain('可能符合申报条件');
    expect(fit[1].text).toContain('最高60万元');
    expect(matchNotices().map((m) => m.chat).sort()).toEqual(['fit', 'fit', 'near']);
  });

  it('"/unsubscribe 匹配" after staff confirm cancels the match notice already queued for that chat; the subscription and other notices stay', async () => {
    const file = join(awardsDir, 'hangzhou-gov-quality.json');
    const rules = JSON.parse(readFileSync(file, 'utf8'));
    rules.nextSteps.push('逾期不予受理。');
    writeFileSync(file, JSON.stringify(rules, null, 2));
    const c = new Client(kit.app);
    await c.signIn(kit);
    const page = await c.get('/matches');
    expect(page.body).toContain('console:fit（可能符合）');
    const queued = await c.post('/matches/send', { award: 'hangzhou-gov-quality', version: versionOn(page.body) });
    expect(queued.body).toContain('已排队发送 1 条');
    const before = (await kit.rt.store.outboxCounts()).cancelled;
    const [off] = await say('fit', '/unsubscribe 匹配');
    expect(off.data).toMatchObject({ matchNotices: false });
    expect((await kit.rt.store.outboxCounts()).cancelled).toBe(before + 1);
    await kit.rt.runDue(new Date(AT.getTime() + 180_000));
    expect(matchNotices().filter((m) => m.chat === 'fit')).toHaveLength(2);
    expect((await kit.rt.store.getSubscriber('console', 'fit'))?.active).toBe(true);
    // The console no longer counts a chat that opted out.
    const after = (await c.get('/matches')).body;
    expect(after).toContain('0 家可能符合');
    expect(after).not.toContain('console:fit（');
  });

  it('an opt-out saved while staff were confirming (after the recipients were read) still stops the notice queued for that chat', async () => {
    const store = kit.rt.store;
    // The chat's opt-out is saved by another process between the read of the recipients and the queuing of its notice.
    await say('racer', '/subscribe');
    await say('racer', HANGZHOU_FIT);
    const saved = (await store.getChatState('console', 'racer')) as Record<string, unknown>;
    await store.saveChatState('console', 'racer', { ...saved, matchOptOut: true });
    await store.enqueue({ key: 'match:hangzhou-gov-quality:race:console:racer', kind: 'broadcast', channel: 'console', chat: 'racer', text: '提醒', dueAt: 0 }, AT);
    await store.enqueue({ key: 'match:hangzhou-gov-quality:race:console:elsewhere', kind: 'broadcast', channel: 'console', chat: 'elsewhere', text: '提醒', dueAt: 0 }, AT);
    expect(await cancelIfOptedOut(store, 'console', 'racer')).toBe(1);
    expect(await cancelIfOptedOut(store, 'console', 'elsewhere')).toBe(0);
    await kit.rt.runDue(new Date(AT.getTime() + 240_000));
    const got = kit.channel.sent.filter((m) => m.text === '提醒').map((m) => m.chat);
    expect(got).toEqual(['elsewhere']);
  });

  it('a rules file edited into something invalid is shown to staff by file and field, and its last good rules stay in use', async () => {
    const file = join(awardsDir, 'hangzhou-gov-quality.json');
    const good = readFileSync(file, 'utf8');
    const bad = JSON.parse(good);
    bad.criteria[1].type = 'maybe';
    writeFileSync(file, JSON.stringify(bad, null, 2));
    try {
      const c = new Client(kit.app);
      await c.signIn(kit);
      const body = (await c.get('/matches')).body;
      expect(body).toContain('id="rules-problems"');
      expect(body).toMatch(/hangzhou-gov-quality\.json: criteria\.1/);
      expect(body).toContain('杭州市政府质量奖');
      // The chats still pre-check the award under its last good rules.
      const [first] = await say('later', '/precheck 杭州市政府质量奖');
      expect(first.text).toContain('杭州市政府质量奖');
    } finally {
      writeFileSync(file, good);
    }
    const c = new Client(kit.app);
    await c.signIn(kit);
    expect((await c.get('/matches')).body).not.toContain('id="rules-problems"');
  });
});

/** The rules version the match page offers to confirm for the Hangzhou award. */
function versionOn(body: string): string {
  const v = /name="award" value="hangzhou-gov-quality"><input type="hidden" name="version" value="([0-9a-f]{12})"/.exec(body)?.[1];
  expect(v).toBeDefined();
  return v!;
}
