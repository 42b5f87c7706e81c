/** Where materials are sent: answered from the clause ingest typed as saying it, or said plainly to be not stated. */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { ASKED, knowledge } from '../helpers/knowledge.ts';

const ask = (q: string) => answerQuestion(knowledge(), q, ASKED);

describe('where to submit', () => {
  it('quotes the clause that says where the applicant sends the materials, in any phrasing the glossary covers', () => {
    for (const q of ['开平水暖优秀奖申报材料交到哪里', '开平水暖优秀奖材料送哪', '开平水暖优秀奖在哪申报']) {
      const a = ask(q);
      expect(a.found, q).toBe(true);
      expect(a.answer.split('\n').find((l) => !l.startsWith('⚠️')), q).toContain('报送市市场监管局');
      expect(a.citations[0].article, q).toMatch(/^第六条/);
    }
  });

  it('asked about applying online, says the document states no online way and gives the way it states', () => {
    const a = ask('开平水暖优秀奖能网上申报吗');
    expect(a.answer).toMatch(/没有写明可以网上申报/);
    expect(a.answer).toContain('报送市市场监管局');
  });

  it('says plainly when the document asked about does not state it, and guesses nothing', () => {
    const a = ask('江门认证奖励的申报材料交到哪');
    expect(a.found).toBe(false);
    expect(a.answer).toMatch(/没有写明申报材料的报送地点或方式/);
  });

  it('leaves a question about where a thing is to the where-answer', () => {
    expect(ask('开平培训基地地址在哪').answer).toContain('水口水暖卫浴创新中心');
  });
});
