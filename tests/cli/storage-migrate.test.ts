/** `cli migrate-store --from bot.db`: an association's SQLite file moved into PostgreSQL, and the bot carrying on there. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { askedSlot, last, runChat, tempDb } from '../helpers/chat.ts';
import { freshDatabase, noticeSkipped, pgAvailable, startCluster, type PgCluster } from '../helpers/pg-cluster.ts';
import { runCli } from '../helpers/run-cli.ts';
import { ChatProcess, say } from '../storage/fault-kit.ts';

noticeSkipped('tests/cli/storage-migrate.test.ts');

const AT = '2026-03-01T10:00:00+08:00';

describe('migrate-store', () => {
  it('explains its usage without DATABASE_URL, and names a missing file', async () => {
    const r = await runCli(['migrate-store', '--from', tempDb()], { env: { DATABASE_URL: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/migrate-store --from/);
    const missing = await runCli(['migrate-store', '--from', '/nonexistent/bot.db'], { env: { DATABASE_URL: 'postgres://u@127.0.0.1:1/db' } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such database file/);
  });
});

describe.skipIf(!pgAvailable())('migrate-store into PostgreSQL', () => {
  let cluster: PgCluster;
  const dirs: string[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('copies every row, keeps ids, refuses a second copy, and the bot carries on a pre-check begun on SQLite', async () => {
    const db = tempDb();
    // An enterprise starts a pre-check on the SQLite bot.
    const begun = await runChat([say('u1', '/precheck', AT)], { db });
    expect(askedSlot(last(begun.turns[0]))).toBe('plumbingProducts');
    const sqlite = await SqliteStore.open(db);
    await sqlite.subscribe('telegram', '42', ['水口镇'], new Date(AT));
    const award = (await sqlite.addAward({ channel: 'telegram', chat: '42', awardedOn: '2024-03-01', expires: '2027-02-28', nextReminderOn: '2026-12-01' }, new Date(AT))).award;
    const b = await sqlite.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: '通知' }, new Date(AT));
    await sqlite.close();

    const url = await freshDatabase(cluster);
    const journals = mkdtempSync(join(tmpdir(), 'migrate-'));
    dirs.push(journals);
    const env = { DATABASE_URL: url, SEND_JOURNAL_DIR: journals };
    const r = await runCli(['migrate-store', '--from', db], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"subscribers":1/);
    expect(r.stdout).toMatch(/"awards":1/);

    const pg = await PostgresStore.open(url, { journalDir: journals });
    expect(await pg.getSubscriber('telegram', '42')).toMatchObject({ tags: ['水口镇'], active: true });
    expect(await pg.listAwards('telegram', '42')).toEqual([award]);
    expect(await pg.getBroadcast(b.id)).toMatchObject({ recipients: 1, pending: 1 });
    // New rows get ids after the copied ones.
    const next = await pg.addAward({ channel: 'telegram', chat: '42', awardedOn: '2025-03-01', expires: '2028-02-29', nextReminderOn: null }, new Date(AT));
    expect(next.award.id).toBeGreaterThan(award.id);
    await pg.close();

    const again = await runCli(['migrate-store', '--from', db], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not empty/);

    // The same enterprise answers the next question on a PostgreSQL bot process.
    const p = new ChatProcess(join(journals, 'unused.db'), { env });
    const t = await p.send(say('u1', '是的，做水龙头', AT), 60_000);
    expect(askedSlot(last(t.msgs.filter((m) => m.chat === 'u1')))).toBe('registeredInKaiping');
    expect(await p.close()).toBe(0);
    expect(existsSync(join(journals, 'unused.db'))).toBe(false);
  }, 180_000);
});
