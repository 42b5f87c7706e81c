/** What ingest reads from a notice as a web page publishes it: the place, the signature under a site footer, a table pasted one row a line, a plan's closing validity line, and typed dates. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveValidity } from '../../src/knowledge/derive.ts';
import { readSignature } from '../../src/knowledge/metadata.ts';
import { buildIndex } from '../../src/knowledge/policy-loader.ts';
import { ROOT } from '../helpers/run-cli.ts';

const lines = (text: string) => text.split('\n').map((t, k) => ({ no: k + 1, text: t }));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A data directory with the project's glossary and gazetteer and one policy file. */
function indexOf(name: string, body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pages-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'policies'));
  for (const f of ['glossary.json', 'places.json']) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'data', f)));
  writeFileSync(join(dir, 'policies', name), body);
  return buildIndex(dir);
}

const NOTICE = [
  '某某市某某区人民政府',
  '首页 > 政务公开 > 通知公告',
  '关于开展2026年度某某区标准化项目资助申报工作的通知',
  '发布时间：2026-05-12 09:30　　来源：区市场监管局　　浏览次数：2317',
  '各镇人民政府、街道办事处，各有关单位：',
  '为鼓励企事业单位参与标准制修订，现将有关事项通知如下：',
  '一、资助标准',
  '（一）主导制定国家标准的，每项资助25万元。',
  '二、申报时间及方式',
  '（一）申报时间：2026年5月15日至2026年6月19日17:00，逾期不予受理。',
  '（二）纸质材料报送至某某区市场监督管理局标准化科。',
  '某某区市场监督管理局',
  '2026年5月12日',
  '相关附件：',
  '附件1.申请表.docx',
  '【打印本页】　【关闭窗口】',
  '主办：某某区人民政府办公室　　网站标识码：0000000000',
  '某ICP备00000000号',
].join('\n');

describe('a notice as a web page publishes it', () => {
  it('takes the place from the title after 关于开展…年度, and the issuer from the signature above the site footer', () => {
    const index = indexOf('notice.txt', NOTICE);
    const doc = index.documents[0];
    expect(doc.region).toBe('某某区');
    expect(doc.aliases).toContain('某某');
    expect(doc.issuer).toBe('某某区市场监督管理局');
    expect(readSignature(lines(NOTICE))).toEqual({ issuer: '某某区市场监督管理局', issued: '2026-05-12' });
  });

  it('keeps the publication line out of the units and types the application window as a deadline on its last day', () => {
    const index = indexOf('notice.txt', NOTICE);
    expect(index.units.some((u) => u.text.includes('浏览次数'))).toBe(false);
    const window = index.units.flatMap((u) => u.facts ?? []).find((f) => f.type === 'deadline' && f.text.includes('至'));
    expect(window?.text).toBe('申报时间：2026年5月15日至2026年6月19日17:00');
    expect(index.units.flatMap((u) => u.facts ?? []).filter((f) => f.type === 'submit').map((f) => f.text)).toEqual(['报送至某某区市场监督管理局标准化科']);
  });
});

describe('a plan with a task table pasted one row a line', () => {
  it('makes each row a unit whose fields the header names, and reads the closing validity line', () => {
    const plan = [
      '某市质量认证提升行动方案（2025—2027年）',
      '一、主要目标',
      '（一）2025年目标。新增各类认证证书3200张。',
      '二、保障措施',
      '（一）加强组织领导。领导小组办公室设在市市场监管局。',
      '本方案自印发之日起施行，有效期至2027年12月31日。',
      '附件',
      '某市重点任务分解表',
      '序号|重点任务|工作内容|牵头单位|完成时限',
      '1|小微企业认证提升|每年培育认证提升企业300家以上|市市场监管局|2027年12月',
      '2|绿色低碳认证|三年新增绿色产品认证证书450张|市市场监管局|2027年12月',
      '3|农食产品认证|有机产品认证证书达到260张|市农业农村局|2027年12月',
    ].join('\n');
    const index = indexOf('plan.txt', plan);
    const rows = index.units.filter((u) => u.kind === 'table-row');
    expect(rows.map((r) => r.fields?.['牵头单位'])).toEqual(['市市场监管局', '市市场监管局', '市农业农村局']);
    expect(rows[1].fields?.['工作内容']).toBe('三年新增绿色产品认证证书450张');
    expect(index.documents[0].expires).toBe('2027-12-31');
    expect(index.documents[0].validitySource).toBe('二、（一）');
  });

  it('does not take an honour\'s term for the document\'s validity', () => {
    const unit = (article: string, text: string) => ({ id: article, docId: 't', title: 't', region: '', article, heading: '', text, kind: 'article' as const, line: 1 });
    expect(deriveValidity('某市质量奖管理办法', [unit('第九条', '获奖称号有效期至2027年12月31日。')]).expires).toBeUndefined();
  });
});
