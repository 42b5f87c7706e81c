import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

describe('cli ask', () => {
  it('prints the answer for a person, fact first', async () => {
    const r = await runCli(['ask', '优秀奖奖金多少']);
    expect(r.code).toBe(0);
    // A lapsed rule: the warning is the first line, the fact the second.
    expect(r.stdout.split('\n')[0]).toMatch(/^⚠️.*2021年9月30日到期/);
    expect(r.stdout.split('\n')[1]).toMatch(/3000元/);
    expect(r.stdout).toContain('依据：《开平市水暖卫浴产品质量优秀奖评审管理办法》第七条');
  });

  it('--json prints exactly one JSON object in the contract shape', async () => {
    const r = await runCli(['ask', '--json', '江门管理体系认证目标多少家']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]);
    expect(Object.keys(o).sort()).toEqual(['answer', 'citations', 'found', 'intent', 'question']);
    expect(o.found).toBe(true);
    expect(o.answer).toContain('5300家');
    expect(o.citations[0]).toEqual({ title: '江门市加强质量认证体系建设促进全面质量管理实施方案', article: expect.any(String), quote: expect.stringContaining('5300家'), excerpt: expect.stringContaining('5300家') });
    // The whole clause stays in quote; the excerpt is the part of it that holds the fact.
    expect(o.citations[0].quote.length).toBeGreaterThan(o.citations[0].excerpt.length);
  });

  it('--json --explain adds a trace: the frame, the top clauses with scores, and each answerer\'s decision', async () => {
    const r = await runCli(['ask', '--json', '--explain', '--at', '2026-11-22T10:00:00+08:00', '开平优秀奖公\u200b示几天']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout.trim());
    expect(o.answer).toContain('10天');
    expect(o.trace.frame).toMatchObject({ normalized: '开平优秀奖公示几天', places: { covered: ['开平市'] } });
    expect(o.trace.clauses[0]).toEqual({ title: expect.any(String), article: expect.any(String), score: expect.any(Number) });
    const steps: { answerer: string; declined?: string }[] = o.trace.steps;
    expect(steps.at(-1)!.declined).toBeUndefined();
    expect(steps.slice(0, -1).every((s) => s.declined)).toBe(true);
  });

  it('--jsonl answers one question per line, in order, and prints nothing else on stdout', async () => {
    const qs = ['合格5次能拿多少', '佛山有补贴吗', '', '中山首席质量官谁牵头', '<script>alert(1)</script>', "'; DROP TABLE users; --"];
    const r = await runCli(['ask', '--jsonl'], { input: `${qs.join('\n')}\n` });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(qs.length);
    const objs = lines.map((l) => JSON.parse(l));
    expect(objs.map((o) => o.question)).toEqual(qs);
    expect(objs[0].answer).toContain('15000元');
    expect(objs[1].found).toBe(false);
    expect(objs[3].citations[0].title).toContain('中山市');
    expect(objs[4].found).toBe(false);
  });

  it('ingest rebuilds the index and exits non-zero naming a broken file and line', async () => {
    const ok = await runCli(['ingest']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/6 documents/);
    const dir = mkdtempSync(join(tmpdir(), 'policy-bad-'));
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies', 'broken.txt'), '---\ntitle 没有冒号\n---\n正文\n');
    const bad = await runCli(['ingest'], { env: { POLICY_DATA_DIR: dir } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/broken\.txt: line 2/);
  });
});

describe('npm start (console)', () => {
  it('answers piped questions and exits at the end of input, with no tokens set', async () => {
    const { spawn } = await import('node:child_process');
    const { ROOT } = await import('../helpers/run-cli.ts');
    const db = join(mkdtempSync(join(tmpdir(), 'console-')), 'c.db');
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const env: Record<string, string> = { ...(process.env as Record<string, string>), DB_PATH: db, LOG_LEVEL: 'silent' };
      delete env.TELEGRAM_BOT_TOKEN;
      delete env.WECHATY_PUPPET_SERVICE_TOKEN;
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout }));
      child.stdin.end('优秀奖奖金多少\n/precheck\n1\n');
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/3000元/);
    expect(out.stdout).toMatch(/水暖卫浴产品吗/);
    expect(out.stdout).toMatch(/回复 1 表示 是/);
    // "1" picks the first choice (是), so the check moves on to the next question.
    expect(out.stdout).toMatch(/开平市行政区域内登记注册/);
  });
});
