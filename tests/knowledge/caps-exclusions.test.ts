/**
 * Questions new published notices raise beyond "how much": money for winning another body's award, the ceiling on what
 * one applicant may get (never a "yes" from a cap), the cases that get nothing, the penalty for fraud, who checks the
 * applications, how long the publicity lasts, and a programme the notice names in quotes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { deriveAwards } from '../../src/knowledge/derive.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { dataDirs } from '../helpers/data-dir.ts';

/** A data directory with the project's glossary and gazetteer and one policy file. */
const makeDataDir = dataDirs('caps-');
const dataWith = (name: string, text: string) => makeDataDir({ [name]: text });

const AT = new Date('2026-06-01T10:00:00+08:00');

const RULES = [
  '宁海县质量品牌建设奖励办法',
  '第一条 为推动企业争创质量品牌，结合本县实际，制定本办法。',
  '第二条 首次获得浙江省政府质量奖的，一次性奖励40万元；获得浙江省政府质量奖提名奖的，一次性奖励15万元。',
  '第三条 首次获得宁波市市长质量奖的，一次性奖励12万元。',
  '第四条 企业首次获得有机产品认证的，奖励4万元；再次获得同类认证的，每张证书奖励1万元。同一企业每年获得本项奖励不超过8万元。',
  '第五条 企业主导制定行业标准的，每项奖励10万元。',
  '第六条 县市场监督管理局会同县财政局对申报材料进行复核，复核结果在县政府网站公示，公示期为5个工作日。',
  '第七条 同一企业每年累计获得本办法奖励资金不超过80万元。',
  '第八条 有下列情形之一的，不予奖励：',
  '（一）申报前一年内发生较大质量安全事故的；',
  '（二）被列入严重违法失信名单的；',
  '（三）产品在监督抽查中不合格且未整改的。',
  '第九条 以虚假材料骗取奖励资金的，追回已拨付资金，五年内不得申报本县各类奖励。',
  '第十条 本办法自2025年1月1日起施行，有效期5年。',
].join('\n');

describe('caps, exclusions and penalties of a published notice', () => {
  const k = loadKnowledge(dataWith('ninghai.txt', RULES));
  const lead = (q: string) => answerQuestion(k, q, AT);

  it('answers the money a clause grants for winning another body’s award, and declines another province’s', () => {
    const a = lead('宁海县企业拿到浙江省政府质量奖，县里奖多少钱？');
    expect(a.found, a.answer).toBe(true);
    expect(a.answer.split('\n')[0]).toContain('40万元');
    expect(lead('宁海企业获得宁波市市长质量奖奖多少').answer.split('\n')[0]).toContain('12万元');
    // The clause is about Zhejiang's award: Jiangsu's is not set here, so no amount is given.
    const other = lead('宁海县企业拿到江苏省政府质量奖，县里奖多少钱？');
    expect(other.answer).not.toMatch(/40万元|15万元|12万元/);
  });

  it('reaches the ceiling: the overall one when no item is named, the item’s own when it is; never yes from a cap', () => {
    const most = lead('宁海县一家企业一年最多能拿多少奖励');
    expect(most.answer.split('\n')[0]).toContain('80万元');
    expect(most.citations[0].article).toBe('第七条');
    const over = lead('宁海县一家企业一年各种奖励能拿到100万吗？');
    expect(over.answer.split('\n')[0]).toMatch(/^不能。.*80万元/);
    const item = lead('宁海企业做有机产品认证，一家一年能拿10万奖励吗？');
    expect(item.answer.split('\n')[0]).toMatch(/^不能。.*8万元/);
    expect(item.citations[0].article).toBe('第四条');
    // Under the ceiling nothing is promised: the cap is cited with no "yes".
    const under = lead('宁海县一家企业一年能拿到50万奖励吗？');
    expect(under.answer.split('\n')[0]).toContain('80万元');
    expect(under.answer.split('\n')[0]).not.toMatch(/^(可以|能|是)/);
  });

  it('lists the cases that get nothing, and gives the penalty for fraud', () => {
    const none = lead('宁海县哪些情况拿不到质量品牌奖励？');
    expect(none.citations[0].article).toBe('第八条');
    for (const item of ['较大质量安全事故', '严重违法失信名单', '未整改']) expect(none.answer.split('\n')[0]).toContain(item);
    const fraud = lead('宁海如果骗补被查出来，多久不能再申请');
    expect(fraud.citations[0].article).toBe('第九条');
    expect(fraud.answer.split('\n')[0]).toContain('五年内');
  });

  it('answers who checks and how long the publicity lasts, though the question names the reward', () => {
    const who = lead('宁海县质量奖励是哪个部门复核');
    expect(who.citations[0].article).toBe('第六条');
    expect(who.answer.split('\n')[0]).toContain('县市场监督管理局');
    const days = lead('宁海质量奖励复核完了要公示多长时间');
    expect(days.found, days.answer).toBe(true);
    expect(days.answer.split('\n')[0]).toContain('5个工作日');
  });
});

describe('programme names from a notice', () => {
  it('reads the programme a notice names in quotes, in its title or before a programme word', () => {
    expect(deriveAwards('关于组织申报2026年度“滇品优造”品牌培育项目的通知', '云南省')).toContain('滇品优造');
    const item = (text: string) => ({ id: 'x#1', docId: 'x', title: 't', region: '', article: '一、', heading: '', text, kind: 'section' as const, line: 2 });
    expect(deriveAwards('关于开展品牌培育工作的通知', '', [item('一、培育一批具有竞争力的“陇上精品”品牌。')])).toContain('陇上精品');
    // A quoted system or slogan that no programme word follows names no programme.
    expect(deriveAwards('关于开展品牌培育工作的通知', '', [item('一、登录“项目申报系统”填报，遵循“公开公正”原则。')])).toEqual([]);
  });
});

describe('the subject a clause must name before an amount is given', () => {
  it('hears a short form the clause writes out (质检中心 → 产品质量检验检测中心)', () => {
    const k = loadKnowledge(
      dataWith(
        'xiangtan.txt',
        [
          '湘潭市支持检验检测产业发展若干措施',
          '一、新获批省级产品质量检验检测中心的，一次性奖励40万元。',
          '二、企业首次获得测量管理体系认证的，奖励3万元。',
          '三、本措施自2025年1月1日起施行，有效期至2027年12月31日。',
        ].join('\n'),
      ),
    );
    const a = answerQuestion(k, '湘潭省级质检中心奖励多少', AT);
    expect(a.answer.split('\n')[0]).toContain('40万元');
    // A subject the clause does not name still gets no amount.
    expect(answerQuestion(k, '湘潭检测设备购置补贴多少', AT).answer.split('\n')[0]).not.toContain('40万元');
  });
});
