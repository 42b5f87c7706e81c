/**
 * The saved search snapshot and the trusted index: a start that opens them answers exactly as one that cuts every unit
 * and validates every unit again, and a damaged, stale or edited file is rebuilt or validated, never trusted.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { openIndex } from '../../src/knowledge/index-open.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { indexPath, writeIndex } from '../../src/knowledge/policy-loader.ts';
import { readSnapshot, snapshotPath, tablesFor } from '../../src/knowledge/search-snapshot.ts';
import { ROOT } from '../helpers/run-cli.ts';

const NOW = new Date('2026-06-01T10:00:00+08:00');
const QUESTIONS = ['优秀奖奖金多少', '中山市首席质量官有什么要求', '汕头的认证目标是多少家', '安全体系认证有补贴吗', 'how much is the award in Kaiping', '北京有什么政策'];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A data directory with the corpus's sources and no built files. */
function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
  dirs.push(dir);
  for (const f of ['policies', 'awards', 'glossary.json', 'places.json']) cpSync(join(ROOT, 'data', f), join(dir, f), { recursive: true });
  return dir;
}

/** Every test question's whole answer, as a user would receive it. */
function answers(dir: string): string[] {
  const k = loadKnowledge(dir);
  return QUESTIONS.map((q) => JSON.stringify(answerQuestion(k, q, NOW)));
}

describe('search snapshot', () => {
  it('a start that opens the saved snapshot answers exactly as one that cut every unit', () => {
    const dir = freshDataDir();
    writeIndex(dir);
    const cut = answers(dir);
    expect(existsSync(snapshotPath(dir))).toBe(true);
    const opened = readSnapshot(dir);
    expect(opened?.indexDigest).toBeTruthy();
    expect(answers(dir)).toEqual(cut);
  }, 60_000);

  it('a damaged snapshot is cut again and rewritten, with the same answers', () => {
    const dir = freshDataDir();
    writeIndex(dir);
    const before = answers(dir);
    writeFileSync(snapshotPath(dir), 'not a snapshot');
    expect(answers(dir)).toEqual(before);
    expect(readSnapshot(dir)).toBeDefined();
  }, 60_000);

  it('a snapshot of other documents is not used: an added document is searchable at once', () => {
    const dir = freshDataDir();
    writeIndex(dir);
    loadKnowledge(dir);
    writeFileSync(
      join(dir, 'policies', 'zz-extra.txt'),
      '佛山市蓝鲸质量奖励办法\n\n第一条 获得蓝鲸质量奖的企业，一次性奖励人民币50万元。\n\n佛山市市场监督管理局\n2025年3月1日\n',
    );
    const k = loadKnowledge(dir);
    expect(k.search.hasTerm('蓝鲸')).toBe(true);
    expect(k.search.search(k.search.queryTerms('蓝鲸质量奖奖励多少'), 1)[0]?.unit.text).toContain('50万元');
  }, 60_000);

  it('an index.json edited after it was validated is validated again, not trusted', () => {
    const dir = freshDataDir();
    writeIndex(dir);
    loadKnowledge(dir);
    const trusted = readSnapshot(dir)?.indexDigest;
    const index = JSON.parse(readFileSync(indexPath(dir), 'utf8')) as { units: { line: unknown }[] };
    index.units[0].line = 'not a line number';
    writeFileSync(indexPath(dir), JSON.stringify(index));
    const opened = openIndex(dir, trusted);
    // The broken file is rejected and the index rebuilt from the sources.
    expect(opened.digest).toBeUndefined();
    expect(typeof opened.index.units[0].line).toBe('number');
    expect(tablesFor(readSnapshot(dir), opened.index)).toBeDefined();
  }, 60_000);
});
