/** Reading a published notice's own metadata: what a clerk pastes from a government site, header lines and all. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerKind, readDate, readDocNumber, readMetadata } from '../../src/knowledge/metadata.ts';
import { buildIndex } from '../../src/knowledge/policy-loader.ts';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { dataDirs } from '../helpers/data-dir.ts';

const dataWith = dataDirs('metadata-');

const lines = (text: string) => text.split('\n').map((t, k) => ({ no: k + 1, text: t }));

describe('header lines of a published notice', () => {
  it('recognises breadcrumbs, publication lines, letterheads, numbers, addressees, dates and signatures', () => {
    expect(headerKind('所在位置: 政务公开 > 政策法规 > 市府办文件')).toBe('breadcrumb');
    expect(headerKind('首页 > 信息公开 > 通知公告')).toBe('breadcrumb');
    expect(headerKind('信息来源:中山市人民政府办公室 发布日期:2018年10月08日')).toBe('publication');
    expect(headerKind('【字体：大 中 小】　【打印】')).toBe('publication');
    expect(headerKind('开平市人民政府办公室文件')).toBe('letterhead');
    expect(headerKind('开府办（2016）38号')).toBe('docnumber');
    expect(headerKind('各县(市、区)人民政府,市有关单位:')).toBe('addressee');
    expect(headerKind('火炬开发区管委会,翠亨新区管委会,各镇政府、区办事处,市各有关单位:')).toBe('addressee');
    expect(headerKind('2013年2月18日')).toBe('date');
    expect(headerKind('二〇二三年六月十六日')).toBe('date');
    expect(headerKind('江门市人民政府办公室')).toBe('signature');
    expect(headerKind('江门市加强质量认证体系建设促进全面质量管理实施方案')).toBeUndefined();
  });

  it('reads dates and document numbers in their published forms', () => {
    expect(readDate('二〇一二年五月二十三日')).toBe('2012-05-23');
    expect(readDate('发布日期：2025-03-10')).toBe('2025-03-10');
    expect(readDate('2016年8月5日印发')).toBe('2016-08-05');
    expect(readDocNumber('开府办（2016）38号')).toBe('开府办〔2016〕38号');
    expect(readDocNumber('湘政发【2012】33号')).toBe('湘政发〔2012〕33号');
  });
});

describe('title, issuer, number, date and parts from the text', () => {
  it('takes the issued document from a 印发 notice under a letterhead, and its 配套文件 as a second part', () => {
    const m = readMetadata(
      lines(
        [
          '某某市人民政府办公室文件',
          '某府办〔2024〕3号',
          '某某市人民政府办公室关于印发某某市质量提升方案的通知',
          '各区县人民政府，市直各单位：',
          '《某某市质量提升方案》及其配套文件《某某市质量奖励办法》已经市政府同意，现印发给你们。',
          '某某市人民政府办公室',
          '2024年3月1日',
          '某某市质量提升方案',
          '一、目标',
          '到2025年，抽查合格率达到95%以上。',
          '某某市质量奖励办法',
          '第一条 为激励企业，制定本办法。',
        ].join('\n'),
      ),
    );
    expect(m.parts.map((p) => p.title)).toEqual(['某某市质量提升方案', '某某市质量奖励办法']);
    expect(m.parts.map((p) => p.start)).toEqual([0, 10]);
    expect(m).toMatchObject({ issuer: '某某市人民政府办公室', docNumber: '某府办〔2024〕3号', issued: '2024-03-01' });
  });

  it('skips a breadcrumb and publication line, and titles a 申报通知 by its 关于…的通知 line', () => {
    const m = readMetadata(
      lines(
        [
          '当前位置：首页 > 政务公开 > 通知公告',
          '关于组织申报2025年度某某市标准化补助的通知',
          '信息来源：某某市市场监督管理局　发布日期：2025-03-10　浏览次数：12',
          '各县（市、区）市场监督管理局，各有关企业：',
          '根据《某某市标准化资助管理办法》，现将有关事项通知如下：',
          '申报单位应当提交《某某市标准化补助申请表》及标准发布文件的复印件。',
          '一、补助对象',
          '在本市登记注册的企业。',
        ].join('\n'),
      ),
    );
    expect(m).toMatchObject({ title: '关于组织申报2025年度某某市标准化补助的通知', issuer: '某某市市场监督管理局', issued: '2025-03-10' });
  });

  it('titles a 公示 page by its 关于…的公示 line, not by the site footer', () => {
    const m = readMetadata(
      lines(
        [
          '某某市市场监督管理局',
          '首页 > 信息公开 > 公示公告',
          '关于2025年度某某市品牌奖励资金拟奖励企业名单的公示',
          '发布时间：2026-05-25 16:42　信息来源：质量发展科',
          '经企业申报、专家评审，确定5家企业拟予奖励，现予以公示。',
          '公示期：2026年5月26日至2026年6月3日。',
          '序号 | 企业名称 | 拟奖励金额（万元）',
          '1 | 某某机械有限公司 | 50',
          '主办单位：某某市市场监督管理局　某ICP备05017349号',
        ].join('\n'),
      ),
    );
    expect(m.title).toBe('关于2025年度某某市品牌奖励资金拟奖励企业名单的公示');
  });

  it('reads a web page title line with its number and 〈〉 inner title, and the document title before the first article', () => {
    const m = readMetadata(
      lines(['成府发〔2014〕7号《成都市人民政府关于印发〈成都市市级财政专项资金管理暂行办法〉的通知》', '浏览量： 时间：2018-11-14 08:56:07', '各区（市）县政府，市政府各部门：', '成都市人民政府', '2014年2月10日', '成都市市级财政专项资金管理暂行办法', '第一章 总则', '第一条 为加强管理，制定本办法。'].join('\n')),
    );
    expect(m).toMatchObject({ title: '成都市市级财政专项资金管理暂行办法', issuer: '成都市人民政府', docNumber: '成府发〔2014〕7号', issued: '2014-02-10' });
  });

  it('joins a notice title wrapped onto two lines, and finds a title line written with other brackets and dashes', () => {
    const m = readMetadata(
      lines(
        [
          '某某市人民政府办公室关于印发某某市工业产品质量',
          '提升三年行动计划的通知',
          '各镇政府，市各有关单位：',
          '现将《某某市工业产品质量提升三年行动计划(2018-2020年)》印发给你们，请认真贯彻落实。',
          '某某市工业产品质量提升三年行动计划（2018—2020年）',
          '一、目标',
          '到2020年，抽查合格率达到95%以上。',
        ].join('\n'),
      ),
    );
    expect(m.title).toBe('某某市工业产品质量提升三年行动计划(2018-2020年)');
    expect(m.issuer).toBe('某某市人民政府办公室');
    expect(m.parts).toEqual([{ title: '某某市工业产品质量提升三年行动计划(2018-2020年)', start: 0 }]);
  });

  it('splits off an annex that is a document of its own (a title, then articles), not an annex table', () => {
    const m = readMetadata(
      lines(['某某市质量提升方案', '一、目标', '抽查合格率达到95%以上。', '附件1', '某某市质量标杆奖评选办法', '第一条 为激励企业，制定本办法。', '附件2', '某某市重点任务分解表', '序号'].join('\n')),
    );
    expect(m.parts.map((p) => p.title)).toEqual(['某某市质量提升方案', '某某市质量标杆奖评选办法']);
  });
});

describe('page damage', () => {
  it('drops printed page numbers, so a sentence broken across a page is mended whole', () => {
    const index = buildIndex(dataWith({ 'p.txt': ['江门市质量奖管理办法', '第一条 获奖企业在证书有效期内，可以在', '—2—', '宣传活动中使用获奖称号。'].join('\n') }));
    expect(index.units.find((u) => u.article === '第一条')?.text).toBe('第一条 获奖企业在证书有效期内，可以在宣传活动中使用获奖称号。');
  });
});

describe('a document in Traditional characters', () => {
  const text = [
    '韶關市人民政府關於印發《韶關市市長質量獎管理辦法》的通知',
    '各縣（市、區）人民政府，市政府各部門：',
    '《韶關市市長質量獎管理辦法》已經市人民政府同意，現印發給你們。',
    '韶關市人民政府',
    '2023年6月16日',
    '韶關市市長質量獎管理辦法',
    '第一條 為推進質量強市建設，制定本辦法。',
    '第二條 市人民政府設立韶關市市長質量獎，每兩年評選一次。',
    '第三條 對獲獎組織給予一次性獎勵50萬元。',
    '第四條 本辦法自2023年7月1日起施行，有效期5年。',
  ].join('\n');

  it('is registered under its Simplified place and award, with validity read from its own words', () => {
    const index = buildIndex(dataWith({ 'shaoguan.txt': text }));
    expect(index.documents[0]).toMatchObject({ title: '韶关市市长质量奖管理办法', region: '韶关市', issuer: '韶关市人民政府', issued: '2023-06-16', effective: '2023-07-01', expires: '2028-06-30' });
    expect(index.documents[0].awards).toContain('市长质量奖');
  });

  it('answers a question in either script and quotes the clause in the document’s own script', () => {
    const dir = dataWith({ 'shaoguan.txt': text });
    const k = loadKnowledge(dir);
    const at = new Date('2026-06-01T10:00:00+08:00');
    for (const q of ['韶关市长质量奖奖金多少', '韶關市長質量獎獎金多少']) {
      const a = answerQuestion(k, q, at);
      expect(a.found, a.answer).toBe(true);
      expect(a.answer).toContain('50万元');
      expect(a.citations[0].quote).toContain('一次性獎勵50萬元');
      expect(a.answer).not.toContain('未收录');
    }
  });
});
