/**
 * The console as a person uses it: the real `npm start` process (console channel plus web console) and a real headless
 * Chromium (Debian's chromium, driven by playwright-core). Signs in through a `staff-link` URL, broadcasts to the 20
 * subscribers of one tag, watches progress reach 20/20, checks that exactly those 20 messages left through the
 * console channel, uploads a broken document and then a good one, and asks the bot about it.
 * With UPDATE_SCREENSHOTS=1 it also writes the README's screenshots to docs/screenshots/.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.ts';
import { freePort, waitFor } from '../helpers/wait.ts';
import { copyData } from './console-kit.ts';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : undefined;
const NOTICE = '请水口镇企业于3月20日前报送2025年度优秀奖申报材料。';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs the Debian chromium package`);

let dir: string;
let bot: ChildProcessWithoutNullStreams;
let stdout = '';
let context: BrowserContext;
let page: Page;
let base: string;

/** Lines the console channel printed for chats other than the terminal's own. */
function deliveredLines(): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('政策助手（发给 '));
}

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe.skipIf(!available)('the console in a real browser', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-browser-'));
    const dataDir = copyData(dir);
    const db = join(dir, 'bot.db');
    const env = { DB_PATH: db, POLICY_DATA_DIR: dataDir, CONSOLE_ADMIN_IDS: 'staff1' };
    // Twenty subscribers tagged 水口镇, five others, one who opted out again, and an award long expired (its last
    // reminder goes out while seeding, so nothing else is due whatever today's date): through the real CLI, as chats would.
    const lines: string[] = [];
    for (let i = 1; i <= 20; i++) lines.push(JSON.stringify({ chat: `sk${i}`, user: `sk${i}`, text: '/subscribe 水口镇', at: '2026-03-02T09:00:00+08:00' }));
    for (let i = 1; i <= 5; i++) lines.push(JSON.stringify({ chat: `ls${i}`, user: `ls${i}`, text: '/subscribe 龙山', at: '2026-03-02T09:00:00+08:00' }));
    lines.push(JSON.stringify({ chat: 'gone', user: 'gone', text: '/subscribe 水口镇', at: '2026-03-02T09:00:00+08:00' }));
    lines.push(JSON.stringify({ chat: 'gone', user: 'gone', text: '/unsubscribe', at: '2026-03-02T09:01:00+08:00' }));
    lines.push(JSON.stringify({ chat: 'firm', user: 'firm', text: '/award 2022-01-10', at: '2026-03-02T09:02:00+08:00' }));
    lines.push(JSON.stringify({ chat: 'asker', user: 'asker', text: '北京市有没有电梯维保补贴<script>alert(1)</script>', at: '2026-03-02T09:05:00+08:00' }));
    const seeded = await runCli(['chat', '--jsonl'], { input: `${lines.join('\n')}\n`, env });
    expect(seeded.code).toBe(0);

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...process.env, ...env, WEB_PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
    bot.stdout.on('data', (d) => (stdout += d));
    let stderr = '';
    bot.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/signin`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 200 || bot.exitCode !== null) throw new Error(`console did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const profile = join(dir, 'profile');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
      locale: 'zh-CN',
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (bot && bot.exitCode === null) {
      const exited = new Promise((r) => bot.once('exit', r));
      bot.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (bot.exitCode === null) bot.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, broadcasts to one tag and watches it finish, uploads documents and the bot answers from the new one', async () => {
    // Without a session: the sign-in page, no data.
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(await page.content()).not.toContain('水口镇');

    const link = await runCli(['staff-link', 'staff1'], { env: { DB_PATH: join(dir, 'bot.db'), CONSOLE_ADMIN_IDS: 'staff1', WEB_PORT: new URL(base).port } });
    expect(link.code).toBe(0);
    const url = link.stdout.trim();
    expect(url.startsWith(`${base}/signin?token=`)).toBe(true);
    await page.goto(url);
    await page.click('#signin');
    await page.waitForURL(`${base}/`);
    expect(await page.textContent('#subscribers-total')).toBe('25');

    // Compose, see the reach and both previews, confirm.
    await page.click('nav >> text=群发通知');
    await page.fill('#text', NOTICE);
    await page.check('input[name=tag][value="水口镇"]');
    await page.locator('#reach-live', { hasText: '将发送给 20 位' }).waitFor();
    await shot('broadcast-compose');
    await page.click('#preview');
    expect(await page.textContent('#reach')).toBe('20');
    expect(await page.locator('.telegram .bubble').textContent()).toBe(NOTICE);
    expect(await page.locator('.wechat .bubble').textContent()).toBe(NOTICE);
    await shot('broadcast-preview');
    await page.click('#confirm');
    await page.waitForURL(/\/broadcast\/\d+$/);
    // Progress comes over server-sent events; wait for 20/20.
    await page.locator('#status', { hasText: '已全部处理完毕' }).waitFor({ timeout: 20_000 });
    expect(await page.textContent('#sent')).toBe('20');
    expect(await page.textContent('#recipients')).toBe('20');
    expect(await page.textContent('#failed')).toBe('0');
    await shot('broadcast-progress');
    // Exactly the 20 tagged subscribers got it through the console channel, once each, and nobody else got anything.
    await waitFor(() => (deliveredLines().length >= 20 ? true : undefined), 10_000, '20 deliveries on stdout');
    await new Promise((r) => setTimeout(r, 300));
    const delivered = deliveredLines();
    expect(delivered).toHaveLength(20);
    expect(delivered.map((l) => /发给 (\S+)）/.exec(l)![1]).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `sk${i + 1}`).sort());
    expect(delivered.every((l) => l.endsWith(`：${NOTICE}`))).toBe(true);

    // The question the bot could not answer shows as text, never as markup.
    await page.click('nav >> text=未答问题');
    expect(await page.locator('#unanswered tbody tr').count()).toBe(1);
    expect(await page.locator('#unanswered strong').first().textContent()).toContain('<script>alert(1)</script>');
    await shot('unanswered');

    // A broken document is refused with its line; nothing changes.
    await page.click('nav >> text=政策文件');
    const before = await page.locator('#documents tbody tr').count();
    await page.setInputFiles('#file', join(FIXTURES, 'broken-line.txt'));
    await page.click('#upload-button');
    await page.waitForSelector('#notice.error');
    expect(await page.textContent('#notice')).toContain('第 3 行');
    expect(await page.locator('#documents tbody tr').count()).toBe(before);
    await shot('documents-error');
    // A good one is ingested and served at once.
    await page.setInputFiles('#file', join(FIXTURES, 'good-policy.txt'));
    await page.click('#upload-button');
    await page.waitForSelector('#notice.ok');
    expect(await page.locator('#documents tbody tr').count()).toBe(before + 1);
    expect(await page.textContent('#documents')).toContain('示例市陶瓷洁具产品质量奖励办法');
    await shot('documents');

    const mark = stdout.length;
    bot.stdin.write('示例市陶瓷洁具质量奖多久评选一次\n');
    await waitFor(() => (stdout.slice(mark).includes('《示例市陶瓷洁具产品质量奖励办法》第四条') ? true : undefined), 10_000, 'the answer from the new document');
    expect(stdout.slice(mark)).toContain('每两年评选一次');

    await page.click('nav >> text=操作记录');
    const audit = await page.textContent('#audit');
    expect(audit).toContain('工作人员 staff1');
    expect(audit).not.toContain('console:staff1');
    expect(audit).toContain('群发通知');
    expect(audit).toContain('上传被拒绝');
    expect(audit).toContain('上传文件');
    await shot('audit');
    // Announce a publicity; the award registered in a chat is listed with its next reminder.
    await page.click('nav >> text=公示与获奖');
    await page.fill('#starts', '2099-03-01');
    await page.fill('#title', '2098年度优秀奖拟获奖企业名单公示');
    await page.click('#publicity-preview');
    await page.click('#publicity-confirm');
    await page.waitForURL(/\/publicity\?done=\d+$/);
    expect(await page.textContent('#notice')).toContain('2099年3月1日至2099年3月10日');
    expect(await page.textContent('main')).toContain('2022年1月10日');
    await shot('publicity');
    await page.click('nav >> text=概览');
    expect(await page.textContent('#deliveries')).toContain('已送达');
    await shot('overview');
  });
});
