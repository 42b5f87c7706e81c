/**
 * The index file (search-index.bin): a start that opens it answers exactly as one that builds the index from the
 * policy files, a changed source makes it stale at once, and a damaged file is reported and rebuilt, never trusted.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { indexFilePath } from '../../src/knowledge/index-file.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { indexPath, writeIndex } from '../../src/knowledge/policy-loader.ts';
import { StoredUnit } from '../../src/knowledge/stored-unit.ts';
import { ROOT } from '../helpers/run-cli.ts';

const NOW = new Date('2026-06-01T10:00:00+08:00');
const QUESTIONS = ['优秀奖奖金多少', '中山市首席质量官有什么要求', '汕头的认证目标是多少家', '安全体系认证有补贴吗', 'how much is the award in Kaiping', '北京有什么政策'];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => vi.restoreAllMocks());

/** A data directory with the corpus's sources and no built files. */
function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'index-file-'));
  dirs.push(dir);
  for (const f of ['policies', 'awards', 'glossary.json', 'places.json']) cpSync(join(ROOT, 'data', f), join(dir, f), { recursive: true });
  return dir;
}

/** Every test question's whole answer, as a user would receive it, and whether the start opened the index file. */
function answers(dir: string): { opened: boolean; answers: string[] } {
  const k = loadKnowledge(dir);
  return { opened: k.units[0] instanceof StoredUnit, answers: QUESTIONS.map((q) => JSON.stringify(answerQuestion(k, q, NOW))) };
}

/** What the process writes to stderr while `run` runs. */
function stderrOf(run: () => void): string {
  let out = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  run();
  vi.restoreAllMocks();
  return out;
}

/** The policy file holding a text, in a data directory. */
function fileHolding(dir: string, text: string): string {
  for (const f of ['000_4aa994fef15e788c.txt', '001_0dabf243067c15f2.txt', '002_c7cbd291cdc0334c.txt', '003_5b140c7314a9c593.txt', '004_ad731a9aca5c122a.txt']) {
    const p = join(dir, 'policies', f);
    if (existsSync(p) && readFileSync(p, 'utf8').includes(text)) return p;
  }
  throw new Error(`no policy file holds ${text}`);
}

describe('index file', () => {
  it('a start that opens the index file answers exactly as one that built the index from the policy files', () => {
    const dir = freshDataDir();
    const built = answers(dir);
    expect(built.opened).toBe(false);
    expect(existsSync(indexFilePath(dir))).toBe(true);
    const opened = answers(dir);
    expect(opened.opened).toBe(true);
    expect(opened.answers).toEqual(built.answers);
    // An opened unit reads, and serialises, like the unit index.json holds.
    const k = loadKnowledge(dir);
    writeIndex(dir);
    const json = JSON.parse(readFileSync(indexPath(dir), 'utf8')) as { units: unknown[] };
    expect(JSON.parse(JSON.stringify(k.units))).toEqual(json.units);
  }, 120_000);

  it('a source touched but unchanged keeps the index file; a changed figure of the same length is answered at once', () => {
    const dir = freshDataDir();
    answers(dir);
    const file = fileHolding(dir, '人民币 3 千元');
    const later = new Date(statSync(file).mtimeMs + 60_000);
    utimesSync(file, later, later);
    expect(answers(dir).opened).toBe(true);
    writeFileSync(file, readFileSync(file, 'utf8').replace('人民币 3 千元', '人民币 4 千元'));
    const changed = loadKnowledge(dir);
    expect(changed.units[0] instanceof StoredUnit).toBe(false);
    expect(answerQuestion(changed, '优秀奖奖金多少', NOW).answer).toContain('4000元');
    expect(answers(dir).opened).toBe(true);
  }, 120_000);

  it('the search snapshot of an older version is replaced without a damage report', () => {
    const dir = freshDataDir();
    const before = answers(dir).answers;
    writeFileSync(indexFilePath(dir), serialize({ format: 1, key: 'older', vocabulary: [] }));
    let result: ReturnType<typeof answers> | undefined;
    const said = stderrOf(() => (result = answers(dir)));
    expect(said).not.toContain('damaged');
    expect(result?.opened).toBe(false);
    expect(result?.answers).toEqual(before);
    expect(answers(dir).opened).toBe(true);
  }, 120_000);

  it('an added document is searchable at once', () => {
    const dir = freshDataDir();
    answers(dir);
    writeFileSync(
      join(dir, 'policies', 'zz-extra.txt'),
      '佛山市蓝鲸质量奖励办法\n\n第一条 获得蓝鲸质量奖的企业，一次性奖励人民币50万元。\n\n佛山市市场监督管理局\n2025年3月1日\n',
    );
    const k = loadKnowledge(dir);
    expect(k.search.hasTerm('蓝鲸')).toBe(true);
    expect(k.search.search(k.search.queryTerms('蓝鲸质量奖奖励多少'), 1)[0]?.unit.text).toContain('50万元');
  }, 120_000);

  it('a damaged or cut-short index file is reported, rebuilt and answered from as before', () => {
    const dir = freshDataDir();
    const before = answers(dir).answers;
    const path = indexFilePath(dir);
    const good = readFileSync(path);
    const damages: [string, Buffer][] = [
      ['not an index file', Buffer.from('not an index file')],
      ['cut short', good.subarray(0, Math.floor(good.length / 2))],
      // A posting that points past the last unit, as a flipped byte in the tables would.
      ['a broken table', Buffer.concat([good.subarray(0, 28), Buffer.from([0xff, 0xff, 0xff, 0x7f]), good.subarray(32)])],
    ];
    for (const [what, bytes] of damages) {
      writeFileSync(path, bytes);
      let result: ReturnType<typeof answers> | undefined;
      const said = stderrOf(() => (result = answers(dir)));
      expect(said, what).toContain('the index file is damaged');
      expect(said, what).toContain(path);
      expect(result?.answers, what).toEqual(before);
      expect(answers(dir).opened, what).toBe(true);
    }
  }, 180_000);

  for (const section of ['bodies', 'docs'] as const) {
    it(`${section === 'bodies' ? 'a clause' : 'a posting list'} found damaged while answering gets the polite failure, is reported, and the next start rebuilds the file`, () => {
      const dir = freshDataDir();
      answers(dir);
      const path = indexFilePath(dir);
      const bytes = readFileSync(path);
      // Clause bodies are JSON text, postings ascending unit numbers: 0x7b bytes break every one that is read.
      const header = JSON.parse(bytes.subarray(bytes.readDoubleLE(8)).toString('utf8')) as { sections: Record<string, [number, number]> };
      const [at, length] = header.sections[section];
      bytes.fill(0x7b, at, at + length);
      writeFileSync(path, bytes);
      const k = loadKnowledge(dir);
      let reply = '';
      const said = stderrOf(() => (reply = answerQuestion(k, '优秀奖奖金多少', NOW).answer));
      expect(reply).toContain('抱歉');
      expect(reply).not.toContain('元');
      expect(said).toContain(`${path}: `);
      expect(said).toContain('the index file is damaged');
      const next = answers(dir);
      expect(next.opened).toBe(false);
      expect(next.answers[0]).toContain('3000元');
    }, 120_000);
  }
});
