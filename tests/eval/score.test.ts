import { describe, expect, it } from 'vitest';
import { judge, judgeStrict, leadOf, lengthStats, typeMatches, type EvalItem, type ScoredAnswer } from '../../eval/score.ts';

const found = (answer: string, title = '佛山市质量标杆奖评选管理办法'): ScoredAnswer => ({ found: true, answer, citations: [{ title, article: '第十条' }] });
const item = (over: Partial<EvalItem> = {}): EvalItem => ({ id: 't', question: 'q', doc: 'fs', facts: ['100万'], found: true, ...over });
const title = () => '佛山市质量标杆奖评选管理办法';

describe('eval scoring', () => {
  it('passes a cited answer holding the fact, and fails a wrong document, a missing fact or a wrong found', () => {
    expect(judge(item(), found('每家一次性奖励100万元。'), title).pass).toBe(true);
    expect(judge(item(), found('每家一次性奖励100万元。', '开平市水暖卫浴产品质量优秀奖评审管理办法'), title).why).toMatch(/wrong doc/);
    expect(judge(item(), found('颁发奖牌和证书。'), title).why).toBe('missing 100万');
    expect(judge(item({ doc: null, facts: [], found: false }), found('x'), title).pass).toBe(false);
  });

  it('strict wants the fact within the first 200 characters, warnings aside', () => {
    const late = `${'甲'.repeat(210)}100万元`;
    expect(judge(item(), found(late), title).pass).toBe(true);
    expect(judgeStrict(item(), found(late), title)).toBe(false);
    expect(judgeStrict(item(), found(`⚠️ ${'乙'.repeat(300)}\n奖励100万元`), title)).toBe(true);
  });

  it('reads the lead after the ⚠️ line and matches each answer type', () => {
    expect(leadOf('⚠️ 已过期\n原办法规定：可以。\n依据：…')).toBe('原办法规定：可以。');
    expect(typeMatches('when', found('申报截止时间为2025年6月30日。'))).toBe(true);
    expect(typeMatches('when', found('5个工作日内补正。'))).toBe(true);
    expect(typeMatches('when', found('由市市场监督管理局负责。'))).toBe(false);
    expect(typeMatches('quantity', found('每届最多8个。'))).toBe(true);
    expect(typeMatches('quantity', found('每两年评选一届。'))).toBe(true);
    expect(typeMatches('quantity', found('由评审委员会审定。'))).toBe(false);
    expect(typeMatches('who', found('由市市场监督管理局负责受理。'))).toBe(true);
    expect(typeMatches('who', found('每家奖励100万元。'))).toBe(false);
    expect(typeMatches('yesno', found('⚠️ 注意：已到期\n原办法规定：不可以，不得挪作他用。'))).toBe(true);
    expect(typeMatches('yesno', found('不需要，申报不收取任何费用。'))).toBe(true);
    expect(typeMatches('yesno', found('按原文件的规定：可以，期满可重新申报。'))).toBe(true);
    expect(typeMatches('yesno', found('会。联合人社部门，表彰一批…'))).toBe(true);
    expect(typeMatches('yesno', found('有效期为4年。'))).toBe(false);
    expect(typeMatches('yesno', found('奖励资金由市财政列入预算。'))).toBe(false);
    expect(typeMatches('list', found('城中村、建筑工地、中小学校园。'))).toBe(true);
    expect(typeMatches('list', found('1. 技术中心\n2. 工程中心\n依据：…'))).toBe(true);
    expect(typeMatches('list', found('在专业镇推广联盟标准。\n依据：…'))).toBe(false);
    expect(typeMatches('none', { found: false, answer: '抱歉', citations: [] })).toBe(true);
    expect(typeMatches('when', { found: false, answer: '2025年', citations: [] })).toBe(false);
  });

  it('gives median, nearest-rank p90, max and the count over 500', () => {
    expect(lengthStats([100, 300, 200, 600, 400, 700, 800, 900, 1000, 50])).toEqual({ n: 10, median: 500, p90: 900, max: 1000, over500: 5 });
    expect(lengthStats([])).toEqual({ n: 0, median: 0, p90: 0, max: 0, over500: 0 });
  });
});
