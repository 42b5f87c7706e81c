/** A verdict only where a clause gives it: benefits, duties, years and procedural details the documents do not state. */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { ASKED, knowledge } from '../helpers/knowledge.ts';

const ask = (q: string) => answerQuestion(knowledge(), q, ASKED);
/** The answer's lead: the first line after any lapse warning, without the "原办法规定：" framing of a lapsed rule. */
const lead = (a: { answer: string }) => a.answer.split('\n').find((l) => !l.startsWith('⚠️'))!.replace(/^原[\u4e00-\u9fff]{1,3}规定：/, '');
const VERDICT = /^(是|不是|有|没有|可以|不可以|需要|不需要|必须)[。，]/;

describe('a verdict only where a clause gives it', () => {
  it('gives no 是 to a duty no clause imposes, and says what the nearest clause speaks of', () => {
    const a = ask('四川的企业质量信用等级评定，是不是每家企业都必须参加？');
    expect(lead(a)).not.toMatch(VERDICT);
    expect(lead(a)).toMatch(/谈到了.+但没有写明每家企业都必须参加/);
    expect(a.citations[0].title).toContain('四川');
  });

  it('gives no 有 to a benefit the clause grants to someone else', () => {
    const a = ask('新招的大学生有没有就业补贴');
    expect(lead(a)).not.toMatch(VERDICT);
    expect(lead(a)).toContain('没有写明');
    const refund = ask('江门企业做认证，政府给不给报销认证费？');
    expect(lead(refund)).toMatch(/没有写明.*报销/);
    expect(lead(ask('中山规上企业不设首席质量官会被罚款吗'))).toContain('没有写明');
  });

  it('still gives the verdict where the clause grants it', () => {
    expect(lead(ask('中山检验检测公共技术服务平台建设有资金扶持吗'))).toMatch(/^有。/);
    expect(lead(ask('优秀奖奖金多少'))).toContain('3000元');
  });

  it('says a procedural detail is not stated instead of pasting a nearby clause', () => {
    const deadline = ask('开平优秀奖今年申报几号截止？');
    expect(deadline.found).toBe(false);
    expect(deadline.answer).toContain('没有写明具体日期');
    const site = ask('开平水暖优秀奖申报表在哪个网站下载');
    expect(site.answer).toContain('没有写明网址');
    expect(site.answer).not.toContain('公众网');
    expect(ask('开平市场监管局受理优秀奖申报的电话多少').answer).toContain('没有写明联系电话');
  });

  it('answers a procedural detail the documents do state', () => {
    expect(ask('优秀奖拟获奖名单要公示几天啊').answer).toContain('10天');
  });

  it('says a target year the clause does not speak of is not stated, then what the clause does say', () => {
    const a = ask('江门2023年管理体系认证企业要达到多少家');
    const lines = a.answer.split('\n');
    expect(lines[0]).toContain('没有写明2023年');
    expect(lines[1]).toContain('2025年');
    expect(ask('江门到2025年管理体系认证企业要达到多少家').answer.split('\n')[0]).toContain('5300家');
  });
});
