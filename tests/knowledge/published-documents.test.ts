/**
 * The five corpus documents as published, with no sidecar: ingest (the real CLI) must find each document's title,
 * issuer, number, date, place and parts from the text alone, and the held-out questions must score at least 95% of
 * what they scored when hand-written sidecars gave that metadata.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.ts';

/** Held-out score with the hand-written sidecars (eval/holdout.jsonl, before they were removed). */
const SIDECAR_HOLDOUT = 127;

/** What the removed sidecars said of each document, which ingest must now read from the text. */
const EXPECTED = [
  { title: '开平市水暖卫浴行业质量提升工作方案', issuer: '开平市人民政府办公室', docNumber: '开府办〔2016〕38号', issued: '2016-08-05', region: '开平市' },
  { title: '开平市水暖卫浴产品质量优秀奖评审管理办法', issuer: '开平市人民政府办公室', docNumber: '开府办〔2016〕38号', issued: '2016-08-05', region: '开平市', effective: '2016-10-01', expires: '2021-09-30' },
  { title: '中山市工业产品质量提升三年行动计划(2018-2020年)', issuer: '中山市人民政府办公室', issued: '2018-10-08', region: '中山市' },
  { title: '汕头市贯彻实施质量发展纲要2013年重点行动计划', issuer: '汕头市人民政府办公室', issued: '2013-02-18', region: '汕头市' },
  { title: '四川省重点消费品质量提升专项行动计划(2018-2020年)', issued: '2018-07-04', region: '四川省' },
  { title: '江门市加强质量认证体系建设促进全面质量管理实施方案', issuer: '江门市人民政府办公室', issued: '2021-12-21', region: '江门市' },
];

let dir = '';
let index: { documents: Record<string, string | string[] | undefined>[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'published-'));
  for (const entry of ['glossary.json', 'places.json', 'awards']) cpSync(join(ROOT, 'data', entry), join(dir, entry), { recursive: true });
  mkdirSync(join(dir, 'policies'));
  // The texts only: a sidecar or header someone adds later must not be what makes this pass.
  for (const f of readdirSync(join(ROOT, 'data', 'policies')).filter((f) => f.endsWith('.txt'))) cpSync(join(ROOT, 'data', 'policies', f), join(dir, 'policies', f));
  const r = await runCli(['ingest'], { env: { POLICY_DATA_DIR: dir }, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the five documents as published, with no sidecar', () => {
  it('reads each title, issuer, number, date and place from the text, and splits Kaiping into its two documents', () => {
    expect(index.documents).toHaveLength(EXPECTED.length);
    for (const want of EXPECTED) {
      const doc = index.documents.find((d) => d.title === want.title);
      expect(doc, `no document titled ${want.title}: ${index.documents.map((d) => d.title).join(' | ')}`).toBeDefined();
      expect(doc).toMatchObject(want);
    }
  });

  it('names the awards the rules set', () => {
    const award = index.documents.find((d) => d.title === EXPECTED[1].title)!;
    expect(award.awards).toContain('水暖卫浴产品质量优秀奖');
    const plan = index.documents.find((d) => d.title === EXPECTED[0].title)!;
    expect(plan.awards).toEqual([]);
  });

  it('answers the held-out questions at least 95% as well as with the sidecars', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'eval/run-eval.ts', 'eval/holdout.jsonl', '--json'], { cwd: ROOT, env: { ...process.env, POLICY_DATA_DIR: dir, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('error', reject);
      child.on('close', () => resolve(stdout));
    });
    const summary = JSON.parse(out) as { correct: number; total: number; failures: string[] };
    expect(summary.total).toBe(130);
    expect(summary.correct, `failures: ${summary.failures.join(', ')}`).toBeGreaterThanOrEqual(Math.ceil(0.95 * SIDECAR_HOLDOUT));
  }, 120_000);
});
