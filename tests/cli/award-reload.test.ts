import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDb, type BotLine } from '../helpers/chat.ts';
import { ROOT } from '../helpers/run-cli.ts';

/**
 * Award rules files added, edited and removed while the real bot runs (`chat --jsonl` as a child process) are used at
 * the next message, with no restart; a bad edit is reported by file and field and the last good rules stay in use.
 */
const AT = '2026-11-22T10:00:00+08:00';
const K = 'kaiping-excellence';
const Z = 'zhengzhou-mayor-quality';
const ASK = '我们能申报哪些奖？';

/** A running `chat --jsonl` driven one line at a time. */
class LiveChat {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: BotLine[] = [];
  private waiters: ((lines: BotLine[]) => void)[] = [];
  stderr = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'chat', '--jsonl', '--db', tempDb()], { cwd: ROOT, env: { ...process.env, ...env } });
    this.child.stderr.on('data', (d) => (this.stderr += d));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const o = JSON.parse(line);
      if ('ack' in o) {
        const done = this.pending;
        this.pending = [];
        this.waiters.shift()?.(done);
      } else this.pending.push(o);
    });
  }

  /** Sends one message and resolves with the bot's replies to it. */
  say(chat: string, text: string): Promise<BotLine[]> {
    const p = new Promise<BotLine[]>((resolve) => this.waiters.push(resolve));
    this.child.stdin.write(JSON.stringify({ chat, user: chat, text, at: AT }) + '\n');
    return p;
  }

  close(): void {
    this.child.stdin.end();
  }
}

const matched = (lines: BotLine[]) => (lines.find((l) => l.data?.match)?.data?.match ?? []).map((m: { award: string }) => m.award).sort();
const asked = (lines: BotLine[]) => lines.at(-1)?.data?.precheck?.ask as string | undefined;

let awardsDir = '';
let bot: LiveChat;

beforeAll(() => {
  awardsDir = join(mkdtempSync(join(tmpdir(), 'award-reload-')), 'awards');
  mkdirSync(awardsDir);
  cpSync(join(ROOT, 'data/awards', `${K}.json`), join(awardsDir, `${K}.json`));
  bot = new LiveChat({ AWARDS_DIR: awardsDir, LOG_LEVEL: 'warn' });
});

afterAll(() => bot?.close());

describe('award rules files change while the bot runs', () => {
  it('a rules file dropped in is matched and pre-checked at the next message, with no restart', async () => {
    expect(matched(await bot.say('a', ASK))).toEqual([K]);
    const none = await bot.say('b', '/precheck 郑州市市长质量奖');
    expect(none.at(-1)?.data?.precheck?.award).not.toBe(Z);

    cpSync(join(ROOT, 'tests/fixtures/awards', `${Z}.json`), join(awardsDir, `${Z}.json`));
    expect(matched(await bot.say('c', ASK))).toEqual([K, Z]);
    const started = await bot.say('d', '/precheck 郑州市市长质量奖');
    expect(started.at(-1)?.data?.precheck?.award).toBe(Z);
    expect(started.map((l) => l.text).join('\n')).toContain('郑州市市长质量奖');
  }, 120_000);

  it('a bad edit is reported by file and field, and the last good rules stay in use until the file is fixed', async () => {
    const path = join(awardsDir, `${Z}.json`);
    const good = readFileSync(path, 'utf8');
    const bad = JSON.parse(good);
    bad.criteria[0].question = 42;
    writeFileSync(path, JSON.stringify(bad, null, 2));
    expect(matched(await bot.say('e', ASK))).toEqual([K, Z]);
    const report = bot.stderr.split('\n').find((l) => l.includes(`${Z}.json`));
    expect(report, bot.stderr).toBeDefined();
    expect(report).toContain('criteria.0.question');
    // A new file that is bad from the start is left out, and reported.
    writeFileSync(join(awardsDir, 'broken-award.json'), '{"id": "broken-award", ');
    expect(matched(await bot.say('f', ASK))).toEqual([K, Z]);
    expect(bot.stderr).toContain('broken-award.json');
    rmSync(join(awardsDir, 'broken-award.json'));
  }, 120_000);

  it('a rules file removed is no longer offered', async () => {
    rmSync(join(awardsDir, `${Z}.json`));
    expect(matched(await bot.say('g', ASK))).toEqual([K]);
  }, 120_000);

  it('a check in progress goes on under the edited rules, says so once, and keeps the answers given', async () => {
    const first = await bot.say('h', '/precheck');
    const slot = asked(first);
    expect(slot).toBeDefined();
    // The first answer is given, then staff edit the rules file while the next question waits.
    const second = await bot.say('h', '是');
    const next = asked(second);
    expect(next).toBeDefined();
    expect(next).not.toBe(slot);
    const path = join(awardsDir, `${K}.json`);
    const rules = JSON.parse(readFileSync(path, 'utf8'));
    rules.nextSteps = [...rules.nextSteps, '（规则文件已由工作人员更新）'];
    writeFileSync(path, JSON.stringify(rules, null, 2));
    const after = await bot.say('h', '/back');
    expect(after[0].text).toContain('预检条件刚刚更新');
    expect(after[0].data?.precheck?.rulesChanged).toBe('edited');
    // The answer given before the edit is still there: /back goes to it, not to an empty form.
    expect(asked(after)).toBe(slot);
    const again = await bot.say('h', '是');
    expect(again.map((l) => l.text).join('\n')).not.toContain('预检条件刚刚更新');
    expect(asked(again)).toBe(next);
  }, 120_000);

  it('a check whose rules file is removed ends with a polite notice', async () => {
    const first = await bot.say('i', '/precheck');
    expect(asked(first)).toBeDefined();
    rmSync(join(awardsDir, `${K}.json`));
    const after = await bot.say('i', '是');
    expect(after[0].text).toContain('已被撤下');
    expect(after[0].data?.precheck?.rulesChanged).toBe('removed');
  }, 120_000);
});
