/**
 * One input hygiene on every entry point. Each row is one hostile input; it is tried as a chat line and as a command
 * over the real `chat --jsonl` process, and as a console form over the real console server (fastify.inject). What is
 * matched, stored as a tag or sent carries no invisible characters, NUL or lone surrogates; echoes are cut; dates go
 * through one parser with one polite refusal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanText, echo } from '../../src/nlu/sanitize.ts';
import { parseDay } from '../../src/scheduling/dates.ts';
import { runCli } from '../helpers/run-cli.ts';
import { Client, consoleKit, subscribeMany, TEST_NOW, type ConsoleKit } from '../web/console-kit.ts';

const AT = '2026-03-02T10:00:00+08:00';
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INVISIBLE = /[\u0000\u00AD\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/;

describe('cleanText and echo', () => {
  it.each([
    ['NUL', '水口\u0000镇', '水口镇'],
    ['zero-width joiners', '水\u200d口\u200d镇', '水口镇'],
    ['right-to-left override', 'abc\u202Edef', 'abcdef'],
    ['byte-order mark and soft hyphen', '\uFEFF通\u00ADknow', '通know'],
    ['a lone high surrogate', '奖金\uD800多少', '奖金多少'],
    ['a lone low surrogate', '\uDC00奖金', '奖金'],
    ['a real emoji pair is kept', '好👍', '好👍'],
    ['line breaks are kept', '第一行\n第二行', '第一行\n第二行'],
  ])('%s', (_name, input, out) => {
    expect(cleanText(input)).toBe(out);
  });

  it('cuts a long echo to 40 characters and one line', () => {
    expect(echo('2026-06-05' + '9'.repeat(10_000))).toHaveLength(41);
    expect(echo('一\n二')).toBe('一 二');
  });
});

describe('one calendar-date parser', () => {
  it.each([
    ['2026-02-30', 'nonexistent'],
    ['2024-02-30', 'nonexistent'],
    ['9999-12-31', 'out_of_range'],
    ['1900-01-01', 'out_of_range'],
    ['-2024-01-01', 'unreadable'],
    ['2026-06-05' + '0'.repeat(100), 'unreadable'],
  ])('%s is refused (%s)', (input, problem) => {
    expect(parseDay(input)).toMatchObject({ problem });
  });
  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2024/3/1', '2024-03-01'],
    ['2024年3月1日', '2024-03-01'],
  ])('%s is %s', (input, day) => {
    expect(parseDay(input)).toEqual({ day });
  });
});

/** One hostile input and what must hold, per entry point. */
interface Row {
  name: string;
  /** Lines sent over chat --jsonl (staff user "staff1"); the row's check reads the replies to them. */
  chat: { chat: string; user?: string; text: string; at?: string }[];
  checkChat: (replies: { chat?: string; text?: string; data?: Record<string, unknown>; error?: string; message?: string }[][], all: { chat?: string; text?: string; data?: Record<string, unknown> }[]) => void;
  /** The same input on a console form: a path and fields, and what the page or the store must show. */
  form?: { path: string; fields: Record<string, string | string[]>; check: (body: string, kit: ConsoleKit) => Promise<void> | void };
}

const ROWS: Row[] = [
  {
    name: 'a NUL in a broadcast is not delivered',
    chat: [
      { chat: 'n1', text: '/subscribe' },
      { chat: 'boss', user: 'staff1', text: '/broadcast 明天\u0000开会' },
    ],
    checkChat: (_r, all) => {
      const got = all.filter((m) => m.chat === 'n1' && m.data?.broadcast);
      expect(got.map((m) => m.text)).toEqual(['明天开会']);
    },
    form: {
      path: '/broadcast/preview',
      fields: { text: '明天\u0000开会', tag: '' },
      check: (body) => {
        expect(body).toContain('<div class="bubble">明天开会</div>');
        expect(body).not.toContain('\u0000');
      },
    },
  },
  {
    name: 'a NUL inside a tag makes one tag, not two',
    chat: [
      { chat: 't1', text: '/subscribe 水口\u0000镇' },
      { chat: 't2', text: '/subscribe 水口镇' },
      { chat: 'boss', user: 'staff1', text: '/broadcast --tag 水口镇 标签通知' },
    ],
    checkChat: (r, all) => {
      expect(r[0][0].data).toMatchObject({ subscription: { tags: ['水口镇'] } });
      expect(all.filter((m) => m.data?.broadcast && m.text === '标签通知').map((m) => m.chat).sort()).toEqual(['t1', 't2']);
    },
    form: {
      path: '/broadcast/preview',
      fields: { text: '标签通知', tag: '水口\u0000镇' },
      check: (body) => expect(body).toContain('<strong id="reach">2</strong>位标签“水口镇”的订阅者'),
    },
  },
  {
    name: 'zero-width joiners in a subscription typed in words still match the tag',
    chat: [
      { chat: 'z1', text: '订阅通知 水\u200d口\u200d镇' },
      { chat: 'boss', user: 'staff1', text: '/broadcast --tag 水口镇 零宽通知' },
    ],
    checkChat: (_r, all) => {
      expect(all.filter((m) => m.data?.broadcast && m.text === '零宽通知').map((m) => m.chat)).toContain('z1');
    },
    form: {
      path: '/broadcast/preview',
      fields: { text: '零宽\u200b通知', tag: '水\u200d口\u200d镇' },
      check: (body) => {
        expect(body).toContain('标签“水口镇”');
        expect(body).toContain('<div class="bubble">零宽通知</div>');
      },
    },
  },
  {
    name: 'bidi overrides and lone surrogates never come back',
    chat: [
      { chat: 'b1', text: '优秀奖奖金\u202E多少\uD800' },
      { chat: 'boss', user: 'staff1', text: '/broadcasts \u202E12\uDC00' },
    ],
    checkChat: (r) => {
      for (const m of r.flat()) {
        expect(m.text ?? '').not.toMatch(LONE);
        expect(m.text ?? '').not.toMatch(INVISIBLE);
      }
      expect(r[0][0].text).toContain('奖');
    },
    form: {
      path: '/publicity/preview',
      fields: { starts: '2026-03-10', title: '名单\u202E公示\uD800' },
      check: (body) => {
        expect(body).not.toMatch(LONE);
        expect(body).not.toMatch(INVISIBLE);
        expect(body).toContain('名单公示');
      },
    },
  },
  {
    name: 'an over-long argument is cut in the echo',
    chat: [{ chat: 'boss', user: 'staff1', text: `/publicity 2026-06-05${'9'.repeat(10_000)}` }],
    checkChat: (r) => {
      expect(r[0]).toHaveLength(1);
      expect(r[0][0].text!.length).toBeLessThan(300);
      expect(r[0][0].data).toMatchObject({ error: 'invalid_date' });
    },
    form: {
      path: '/publicity/preview',
      fields: { starts: `2026-06-05${'9'.repeat(50)}`, title: '' },
      check: (body) => {
        expect(body).toContain('没有看懂日期');
        expect(body).not.toContain('9'.repeat(40));
      },
    },
  },
  {
    name: 'a day that does not exist is refused politely everywhere (never rolled over)',
    chat: [
      { chat: 'd1', text: '你好', at: '2026-02-30' },
      { chat: 'd2', text: '/award 2024-02-30' },
    ],
    checkChat: (r) => {
      expect(r[0]).toEqual([expect.objectContaining({ error: 'invalid "at" date', message: expect.stringContaining('不存在') })]);
      expect(r[1][0].text).toContain('不存在');
      expect(r[1][0].data).toMatchObject({ error: 'invalid_date' });
    },
    form: { path: '/publicity/preview', fields: { starts: '2026-02-30', title: '' }, check: (body) => expect(body).toContain('不存在') },
  },
  {
    name: 'a year outside 2000–2100 is refused as out of range, not as a non-existent day',
    chat: [
      { chat: 'y1', text: '/award 9999-12-31' },
      { chat: 'y2', text: '/award 1900-01-01' },
      { chat: 'y3', text: '/publicity 9999-12-31', user: 'staff1' },
    ],
    checkChat: (r) => {
      for (const i of [0, 1, 2]) {
        expect(r[i][0].text).toContain('年份超出范围');
        expect(r[i][0].data).toMatchObject({ error: 'invalid_date' });
      }
    },
    form: { path: '/publicity/preview', fields: { starts: '9999-12-31', title: '' }, check: (body) => expect(body).toContain('年份超出范围') },
  },
  {
    name: 'a minus sign before a date is not a date',
    chat: [
      { chat: 'm1', text: '/award -2024-01-01' },
      { chat: 'm1', text: '/awards' },
    ],
    checkChat: (r) => {
      expect(r[0][0].data).toMatchObject({ error: 'invalid_date' });
      expect(r[1][0].data).toMatchObject({ awards: [] });
    },
    form: { path: '/publicity/preview', fields: { starts: '-2026-03-10', title: '' }, check: (body) => expect(body).toContain('没有看懂日期') },
  },
];

describe('the same hostile input on every entry point', () => {
  let dir: string;
  let replies: Map<number, Record<string, unknown>[]>;
  let all: Record<string, unknown>[];
  const offsets: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hygiene-'));
    const lines: string[] = [];
    for (const row of ROWS) {
      offsets.push(lines.length);
      for (const l of row.chat) lines.push(JSON.stringify({ user: l.chat, ...l, at: l.at ?? AT }));
    }
    const r = await runCli(['chat', '--jsonl', '--db', join(dir, 'bot.db'), '--admin', 'staff1'], { input: `${lines.join('\n')}\n`, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    replies = new Map();
    all = [];
    let pending: Record<string, unknown>[] = [];
    for (const raw of r.stdout.split('\n').filter(Boolean)) {
      const o = JSON.parse(raw) as Record<string, unknown>;
      if (typeof o.ack === 'number') {
        replies.set(o.ack, o.error ? [o, ...pending] : pending);
        pending = [];
      } else {
        pending.push(o);
        all.push(o);
      }
    }
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(ROWS.map((r, i) => [r.name, i] as const))('chat line and command: %s', (_name, i) => {
    const row = ROWS[i];
    // A reply that is not for the line's own chat (a broadcast delivery) is checked through `all`.
    const own = row.chat.map((l, j) => (replies.get(offsets[i] + j) ?? []).filter((m) => m.error !== undefined || m.chat === l.chat));
    row.checkChat(own as never, all as never);
  });

  describe('console form', () => {
    let kit: ConsoleKit;
    let c: Client;
    beforeAll(async () => {
      kit = await consoleKit();
      await subscribeMany(kit.rt, 2, 'tag', ['水口镇'], TEST_NOW);
      c = new Client(kit.app);
      await c.signIn(kit);
      await c.get('/broadcast');
    }, 60_000);
    afterAll(async () => kit.close());

    it.each(ROWS.filter((r) => r.form).map((r) => [r.name, r] as const))('%s', async (_name, row) => {
      const res = await c.post(row.form!.path, row.form!.fields);
      await row.form!.check(res.body, kit);
    });
  });
});
