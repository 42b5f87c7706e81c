import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { awardExpires, awardStages, firstReminderOn } from '../../src/scheduling/reminders.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { tempDb } from '../helpers/chat.ts';
import { rawExec } from '../scheduling/fixtures/test-kit.ts';
import { ChatProcess, say, tick } from '../storage/fault-kit.ts';

const RACES = 20;
const PER_RACE = 5;
const AWARDED_ON = '2024-03-01';

describe('two processes on one database', () => {
  it(`tick the same due reminders in ${RACES} races (a restarted one racing the old one and the other): each reminder arrives exactly once`, async () => {
    const db = tempDb();
    await (await SqliteStore.open(db)).close();
    const expires = awardExpires(AWARDED_ON);
    const due = firstReminderOn(awardStages(expires))!;
    let procs = [new ChatProcess(db), new ChatProcess(db)];
    const everyone: ChatProcess[] = [...procs];
    // Both answer questions, whichever of them delivers.
    for (const p of procs) expect((await p.send(say('q', '优秀奖奖金多少', `${due}T08:00:00`))).msgs[0].data?.answer?.found).toBe(true);
    for (let race = 0; race < RACES; race++) {
      // A restarted bot while the old one still runs: one of the two is replaced in every race, and the old one
      // ticks too before it stops, so the fresh process races a live one that may be mid-delivery.
      const old = procs[race % 2];
      const fresh = new ChatProcess(db);
      everyone.push(fresh);
      procs[race % 2] = fresh;
      const chats = Array.from({ length: PER_RACE }, (_, i) => `ent${race}-${i}`);
      await rawExec(
        db,
        'INSERT INTO awards (channel, chat, awarded_on, expires, next_reminder_on, last_kind, created_at) VALUES (?, ?, ?, ?, ?, NULL, 0)',
        chats.map((c) => ['console', c, AWARDED_ON, expires, due]),
      );
      const turns = await Promise.all([...procs, old].map((p) => p.send(tick(`${due}T09:00:00`))));
      for (const t of turns) expect(t.ack.data).toBeUndefined();
      expect(await old.close()).toBe(0);
    }
    for (const p of procs) expect(await p.close()).toBe(0);
    const copies = new Map<string, number>();
    for (const p of everyone) for (const m of p.all) if (m.data?.reminder) copies.set(m.chat, (copies.get(m.chat) ?? 0) + 1);
    expect(copies.size).toBe(RACES * PER_RACE);
    expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    // The process that did not deliver said why.
    expect(everyone.some((p) => /standby/.test(p.stderr))).toBe(true);
    // Clean stops leave no send journal behind.
    expect(readdirSync(dirname(db)).filter((f) => f.includes('-sending'))).toEqual([]);
  // Generous: 20 races start real processes, and a loaded machine (CI shares its cores) is slow to start them.
  }, 240_000);
});
