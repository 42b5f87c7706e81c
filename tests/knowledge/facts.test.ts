import { describe, expect, it } from 'vitest';
import { addYearsLessADay, deriveAwards, deriveValidity } from '../../src/knowledge/derive.ts';
import { extractFacts, sentencesOf } from '../../src/knowledge/facts.ts';
import type { Unit } from '../../src/knowledge/policy-schema.ts';

const unit = (article: string, text: string): Unit => ({ id: `t#${article}`, docId: 't', title: '测试市办法', region: '测试市', article, heading: '', text, kind: 'article', line: 1 });
const facts = (text: string) => extractFacts(sentencesOf({ text }));
const of = (text: string, type: string) => facts(text).filter((f) => f.type === type).map((f) => f.text);

describe('typed facts found at ingest', () => {
  it('reads amounts in yuan, per unit, with floors and ceilings', () => {
    const f = facts('获奖企业每检验合格一次奖励人民币 3 千元，即每家获奖企业最少奖励 9 千元。');
    const amounts = f.filter((x) => x.type === 'amount');
    expect(amounts.map((a) => [a.value, a.per, a.bound])).toEqual([[3000, '次', undefined], [9000, '家', 'min']]);
    expect(facts('每家奖励100万元，配套资金不高于60万元。').filter((x) => x.type === 'amount').map((a) => [a.value, a.bound])).toEqual([[1_000_000, undefined], [600_000, 'max']]);
  });

  it('tells durations, deadlines, dates, cadences, quotas, thresholds and prohibitions apart', () => {
    expect(of('荣誉称号有效期为4年。', 'duration')).toEqual(['有效期为4年']);
    expect(of('材料不齐全的，应当在5个工作日内补正。', 'deadline')).toEqual(['5个工作日内']);
    expect(of('5个工作日内补正。', 'count')).toEqual([]);
    expect(of('申报截止时间为2025年6月30日。', 'deadline')).toEqual(['申报截止时间为2025年6月30日']);
    expect(of('申报时间：2026年5月15日至2026年6月19日17:00，逾期不予受理。', 'deadline')).toEqual(['申报时间：2026年5月15日至2026年6月19日17:00']);
    expect(of('请于2026年6月19日前报送。', 'deadline')).toEqual(['于2026年6月19日前']);
    expect(of('符合条件的企业应于每年3月31日前提出申请。', 'deadline')).toEqual(['于每年3月31日前']);
    expect(of('争取到2025年,全市超过5300家。', 'date')).toEqual(['到2025年']);
    expect(of('标杆奖每两年评选一届，每届获奖企业最多8个。', 'cadence')).toEqual(['每两年评选一届']);
    expect(of('标杆奖每两年评选一届，每届获奖企业最多8个。', 'quota')).toEqual(['最多8个']);
    expect(of('综合评分在800分以上的企业。', 'threshold')).toEqual(['800分以上']);
    expect(of('评选不收取任何费用，不得用于产品包装。', 'prohibition')).toEqual(['不收取', '不得']);
    expect(of('围绕第十四个五年规划开展工作。', 'duration')).toEqual([]);
    expect(of('围绕第十四个五年规划开展工作。', 'count')).toEqual([]);
    expect(of('培训基地设在水口创新中心，由协会管理。', 'place')).toEqual(['设在水口创新中心']);
  });

  it('reads where materials are sent: an office, an online system, a labelled place; an office passing them on is marked', () => {
    const submit = (text: string) => facts(text).filter((f) => f.type === 'submit');
    expect(submit('申报单位下载并填写申请表，连同证明材料报送所在区、县（市）市场监督管理局。').map((f) => [f.text, f.relay, f.online])).toEqual([['报送所在区、县（市）市场监督管理局', undefined, undefined]]);
    expect(of('符合条件的企业向所在区市场监督管理部门提交申报材料。', 'submit')).toEqual(['向所在区市场监督管理部门提交']);
    expect(of('市本级企业直接报送至某市市场监督管理局标准化处（某市某路1号）。', 'submit')).toEqual(['报送至某市市场监督管理局标准化处（某市某路1号）']);
    expect(submit('申报单位通过“某省政务服务网”在线填报。').map((f) => [f.text, f.online])).toEqual([['通过“某省政务服务网”在线填报', true]]);
    expect(submit('受理地点：市民中心三楼12号窗口。').map((f) => [f.text, f.clause])).toEqual([['受理地点：市民中心三楼12号窗口', '受理地点：市民中心三楼12号窗口']]);
    expect(submit('各区市场监督管理局负责初审，并于7月15日前将初审意见汇总报送市市场监督管理局。').map((f) => f.relay)).toEqual([true]);
    // Materials listed, a form downloaded: nothing is sent anywhere yet.
    expect(of('申报单位须提交以下材料，纸质材料一式两份，并同时报送电子版：', 'submit')).toEqual([]);
    expect(of('申报单位登录某市市场监督管理局网站下载并填写申请表。', 'submit')).toEqual([]);
  });

  it('names responsible bodies and role holders', () => {
    expect(of('奖励资金由市财政统筹安排解决。', 'body')).toContain('市财政');
    expect(of('评审委员会主任由分管质量工作的副市长担任。', 'body')).toContain('副市长');
  });
});

describe('what ingest derives from a document', () => {
  it('reads the lapse date from "施行…有效期N年", counting the day before the anniversary', () => {
    const v = deriveValidity('测试市办法', [unit('第一条', '为了规范评审，制定本办法。'), unit('第十二条', '第十二条 本办法自 2016 年 10 月 1 日起施行。有效期 5 年。')]);
    expect(v).toMatchObject({ effective: '2016-10-01', expires: '2021-09-30', source: '第十二条' });
    expect(addYearsLessADay('2024-01-01', 4)).toBe('2027-12-31');
  });

  it('reads a plan period from the title, and no lapse date when nothing says so', () => {
    expect(deriveValidity('某市工业产品质量提升三年行动计划(2018-2020年)', [])).toMatchObject({ expires: '2020-12-31' });
    expect(deriveValidity('某市贯彻实施质量发展纲要2013年重点行动计划', [])).toMatchObject({ expires: '2013-12-31' });
    expect(deriveValidity('某市加强质量认证体系建设实施方案', [unit('一、', '一、到2025年，认证企业超过5300家。')])).toEqual({});
  });

  it('finds the award a title sets, without its place', () => {
    expect(deriveAwards('开平市水暖卫浴产品质量优秀奖评审管理办法', '开平市')).toEqual(['水暖卫浴产品质量优秀奖']);
    expect(deriveAwards('佛山市质量标杆奖评选管理办法', '佛山市')).toEqual(['质量标杆奖']);
    expect(deriveAwards('某市工业产品质量提升三年行动计划', '某市')).toEqual([]);
  });
});

describe('a part of the year as a date', () => {
  it('types 第一季度, 一季度, 上半年, 3月底前 and 每年4月 as dates, and 每季度 as a cadence', () => {
    const dates = (s: string) => extractFacts([s]).filter((f) => f.type === 'date').map((f) => f.text);
    expect(dates('每年第一季度通过平台在线申报上一年度事项。')).toEqual(['第一季度']);
    expect(dates('每年一季度集中受理。')).toEqual(['一季度']);
    expect(dates('上半年完成评审。')).toEqual(['上半年']);
    expect(dates('申报材料于3月底前报送。')).toEqual(['3月底前']);
    expect(dates('每年4月发布申报通知。')).toEqual(['4月']);
    expect(dates('每季度评选一次。')).toEqual([]);
  });
});
