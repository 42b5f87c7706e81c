/**
 * `npm start` and `npm run cli` run a build compiled once (scripts/launch.mjs → dist/): on a checkout with no build it
 * is built first, an edited source is never run stale, and the built program answers exactly as the TypeScript
 * sources do.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.ts';

const AT = '2026-06-01T10:00:00+08:00';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the project as a fresh clone has it: sources and data, the shared packages, no dist/. */
function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'launch-'));
  dirs.push(dir);
  for (const f of ['src', 'scripts', 'data', 'intents', 'package.json']) cpSync(join(ROOT, f), join(dir, f), { recursive: true, filter: (p) => !p.endsWith('.bin') });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Runs the launcher in a checkout. */
function launch(dir: string, args: string[], input = '', env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['scripts/launch.mjs', ...args], { cwd: dir, input, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 120_000 });
}

describe('the compiled launcher', () => {
  it('builds a fresh checkout once, then answers exactly as the TypeScript sources do', async () => {
    const dir = freshCheckout();
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    const built = launch(dir, ['cli', 'ask', '--json', '--at', AT, '优秀奖奖金多少']);
    expect(built.status).toBe(0);
    expect(existsSync(join(dir, 'dist', 'cli.js'))).toBe(true);
    const fromSources = await runCli(['ask', '--json', '--at', AT, '优秀奖奖金多少']);
    expect(JSON.parse(built.stdout)).toEqual(JSON.parse(fromSources.stdout));
    // A second start runs the same build.
    const stamp = statSync(join(dir, 'dist', '.built')).mtimeMs;
    const again = launch(dir, ['cli', 'ask', '--json', '--at', AT, '优秀奖奖金多少']);
    expect(again.stdout).toBe(built.stdout);
    expect(statSync(join(dir, 'dist', '.built')).mtimeMs).toBe(stamp);
  }, 180_000);

  it('rebuilds when a source is newer than the build, so an edit is never run stale', () => {
    const dir = freshCheckout();
    expect(launch(dir, ['cli']).status).toBe(0);
    const cli = join(dir, 'src', 'cli.ts');
    writeFileSync(cli, readFileSync(cli, 'utf8').replace('cli ask [--json] [--at ISO]', 'cli ask [--json] [--at 时间（已改）]'));
    const later = new Date(Date.now() + 5_000);
    utimesSync(cli, later, later);
    const r = launch(dir, ['cli']);
    expect(r.stderr).toContain('时间（已改）');
  }, 180_000);

  it('three programs started at once on a stale build all answer, and the same', async () => {
    const dir = freshCheckout();
    const run = () =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const child = spawn(process.execPath, ['scripts/launch.mjs', 'cli', 'ask', '--json', '--at', AT, '优秀奖奖金多少'], { cwd: dir, env: { ...process.env, LOG_LEVEL: 'silent' } });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', (code) => done({ code, out }));
      });
    const results = await Promise.all([run(), run(), run()]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(new Set(results.map((r) => r.out)).size).toBe(1);
    expect(JSON.parse(results[0].out).found).toBe(true);
  }, 180_000);

  it('npm start from the build answers a question typed on the terminal', () => {
    const dir = freshCheckout();
    const r = launch(dir, ['main'], '优秀奖奖金多少\n', { DB_PATH: join(dir, 'bot.db'), TELEGRAM_BOT_TOKEN: '', WECHATY_PUPPET_SERVICE_TOKEN: '', WEB_PORT: '' });
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('政策助手：')).toBe(true);
    expect(r.stdout).toContain('3000元');
  }, 180_000);
});
