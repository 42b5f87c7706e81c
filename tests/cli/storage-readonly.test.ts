import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-cli.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { canRunAsNobody, ChatProcess, say } from '../storage/fault-kit.ts';

const nobody = canRunAsNobody();
if ('skip' in nobody) console.warn(`[storage-readonly] SKIPPED the read-only test: ${nobody.skip}`);

/** A directory anyone may write, as a bot's data directory would be for its own user. */
function openDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ro-db-'));
  chmodSync(dir, 0o777);
  return dir;
}

/** Whether `nobody` can read `file` (every directory above it included). */
function nobodyCanRead(file: string): boolean {
  return spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'test', '-r', file]).status === 0;
}

/**
 * A checkout `nobody` can run the CLI from. The checkout itself when it can; otherwise (a clone under /root, or under
 * `mktemp -d`, which only root may enter) a copy of the program in a readable temporary directory, whose
 * node_modules is the shared install when `nobody` can read that, or else a hard-linked (or, across file systems,
 * copied) tree of it.
 */
function readableCheckout(): { root: string; cleanup: () => void } {
  if (nobodyCanRead(join(ROOT, 'src', 'cli.ts')) && nobodyCanRead(join(ROOT, 'node_modules', 'tsx', 'package.json'))) return { root: ROOT, cleanup: () => undefined };
  const root = mkdtempSync(join(tmpdir(), 'ro-checkout-'));
  chmodSync(root, 0o755);
  for (const part of ['package.json', 'tsconfig.json', 'src', 'data', 'intents']) cpSync(join(ROOT, part), join(root, part), { recursive: true });
  const modules = realpathSync(join(ROOT, 'node_modules'));
  if (nobodyCanRead(join(modules, 'tsx', 'package.json'))) symlinkSync(modules, join(root, 'node_modules'));
  else if (spawnSync('cp', ['-al', modules, join(root, 'node_modules')]).status !== 0) cpSync(modules, join(root, 'node_modules'), { recursive: true });
  spawnSync('chmod', ['-R', 'a+rX', root]);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

describe('a database the bot cannot write', () => {
  it.skipIf('skip' in nobody)('read-only file (a non-root user, mode 444): start-up exits at once, non-zero, naming the file and the cause', async () => {
    const dir = openDir();
    const db = join(dir, 'bot.db');
    const store = await SqliteStore.open(db);
    await store.subscribe('console', 'a', [], new Date('2026-03-01T00:00:00Z'));
    await store.close();
    chownSync(db, 65534, 65534);
    chmodSync(db, 0o444);
    const checkout = readableCheckout();
    const started = Date.now();
    const bot = new ChatProcess(db, { asNobody: true, root: checkout.root });
    const code = await bot.close(15_000).finally(checkout.cleanup);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(bot.stderr).toContain(db);
    expect(bot.stderr).toMatch(/SQLITE_READONLY|readonly/);
    expect(bot.all).toEqual([]);
  }, 30_000);

  it('a file that is not a database: start-up exits at once, non-zero, naming the file and the cause', async () => {
    const db = join(openDir(), 'bot.db');
    writeFileSync(db, 'this is not an SQLite database, just text that someone saved over it'.repeat(100));
    const bot = new ChatProcess(db);
    // Input is waiting, but the bot must not read it.
    const line = bot.send(say('a', '优秀奖奖金多少', '2026-03-01'), 15_000).catch((e: Error) => e);
    const code = await bot.close(15_000);
    expect(code).toBe(1);
    expect(await line).toBeInstanceOf(Error);
    expect(bot.stderr).toContain(db);
    expect(bot.stderr).toMatch(/SQLITE_NOTADB|not a database/);
  }, 30_000);
});
