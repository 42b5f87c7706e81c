/**
 * The deadline answer gives 可以/不能 only to a yes/no question ("现在还能报吗"); a "when" question gets the date and
 * whether it has passed, never a verdict it did not ask for. The notice here is invented.
 */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { dataDirs } from '../helpers/data-dir.ts';

const makeDataDir = dataDirs('deadline-verdict-');

const NOTICE = [
  '关于组织申报2026年度临江市质量品牌奖励的通知',
  '各有关企业：',
  '一、申报对象。在临江市登记注册的工业企业。',
  '二、奖励标准。获得临江市市长质量奖的，奖励50万元。',
  '三、申报时间。申报材料请于2026年5月31日前报送市市场监督管理局。',
].join('\n');

describe('deadline verdicts', () => {
  const k = loadKnowledge(makeDataDir({ 'linjiang.txt': NOTICE }));

  it('answers "still open?" with 不能了 once the deadline has passed, and 可以 before it', () => {
    expect(answerQuestion(k, '临江质量品牌奖励现在还能申报吗', new Date('2026-06-01T10:00:00+08:00')).answer).toMatch(/^不能了/);
    expect(answerQuestion(k, '临江质量品牌奖励现在还能申报吗', new Date('2026-05-20T10:00:00+08:00')).answer).toMatch(/^可以/);
  });

  it('answers a "when" question with the date and no 可以/不能', () => {
    const a = answerQuestion(k, '临江质量品牌奖励今年什么时候截止申报', new Date('2026-06-01T10:00:00+08:00'));
    const lead = a.answer.split('\n')[0];
    expect(lead).toContain('2026年5月31日');
    expect(lead).not.toMatch(/^(可以|不能)/);
  });
});
