/**
 * What other cities' notices state beyond the amount a leader gets: a participant's share of it (参与单位 30%), the
 * contact section at the end of a notice, an application window given as a season (第一季度), and the 就高 rule that
 * forbids collecting two awards for one project. Each document here is invented, laid out as real notices are.
 */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { dataDirs } from '../helpers/data-dir.ts';

const makeDataDir = dataDirs('shares-');
const AT = new Date('2026-06-01T10:00:00+08:00');

const RULES = [
  '临海市科技与标准奖励办法',
  '第一条 为鼓励企业参与科技创新和标准化工作，制定本办法。',
  '第二条 主导制定国际标准的，每项奖励50万元；主导制定国家标准的，每项奖励20万元；主导制定浙江省地方标准的，每项奖励6万元。作为参与单位制定上述标准（排名前三）的，按主导奖励额度的40%给予奖励。',
  '第三条 承担国家级科技项目的牵头单位，奖励100万元。',
  '第四条 同一项目符合本办法多项奖励条件的，按就高原则给予奖励，不重复奖励。',
  '第五条 奖励每年集中申报一次，申报时间为每年第一季度，具体以市市场监督管理局发布的通知为准。',
  '第六条 本办法自2025年1月1日起施行，有效期5年。',
].join('\n');

describe('shares, windows and the 就高 rule of a published rules document', () => {
  const k = loadKnowledge(makeDataDir({ 'linhai.txt': RULES }));
  const ask = (q: string) => answerQuestion(k, q, AT);

  it("gives a participant's share, not the leader's full amount, and works it out for the item named", () => {
    const a = ask('临海我们只是参与制定国家标准，不是牵头的，能奖多少');
    const [lead, worked] = a.answer.split('\n');
    expect(lead).toContain('40%');
    expect(lead).not.toMatch(/^主导/);
    expect(worked).toContain('8万元');
    expect(a.citations[0].article).toBe('第二条');
    // Asked as the leader, the full amount leads.
    expect(ask('临海主导制定国家标准奖多少').answer.split('\n')[0]).toContain('20万元');
  });

  it('reads a share written in words (三分之一, 减半) and works it out', () => {
    const third = loadKnowledge(makeDataDir({ 'third.txt': RULES.replace('按主导奖励额度的40%给予奖励', '按主导奖励额度的三分之一给予奖励') }));
    const a = answerQuestion(third, '临海我们只是参与制定国家标准，不是牵头的，能奖多少', AT);
    expect(a.answer.split('\n')[0]).toContain('三分之一');
    expect(a.answer.split('\n')[1]).toContain('其三分之一为6.67万元');
    const half = loadKnowledge(makeDataDir({ 'half.txt': RULES.replace('按主导奖励额度的40%给予奖励', '减半给予奖励') }));
    expect(answerQuestion(half, '临海参与制定国际标准能奖多少', AT).answer.split('\n')[1]).toContain('减半为25万元');
  });

  it("says a document that sets only the leader's amount does not state a participant's, with no amount", () => {
    const leaderOnly = loadKnowledge(makeDataDir({ 'leader.txt': RULES.replace(/作为参与单位[^。]*。/, '') }));
    const a = answerQuestion(leaderOnly, '临海我们只是参与制定国家标准，能奖多少', AT);
    const lead = a.answer.split('\n')[0];
    expect(lead).toContain('没有写明');
    expect(lead).not.toMatch(/\d+\s*万元/);
    expect(a.citations[0].article).toBe('第二条');
  });

  it('answers "什么时候申报" with the window of days, not a count of working days', () => {
    const window = loadKnowledge(makeDataDir({ 'window.txt': [
      '台州市计量服务业发展若干措施',
      '一、支持计量校准机构建设',
      '新建社会公用计量标准的，每项补助5万元。',
      '二、申报程序',
      '每年4月1日至5月31日集中受理上一年度符合条件的事项。申报单位通过台州市惠企平台提交申请，审核结果公示5个工作日后拨付资金。',
    ].join('\n') }));
    const a = answerQuestion(window, '台州计量补助什么时候申报', AT);
    expect(a.answer.split('\n')[0]).toContain('4月1日至5月31日');
  });

  it('answers "能同时拿吗" no from the 就高 rule, cited; a document without the rule gives no verdict', () => {
    const a = ask('临海的国际标准奖励和科技项目奖励能同时拿吗');
    const lead = a.answer.split('\n')[0];
    expect(lead).toMatch(/^不能。.*就高/);
    expect(a.citations[0].article).toBe('第四条');
    expect(ask('临海两个奖励可以叠加吗').answer.split('\n')[0]).toMatch(/^不能。/);
    const other = loadKnowledge(makeDataDir({ 'other.txt': RULES.replace(/第四条[^\n]*\n/, '') }));
    const none = answerQuestion(other, '临海两个奖励可以叠加吗', AT);
    expect(none.answer).not.toMatch(/^不能|^可以/);
  });

  it('answers "什么时候申报" from a window given as a part of the year (每年第一季度)', () => {
    const a = ask('临海科技与标准奖励每年什么时候申报');
    expect(a.answer.split('\n')[0]).toContain('第一季度');
    expect(a.citations[0].article).toBe('第五条');
  });
});

const NOTICE = [
  '首页 > 政务公开 > 通知公告',
  '关于组织申报2026年度丽水市“丽水山耕”品牌培育项目的通知',
  '各县（市、区）市场监管局：',
  '一、支持对象',
  '在本市注册、从事农产品加工的企业。',
  '二、支持标准',
  '每个项目补助10万元。',
  '三、申报时间',
  '申报材料于2026年6月30日前报送。',
  '四、联系方式',
  '市市场监管局质量发展处：赵工，0578-2123456',
  '市财政局经济建设处：钱女士，0578-2654321',
  '系统技术支持：0578-2123999（工作日9:00—17:00）',
  '丽水市市场监督管理局',
  '2026年5月6日',
].join('\n');

describe("a notice's contact section", () => {
  const k = loadKnowledge(makeDataDir({ 'lishui.txt': NOTICE }));
  const ask = (q: string) => answerQuestion(k, q, AT);

  it('answers "打谁电话" from the contact section at the end, though it shares no word with the programme', () => {
    const a = ask('丽水山耕品牌项目申报有问题打谁电话');
    expect(a.found, a.answer).toBe(true);
    const lead = a.answer.split('\n')[0];
    expect(lead).toContain('赵工');
    expect(lead).toContain('0578-2123456');
    expect(lead).not.toMatch(/^联系方式/);
    expect(a.citations[0].article).toBe('四、');
    expect(ask('丽水山耕项目咨询电话多少').answer.split('\n')[0]).toContain('0578-2123456');
    // A labelled line with no comma ("系统技术支持：…") is kept as a clause of its section, brackets whole.
    expect(lead).toContain('系统技术支持：0578-2123999（工作日9:00—17:00）');
  });
});
