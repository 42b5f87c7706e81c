/** The console as processes: `cli staff-link` gives links only to configured staff; `npm start` serves on WEB_HOST:WEB_PORT, and nothing without WEB_PORT. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { redeemSignInToken } from '../../src/web/console-db.ts';
import { ROOT, runCli } from '../helpers/run-cli.ts';
import { freePort } from '../helpers/wait.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'staff-link-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('cli staff-link', () => {
  it('prints a one-use link for a configured staff ID, on WEB_PUBLIC_URL or WEB_HOST:WEB_PORT', async () => {
    const db = join(dir, 'bot.db');
    const r = await runCli(['staff-link', '111'], { env: { DB_PATH: db, TELEGRAM_ADMIN_IDS: '111,222', WEB_PORT: '9123', WEB_HOST: '127.0.0.2' } });
    expect(r.code).toBe(0);
    const m = /^http:\/\/127\.0\.0\.2:9123\/signin\?token=([\w-]{30,})\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    const pub = await runCli(['staff-link', 'telegram:222'], { env: { DB_PATH: db, TELEGRAM_ADMIN_IDS: '111,222', WEB_PUBLIC_URL: 'https://console.example.org/' } });
    expect(pub.stdout).toMatch(/^https:\/\/console\.example\.org\/signin\?token=/);
    const store = await SqliteStore.open(db);
    try {
      const now = new Date();
      expect(await redeemSignInToken(store, m![1], now)).toEqual({ staff: 'telegram:111' });
      expect(await redeemSignInToken(store, m![1], now)).toEqual({ refused: 'used' });
    } finally {
      await store.close();
    }
  });

  it('reads the same .env file as npm start, and says so when no console runs and no port is set', async () => {
    const envFile = join(dir, 'bot.env');
    writeFileSync(envFile, `DB_PATH=${join(dir, 'bot.db')}\nCONSOLE_ADMIN_IDS=staff1\nWEB_PORT=9124\n`);
    const r = await runCli(['staff-link', 'staff1'], { env: { ENV_FILE: envFile, CONSOLE_ADMIN_IDS: '', WEB_PORT: '', DB_PATH: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:9124\/signin\?token=/);
    const off = await runCli(['staff-link', 'staff1'], { env: { DB_PATH: join(dir, 'bot.db'), CONSOLE_ADMIN_IDS: 'staff1', WEB_PORT: '' } });
    expect(off.code).toBe(1);
    expect(off.stdout).toBe('');
    expect(off.stderr).toContain('没有找到正在运行的网页控制台');
  });

  it('refuses an ID that is not staff, and prints no link', async () => {
    const r = await runCli(['staff-link', '333'], { env: { DB_PATH: join(dir, 'bot.db'), TELEGRAM_ADMIN_IDS: '111' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('不是已配置的工作人员');
    const usage = await runCli(['staff-link'], { env: { DB_PATH: join(dir, 'bot.db') } });
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
  });
});

describe('npm start without WEB_PORT', () => {
  it('runs no console: /console says it is off', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DB_PATH: join(dir, 'bot.db'), CONSOLE_ADMIN_IDS: '', WEB_PORT: '', LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    // The person at the terminal is staff without configuring anything, and /myid works there too.
    child.stdin.end('/myid\n/console\n');
    expect(await exited).toBe(0);
    expect(out).toContain('您的用户 ID：local');
    expect(out).toContain('您已是工作人员');
    expect(out).toContain('网页控制台没有开启');
    expect(out).not.toContain('token=');
  });
});

describe('staff-link from another shell while npm start runs the console', () => {
  it('finds the running console\'s address and staff list in the database, without that shell\'s settings', async () => {
    const port = await freePort();
    const db = join(dir, 'bot.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DB_PATH: db, CONSOLE_ADMIN_IDS: 'staff1', WEB_PORT: String(port), LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      for (let i = 0; i < 150; i++) {
        const up = await fetch(`http://127.0.0.1:${port}/signin`).then((r) => r.ok, () => false);
        if (up) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      let link = await runCli(['staff-link', 'staff1'], { env: { DB_PATH: db, CONSOLE_ADMIN_IDS: '', WEB_PORT: '' } });
      // The console records itself right after it starts listening.
      for (let i = 0; i < 20 && link.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        link = await runCli(['staff-link', 'staff1'], { env: { DB_PATH: db, CONSOLE_ADMIN_IDS: '', WEB_PORT: '' } });
      }
      expect(link.code, link.stderr).toBe(0);
      const url = link.stdout.trim();
      expect(url.startsWith(`http://127.0.0.1:${port}/signin?token=`)).toBe(true);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('确认登录');
      // Someone who is not staff still gets nothing.
      const stranger = await runCli(['staff-link', 'nobody-here'], { env: { DB_PATH: db } });
      expect(stranger.code).toBe(1);
      expect(stranger.stdout).toBe('');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

describe('npm start with WEB_PORT and WEB_HOST', () => {
  it('listens on WEB_HOST:WEB_PORT only, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DB_PATH: join(dir, 'bot.db'), CONSOLE_ADMIN_IDS: 'staff1', WEB_PORT: String(port), WEB_HOST: '127.0.0.2', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      let status = 0;
      for (let i = 0; i < 150 && status === 0; i++) {
        status = await fetch(`http://127.0.0.2:${port}/`, { redirect: 'manual' }).then((r) => r.status, () => 0);
        if (status === 0) await new Promise((r) => setTimeout(r, 100));
      }
      // With no input (as under a service manager) it keeps serving; without a session the page redirects to sign-in.
      expect(status).toBe(303);
      await expect(fetch(`http://127.0.0.1:${port}/signin`)).rejects.toThrow();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
