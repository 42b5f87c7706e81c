import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { ASKED, knowledge } from '../helpers/knowledge.ts';

/** The answer as a chat reader sees it first: warnings aside, the first 200 characters. */
function head(q: string): string {
  const a = answerQuestion(knowledge(), q, ASKED);
  return [...a.answer.split('\n').filter((l) => !l.startsWith('⚠')).join('\n')].slice(0, 200).join('');
}

describe('a message that asks several things', () => {
  it('answers both questions when a space stands where a question mark was meant', () => {
    const text = head('中山流通领域商品质量专项检查谁负责 每年几次');
    expect(text).toContain('市工商局');
    expect(text).toContain('4次以上');
  });

  it('answers a who-question after a what-question with the bodies the clause names', () => {
    const text = head('中山的城市质量精神是啥 谁负责宣传');
    expect(text).toContain('精品城市');
    expect(text).toContain('领导小组办公室');
  });

  it('looks for the second answer first in the document of the first', () => {
    const text = head('开平卫浴质量优秀奖申报材料交给哪个部门？奖金钱谁出');
    expect(text).toContain('市市场监管局');
    expect(text).toContain('市财政');
  });

  it('does not send a second question to another clause when the answer already says it', () => {
    const a = answerQuestion(knowledge(), '江门到2025年管理体系认证企业要多少家 证书多少张', ASKED);
    expect(a.answer).toContain('7500张');
    expect(a.citations).toHaveLength(1);
  });
});

describe('the clause that decides', () => {
  it('quotes the sentence that grants the asked benefit, not one that only mentions it', () => {
    const text = head('中山检验检测公共技术服务平台建设有资金扶持吗');
    expect(text).toMatch(/有。/);
    expect(text).toContain('给予资金扶持');
  });

  it('answers how many may win with the clause that sets no limit', () => {
    expect(head('開平水暖衛浴產品質量優秀獎每年限幾家企業得獎嗎？')).toContain('不限获奖企业家数');
  });
});
