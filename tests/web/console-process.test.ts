/** The console as processes: `cli staff-link` gives links only to configured staff; `npm start` serves on WEB_HOST:WEB_PORT, and nothing without WEB_PORT. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
      env: { ...process.env, DB_PATH: join(dir, 'bot.db'), CONSOLE_ADMIN_IDS: 'local', WEB_PORT: '', LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.stdin.end('/console\n');
    expect(await exited).toBe(0);
    expect(out).toContain('网页控制台没有开启');
    expect(out).not.toContain('token=');
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
