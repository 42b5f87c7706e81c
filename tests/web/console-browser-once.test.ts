/**
 * The console as an office worker uses it, pressing Back and clicking twice, in a real headless Chromium against the
 * real `npm start` process (terminal channel plus web console; WeChat not connected): Back + Reload + confirm sends
 * once, a double click sends once, an untitled publicity needs a confirm, the report after a cancel adds up, a session
 * that ends while a notice is typed keeps the draft, the sign-in limit behind a proxy counts two client addresses
 * apart, and the overview, broadcast and documents pages fit a 390×844 phone.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { ROOT, runCli } from '../helpers/run-cli.ts';
import { freePort, waitFor } from '../helpers/wait.ts';
import { copyData } from './console-kit.ts';

const CHROMIUM = '/usr/bin/chromium';

/** The little of the browser's DOM these checks use (the project's TypeScript has no DOM library). */
interface FormLike {
  method: string;
  action: string;
  type: string;
  name: string;
  value: string;
  appendChild(c: unknown): void;
  submit(): void;
}
interface DocLike {
  createElement(tag: string): FormLike;
  body: { appendChild(c: unknown): void };
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<{ getBoundingClientRect(): { right: number } }>;
}

const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : undefined;
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs the Debian chromium package`);

let dir: string;
let db: string;
let bot: ChildProcessWithoutNullStreams;
let stdout = '';
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
const proxies: http.Server[] = [];

/** Messages the terminal channel delivered to other chats, with this text. */
function delivered(text: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('政策助手（发给 ') && l.endsWith(`：${text}`));
}

/** A reverse proxy on its own port that stamps every request with one client address, as a proxy for that client would. */
async function proxyFor(client: string, target: number): Promise<number> {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: { ...req.headers, 'x-forwarded-for': client } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  proxies.push(server);
  return port;
}

async function signIn(p: Page): Promise<void> {
  const link = await runCli(['staff-link', 'staff1'], { env: { DB_PATH: db } });
  expect(link.code, link.stderr).toBe(0);
  await p.goto(link.stdout.trim());
  await p.click('#signin');
  await p.waitForLoadState();
}

async function shot(p: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe.skipIf(!available)('the console in Chromium, as a person who presses Back and clicks twice', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-once-'));
    const dataDir = copyData(dir);
    db = join(dir, 'bot.db');
    const lines: string[] = [];
    for (let i = 1; i <= 10; i++) lines.push(JSON.stringify({ chat: `ys${i}`, user: `ys${i}`, text: '/subscribe 月山镇', at: '2026-03-02T09:00:00+08:00' }));
    const seeded = await runCli(['chat', '--jsonl', '--db', db], { input: `${lines.join('\n')}\n` });
    expect(seeded.code).toBe(0);
    // Three WeChat subscribers; WeChat is not connected in this run.
    const store = await SqliteStore.open(db);
    for (let i = 1; i <= 3; i++) await store.subscribe('wechat', `wx${i}`, ['微信'], new Date('2026-03-02T09:00:00+08:00'));
    await store.close();

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DB_PATH: db, POLICY_DATA_DIR: dataDir, CONSOLE_ADMIN_IDS: 'staff1', WEB_PORT: String(port), WEB_TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    bot.stdout.on('data', (d) => (stdout += d));
    let stderr = '';
    bot.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/signin`).then((r) => r.ok, () => false)) break;
      if (i > 200 || bot.exitCode !== null) throw new Error(`console did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    page = await context.newPage();
    await signIn(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    for (const p of proxies) p.close();
    if (bot && bot.exitCode === null) {
      const exited = new Promise((r) => bot.once('exit', r));
      bot.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (bot.exitCode === null) bot.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Back, Reload and 确认发送 again send the notice once, and show the first broadcast', async () => {
    const text = '月山镇企业请于本周五前报送年度材料。';
    await page.goto(`${base}/broadcast`);
    await page.fill('#text', text);
    await page.check('input[name=tag][value="月山镇"]');
    // What the browser will post again on Reload: the compose form's fields, its draft key included.
    const posted = await page.$$eval('#compose input[type=hidden], #compose textarea, #compose input[type=checkbox]:checked', (els) =>
      els.map((e) => [(e as unknown as FormLike).name, (e as unknown as FormLike).value] as [string, string]),
    );
    await page.click('#preview');
    expect(await page.textContent('#reach')).toBe('10');
    await page.click('#confirm');
    await page.waitForURL(/\/broadcast\/\d+$/);
    const progress = page.url();
    await waitFor(() => (delivered(text).length >= 10 ? true : undefined), 15_000, '10 deliveries');

    // Back: Chromium keeps no copy of the posted preview and shows its "confirm form resubmission" page.
    await page.goBack().catch((err: Error) => expect(err.message).toContain('ERR_CACHE_MISS'));
    await page.waitForURL((u) => u.href.startsWith('chrome-error:'));
    // Reload on that page posts the preview form again, exactly as it was (same fields, same draft key).
    await page.goto(`${base}/broadcast`);
    await page.evaluate((fields) => {
      const document = (globalThis as unknown as { document: DocLike }).document;
      const f = document.createElement('form');
      f.method = 'post';
      f.action = '/broadcast/preview';
      for (const [name, value] of fields) {
        const i = document.createElement('input');
        i.type = 'hidden';
        i.name = name;
        i.value = value;
        f.appendChild(i);
      }
      document.body.appendChild(f);
      f.submit();
    }, posted);
    // The re-posted preview leads to the broadcast already sent, not to a new 确认发送.
    await page.waitForURL(progress, { waitUntil: 'load' });
    await page.locator('#status', { hasText: '已全部处理完毕' }).waitFor({ timeout: 15_000 });
    // And the preview's 返回修改 link, followed later, also comes back to it.
    const key = posted.find(([n]) => n === 'draft')![1];
    await page.goto(`${base}/broadcast?draft=${key}`);
    expect(page.url()).toBe(progress);
    await new Promise((r) => setTimeout(r, 500));
    expect(delivered(text)).toHaveLength(10);
  });

  it('a double click on 确认发送 sends once', async () => {
    const text = '第二条：请核对企业联系人。';
    await page.goto(`${base}/broadcast`);
    await page.fill('#text', text);
    await page.check('input[name=tag][value="月山镇"]');
    await page.click('#preview');
    await page.dblclick('#confirm');
    await page.waitForURL(/\/broadcast\/\d+$/);
    await page.locator('#status', { hasText: '已全部处理完毕' }).waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(delivered(text)).toHaveLength(10);
  });

  it('a publicity without a title is previewed and sent only after 确认发布, once', async () => {
    await page.goto(`${base}/publicity`);
    await page.fill('#starts', '2099-03-01');
    await page.fill('#title', '');
    await page.click('#publicity-preview');
    await page.locator('#untitled-warning').waitFor();
    expect(await page.textContent('#pv-title')).toContain('开平市水暖卫浴产品质量优秀奖拟获奖企业名单公示');
    expect(await page.textContent('#reach')).toBe('13');
    await new Promise((r) => setTimeout(r, 500));
    expect(stdout).not.toContain('【公示通知】');
    await shot(page, 'publicity-preview');
    await page.dblclick('#publicity-confirm');
    await page.waitForURL(/\/publicity\?done=\d+$/);
    expect(await page.textContent('#notice')).toContain('2099年3月1日至2099年3月10日');
    await waitFor(() => (stdout.split('【公示通知】').length - 1 >= 10 ? true : undefined), 15_000, 'publicity notices');
    await new Promise((r) => setTimeout(r, 500));
    expect(stdout.split('【公示通知】').length - 1).toBe(10);
    // The same period again, with a title this time: refused.
    await page.goto(`${base}/publicity`);
    await page.fill('#starts', '2099-03-01');
    await page.fill('#title', '2098年度拟获奖企业名单');
    await page.click('#publicity-preview');
    expect(await page.textContent('#notice')).toContain('已经发布过了');
  });

  it('the report after a cancel adds up to the reach, with a reason for every count', async () => {
    const text = '全体企业：请更新联系方式。';
    await page.goto(`${base}/broadcast`);
    await page.fill('#text', text);
    await page.click('#preview');
    expect(await page.textContent('#reach')).toBe('13');
    await page.click('#confirm');
    await page.waitForURL(/\/broadcast\/\d+$/);
    await page.locator('#status', { hasText: '等待渠道连接' }).waitFor({ timeout: 15_000 });
    expect(await page.textContent('#report')).toContain('等待中：微信没有连接');
    await shot(page, 'broadcast-waiting');
    await page.click('#cancel');
    await page.locator('#status', { hasText: '已全部处理完毕' }).waitFor({ timeout: 15_000 });
    const report = await page.locator('#report li').allTextContents();
    expect(report.map((l) => l.replace(/\s+/g, ' ').trim())).toEqual(['已送达 10', '已由工作人员取消 3', '合计 13']);
    expect(await page.textContent('#recipients')).toBe('13');
    await shot(page, 'broadcast-cancelled');
    await page.goto(`${base}/`);
    const overview = (await page.textContent('main')) ?? '';
    expect(overview).toContain('已由工作人员取消');
    for (const raw of ['退订', 'lastCheck', 'at:', 'ok:', 'console:staff1', 'web:console', 'anonymous', '正在发送']) expect(overview, raw).not.toContain(raw);
    await page.goto(`${base}/audit`);
    const audit = (await page.textContent('#audit')) ?? '';
    expect(audit).toContain('工作人员 staff1');
    expect(audit).not.toMatch(/console:|anonymous|used/);
  });

  // (This test has hung a few times in CI, in a step not yet found; it is retried from a fresh sign-in with a text of its
  // own, so a retry can never count an earlier attempt's copies, and it still fails when every attempt fails.)
  let attempt = 0;
  it('a session that ends while a notice is typed keeps it; after signing in again the draft is back and goes out once', { retry: 2, timeout: 60_000 }, async () => {
    const text = `这是一段打了很久的通知，登录过期也不能丢。（第${++attempt}次）`;
    if (attempt > 1) await signIn(page);
    await page.goto(`${base}/broadcast`);
    await page.fill('#text', text);
    await page.check('input[name=tag][value="月山镇"]');
    await page.click('#preview');
    // The session ends meanwhile (signed out in another tab of the same browser).
    const other = await context.newPage();
    await other.goto(`${base}/`);
    await other.click('nav button:has-text("退出")');
    await other.close();
    await page.click('#confirm');
    await page.locator('#draft-kept').waitFor();
    expect(await page.textContent('body')).not.toContain('unauthorized');
    await shot(page, 'signed-out-draft');
    await new Promise((r) => setTimeout(r, 500));
    expect(delivered(text)).toHaveLength(0);
    await signIn(page);
    await page.waitForURL(/\/broadcast\?draft=/);
    expect(await page.inputValue('#text')).toBe(text);
    expect(await page.isChecked('input[name=tag][value="月山镇"]')).toBe(true);
    await page.click('#preview');
    await page.click('#confirm');
    await page.waitForURL(/\/broadcast\/\d+$/);
    await waitFor(() => (delivered(text).length >= 10 ? true : undefined), 15_000, 'the kept notice delivered');
    await new Promise((r) => setTimeout(r, 500));
    expect(delivered(text)).toHaveLength(10);
  });

  it('behind a proxy, one client hammering the sign-in page does not lock out another', async () => {
    const port = Number(new URL(base).port);
    const stranger = await browser.newContext();
    const staff = await browser.newContext();
    try {
      const viaA = `http://127.0.0.1:${await proxyFor('203.0.113.7', port)}`;
      const viaB = `http://127.0.0.1:${await proxyFor('198.51.100.20', port)}`;
      const s = await stranger.newPage();
      let last = 0;
      for (let i = 0; i < 12; i++) last = (await s.goto(`${viaA}/signin?token=guessing-${i}-xxxxxxxx`))!.status();
      expect(last).toBe(429);
      expect(await s.textContent('body')).toContain('尝试次数过多');
      const link = await runCli(['staff-link', 'staff1'], { env: { DB_PATH: db } });
      const b = await staff.newPage();
      const res = await b.goto(`${viaB}${new URL(link.stdout.trim()).pathname}${new URL(link.stdout.trim()).search}`);
      expect(res!.status()).toBe(200);
      await b.click('#signin');
      await b.waitForURL(`${viaB}/`);
      expect(await b.textContent('h1')).toBe('概览');
    } finally {
      await stranger.close();
      await staff.close();
    }
  });

  it('fits a 390×844 phone: overview, broadcast and documents', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const p = await phone.newPage();
      await signIn(p);
      for (const [path, name] of [['/', 'phone-overview'], ['/broadcast', 'phone-broadcast'], ['/documents', 'phone-documents']] as const) {
        await p.goto(`${base}${path}`);
        const width = await p.evaluate(() => (globalThis as unknown as { document: DocLike }).document.documentElement.scrollWidth);
        expect(width, path).toBeLessThanOrEqual(390);
        // Every button and field can be reached without scrolling sideways.
        const overflow = await p.evaluate(
          () => Array.from((globalThis as unknown as { document: DocLike }).document.querySelectorAll('button, textarea, input:not([type=hidden])')).filter((e) => e.getBoundingClientRect().right > 392).length,
        );
        expect(overflow, path).toBe(0);
        await shot(p, name);
      }
    } finally {
      await phone.close();
    }
  });
});
