import { mkdtempSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/knowledge/policy-loader.ts';
import { DataError } from '../../src/errors.ts';
import { DOC_TITLES } from '../helpers/knowledge.ts';

const index = buildIndex();
/** Document ids are derived from file names; the tests name each document by its place or title, as a reader would. */
const DOCS = DOC_TITLES;
const idOf = (name: string) => index.documents.find((d) => d.title === DOCS[name])?.id;
const unit = (name: string, article: string) => index.units.find((u) => u.docId === idOf(name) && u.article === article);

/** A temporary data directory holding only the given policy files. */
function tempData(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'policy-data-'));
  mkdirSync(join(dir, 'policies'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, 'policies', name), body);
  return dir;
}

describe('ingest of the five corpus documents', () => {
  it('splits the Kaiping file into its two documents with their own titles', () => {
    const titles = index.documents.map((d) => d.title);
    expect(titles).toContain('开平市水暖卫浴行业质量提升工作方案');
    expect(titles).toContain('开平市水暖卫浴产品质量优秀奖评审管理办法');
    expect(index.documents.find((d) => d.id === idOf('kaiping-award'))?.expires).toBe('2021-09-30');
  });

  it('cites articles and their items the way the rules number them', () => {
    expect(unit('kaiping-award', '第五条（一）')?.text).toContain('登记注册3年以上');
    expect(unit('kaiping-award', '第七条')?.text).toContain('每检验合格一次奖励人民币 3 千元');
    expect(unit('kaiping-plan', '三、（十）2')?.text).toContain('一年内不得参与');
  });

  it('mends a sentence broken across a page break', () => {
    expect(unit('kaiping-award', '第九条')?.text).toContain('有效期为 3 年，期满可重新申报');
    expect(unit('kaiping-plan', '三、（二）3')?.text).toContain('选拔高技能人才');
  });

  it('reads numbered items even where the dot is missing ("5加快实施")', () => {
    expect(unit('zhongshan', '二、（一）5')?.text).toMatch(/^5加快实施技术改造/);
    expect(unit('zhongshan', '二、（五）2')?.text).toMatch(/^2推动企业落实主体责任/);
  });

  it('keeps every Zhongshan task-table row together, merged cells filled from the row above', () => {
    const rows = index.units.filter((u) => u.docId === idOf('zhongshan') && u.kind === 'table-row');
    expect(rows).toHaveLength(37);
    const r29 = unit('zhongshan', '附件第29项')!;
    expect(r29.fields).toMatchObject({ 牵头单位: '市质监局', 工作目标: '2020年,全市不少于50%的规模以上工业企业设立首席质量官。' });
    expect(unit('zhongshan', '附件第3项')!.fields).toMatchObject({ 工作内容: '强化质量技术帮扶', 牵头单位: '市质监局' });
    expect(unit('zhongshan', '附件第37项')!.fields!.任务名称).toBe('强化质量安全监管');
  });

  it('splits the Sichuan pipe table into 36 rows with their units', () => {
    const rows = index.units.filter((u) => u.docId === idOf('sichuan') && u.kind === 'table-row');
    expect(rows).toHaveLength(36);
    expect(unit('sichuan', '附件1第5项')!.fields).toMatchObject({ 指导单位: '质量处', 责任单位: '市州质量监督部门' });
    expect(unit('sichuan', '附件1第5项')!.text).toContain('每年培训企业首席质量官200名');
  });

  it('gives Shantou all 23 measures', () => {
    const measures = index.units.filter((u) => u.docId === idOf('shantou') && /（[一二三四五六七八九十]+）$/.test(u.article));
    expect(measures).toHaveLength(23);
    expect(unit('shantou', '八、（二十三）')?.text).toContain('各区县政府负责');
  });
});

describe('new documents need no code', () => {
  it('makes a dropped-in text file answerable, with its metadata header', () => {
    const dir = tempData({
      'zz-test.txt': '---\nissuer: 测试市人民政府办公室\nissued: 2025-01-02\nexpires: 2030-12-31\n---\n\n测试市陶瓷产品质量奖励办法\n\n第一条 为提升陶瓷质量，制定本办法。\n第二条 获奖企业奖励人民币 5 万元，奖项有效期为 2\n年。\n',
    });
    const idx = buildIndex(dir);
    expect(idx.documents[0]).toMatchObject({ title: '测试市陶瓷产品质量奖励办法', region: '测试市', expires: '2030-12-31' });
    const art2 = idx.units.find((u) => u.article === '第二条');
    expect(art2?.text).toContain('有效期为 2年。');
  });

  it('reports a broken file by name and line', () => {
    const dir = tempData({ 'bad.txt': '---\nissued 2020\n---\n标题\n' });
    expect(() => buildIndex(dir)).toThrowError(DataError);
    expect(() => buildIndex(dir)).toThrowError(/bad\.txt: line 2/);
  });

  it('reports invalid metadata by file and field', () => {
    const dir = tempData({ 'x.txt': '---\nexpires: 2030/12/31\n---\n标题\n第一条 内容。\n' });
    expect(() => buildIndex(dir)).toThrowError(/x\.txt: expires/);
  });

  it('rejects a binary file', () => {
    const dir = tempData({ 'bin.txt': Buffer.from([0x41, 0x0a, 0xff, 0xfe, 0x00, 0x42]) });
    expect(() => buildIndex(dir)).toThrowError(/bin\.txt: line 2/);
  });

  it('keeps working from a copy of the real corpus', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-copy-'));
    cpSync(new URL('../../data/policies', import.meta.url).pathname, join(dir, 'policies'), { recursive: true });
    expect(buildIndex(dir).units.length).toBe(index.units.length);
  });
});
