import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/core/bot.ts';
import { createSchedulingHandlers } from '../../src/core/handlers/index-scheduling.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { knowledge } from '../helpers/knowledge.ts';

/** Nasty inputs: empty, huge, control characters, emoji, SQL, HTML, mixed scripts, commands. */
const nasty = fc.oneof(
  { weight: 10, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 5, arbitrary: fc.constantFrom('', ' ', '\u0000', '\n\n', '\uFFFD\uFEFF', '😀👍🏽🇨🇳', "'; DROP TABLE subscribers; --", '<script>alert(1)</script>', '<b>优秀奖</b>&amp;', '/precheck', '/cancel', '/back', '/broadcast hi', '/award 2024-02-30', '/unknown', '/subscribe 水口镇', '继续', '是', '5年') },
  { weight: 6, arbitrary: fc.array(fc.constantFrom('优秀奖', '奖金', '多少', '江门', 'ISO', '認證', 'award', '¿', 'ß', 'ру', '٣', '🙂', ' ', '/', '?', '合格5次'), { maxLength: 30 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => '质'.repeat(n)) },
  { weight: 1, arbitrary: fc.constant('<p>优秀奖</p>'.repeat(10_000)) },
);

describe('the core under random input', () => {
  let store: SqliteStore;
  let bot: Bot;
  beforeAll(async () => {
    store = await SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'fuzz-')), 'fuzz.db'));
    bot = new Bot({ knowledge: knowledge(), store, staff: { console: ['staff'] }, handlers: createSchedulingHandlers(store) });
  });
  afterAll(async () => {
    await store.close();
  });

  it('replies to each of 10,000 random messages and never throws', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(nasty, fc.constantFrom('a', 'b', 'c'), fc.constantFrom('user', 'staff'), async (text, chat, user) => {
        runs++;
        const replies = await bot.handle({ channel: 'console', chat, user, text, at: new Date('2026-11-22T10:00:00+08:00') });
        expect(replies.length).toBeGreaterThan(0);
        for (const r of replies) {
          expect(typeof r.text).toBe('string');
          expect(r.text.length).toBeGreaterThan(0);
          expect(r.chat).toBe(chat);
        }
      }),
      { numRuns: 10_000 },
    );
    expect(runs).toBe(10_000);
  }, 240_000);
});
