/**
 * What an enterprise asks of a new notice beyond "how much": whether the facts it states meet the conditions (never a
 * "yes" from the deadline), whether an excluded case may apply, the yearly ceiling, colloquial amounts, the list of
 * conditions, who pays, and where the paper files finally go.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { dataDirs } from '../helpers/data-dir.ts';

/** A data directory with the project's glossary and gazetteer and one policy file. */
const makeDataDir = dataDirs('stated-');
const dataWith = (name: string, text: string) => makeDataDir({ [name]: text });

const AT = new Date('2026-06-01T10:00:00+08:00');

const NOTICE = [
  '关于组织申报2026年度衢州市质量提升项目的通知',
  '各县（市、区）市场监管局：',
  '现将有关事项通知如下。',
  '一、申报条件',
  '（一）基本条件',
  '1.在衢州市境内依法登记注册满3年，具有独立法人资格；',
  '2.上年度营业收入不低于8000万元；',
  '3.近3年未发生重大质量安全事故，未被列入严重违法失信名单。',
  '二、奖励标准',
  '（一）企业年营业收入首次突破1亿元的，奖励20万元。',
  '（二）同一企业同一年度获得本通知各项奖励累计不超过60万元。',
  '（三）有下列情形之一的，不予奖励：',
  '1.团体标准以及仅在企业内部使用的技术规范；',
  '2.申报材料弄虚作假的。',
  '（四）奖励所需资金由市级财政和县（区）财政按6:4比例分担。',
  '三、申报程序',
  '（一）申报截止时间：2026年7月31日。',
  '（二）纸质材料报送。网上提交成功后，申报单位将申报书一式两份报所在县（市、区）市场监管局。县（市、区）市场监管局审核后，将纸质材料统一寄送至市市场监管局质量发展科（地址：衢州市柯城区花园东大道99号）。',
].join('\n');

describe('stated facts, conditions and exclusions of a published notice', () => {
  const k = loadKnowledge(dataWith('quzhou.txt', NOTICE));
  const lead = (q: string) => answerQuestion(k, q, AT).answer.split('\n')[0];

  it('judges the years the user states against the clause’s minimum, never a yes from the deadline', () => {
    const short = lead('我们公司在衢州注册刚两年，能报今年衢州质量提升项目吗？');
    expect(short).toMatch(/^不符合/);
    expect(short).toContain('满3年');
    expect(short).not.toContain('截止');
    const enough = lead('我们在衢州注册5年了，能报衢州质量提升项目吗？');
    expect(enough).not.toMatch(/^可以/);
    expect(enough).toContain('满3年');
    // Two facts stated: the one short of its minimum decides.
    const revenue = lead('我们营收六千万，注册5年，能报衢州质量提升项目吗');
    expect(revenue).toMatch(/^不符合/);
    expect(revenue).toContain('8000万元');
    // An amount asked for ("能拿10万吗") is not the user's own quantity.
    expect(lead('衢州一家企业一年能拿到100万吗？')).toMatch(/^不能/);
  });

  it('answers no to a case the notice excludes, citing the excluding item', () => {
    const a = answerQuestion(k, '衢州质量提升项目，团体标准也能申请吧？', AT);
    expect(a.answer.split('\n')[0]).toMatch(/^不能/);
    expect(a.answer.split('\n')[0]).toContain('不予奖励');
    expect(a.citations[0]?.article).toContain('二、（三）');
  });

  it('gives the yearly ceiling to a question asking it twice over', () => {
    expect(lead('衢州质量提升项目一家企业一年最多能拿多少，有封顶吗')).toContain('60万元');
  });

  it('reads a colloquial amount as the clause writes it', () => {
    expect(lead('衢州企业营收第一次过一个亿奖多少')).toContain('20万元');
  });

  it('lists the conditions, and gives the one about the thing named', () => {
    const all = lead('衢州质量提升项目企业要满足啥条件');
    expect(all).toContain('满3年');
    expect(all).toContain('严重违法失信名单');
    expect(lead('衢州质量提升项目对营收有要求吗，要多少才能报')).toContain('8000万元');
  });

  it('says who pays, and where the paper files finally go', () => {
    expect(lead('衢州质量提升项目的钱是市里出还是区县出')).toContain('6:4');
    expect(lead('衢州质量提升项目的纸质材料最后寄到哪里')).toContain('花园东大道99号');
  });
});
