import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { backupDatabase, listBackups, restoreBackup, verifyBackup } from '../../src/storage/backup.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { tempDbPath } from '../scheduling/fixtures/test-kit.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('backups', () => {
  it('are written while the store is open, verified, and only the newest N kept', async () => {
    const t = tempDbPath('backup-');
    cleanups.push(t.cleanup);
    const store = await SqliteStore.open(t.path);
    cleanups.push(() => store.close());
    await store.subscribe('console', 'a', ['水口镇'], new Date('2026-03-01T00:00:00Z'));
    const base = Date.UTC(2026, 2, 1);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await backupDatabase(store, { keep: 3, now: base + i * 86_400_000 }));
    const kept = listBackups(t.path);
    expect(kept.map((b) => b.file)).toEqual(made.slice(2).reverse().map((b) => b.file));
    expect(existsSync(made[0].file)).toBe(false);
    for (const b of kept) expect(await verifyBackup(b.file)).toEqual({ ok: true, detail: 'ok' });
    expect(store.health().lastBackup).toEqual({ file: made[4].file, at: made[4].at });
  });

  it('a file that is not a sound backup is refused by restore, and the database is left as it was', async () => {
    const t = tempDbPath('backup-');
    cleanups.push(t.cleanup);
    await (await SqliteStore.open(t.path)).close();
    const bad = `${t.path}.bad`;
    writeFileSync(bad, 'garbage'.repeat(1000));
    expect((await verifyBackup(bad)).ok).toBe(false);
    await expect(restoreBackup(t.path, bad)).rejects.toThrow(/failed its check/);
    const store = await SqliteStore.open(t.path);
    expect(store.health().ok).toBe(true);
    await store.close();
  });
});
