/** Grouping of unanswered questions: wordings, similarity, counts, last date and the handled flag. */
import { describe, expect, it } from 'vitest';
import { groupQuestions, wordingKey } from '../../src/web/unanswered.ts';

const entry = (question: string, at: number, handledAt: number | null = null, channel = 'telegram') => ({
  at,
  channel,
  chat: 'c',
  question,
  wording: wordingKey(question),
  reason: 'not_covered',
  reply: `答：${question}`,
  handledAt,
});

describe('wordingKey', () => {
  it('ignores punctuation, spaces, polite words, particles and Traditional characters', () => {
    expect(wordingKey('请问，北京市有没有電梯补贴吗？')).toBe(wordingKey('北京市有没有电梯补贴'));
    expect(wordingKey('北京市有没有电梯补贴')).not.toBe(wordingKey('上海市有没有电梯补贴'));
  });
});

describe('groupQuestions', () => {
  it('puts similar wordings in one group with the count, channels, last date and the newest reply', () => {
    const groups = groupQuestions([
      entry('北京市电梯维保有补贴吗', 300, null, 'wechat'),
      entry('北京市电梯维保补贴', 200),
      entry('佛山陶瓷出口退税怎么办理', 100),
    ]);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ count: 2, lastAt: 300, example: '北京市电梯维保有补贴吗', channels: ['wechat', 'telegram'], lastReply: '答：北京市电梯维保有补贴吗', handled: false });
    expect(groups[0].variants).toEqual(['北京市电梯维保有补贴吗', '北京市电梯维保补贴']);
    expect(groups[1].count).toBe(1);
  });

  it('a group is handled only when marked after its last question, and handled groups come last', () => {
    const groups = groupQuestions([entry('佛山陶瓷出口退税怎么办理', 500, 400), entry('北京市电梯维保补贴', 300, 350), entry('北京市电梯维保补贴吗', 200, 350)]);
    expect(groups.map((g) => [g.example, g.handled])).toEqual([
      ['佛山陶瓷出口退税怎么办理', false],
      ['北京市电梯维保补贴', true],
    ]);
  });
});

describe('frames on the unanswered page', () => {
  it('shows how each group was understood, naming the word no document uses', async () => {
    const { understand } = await import('../../src/knowledge/understand.ts');
    const { knowledge } = await import('../helpers/knowledge.ts');
    const { frameLine, withFrames } = await import('../../src/web/unanswered.ts');
    const groups = withFrames(groupQuestions([entry('江门社保补贴多少', 100)]), (q) => understand(knowledge(), q));
    expect(groups[0].frame?.places.covered).toEqual(['江门市']);
    const line = frameLine(groups[0].frame!);
    expect(line).toContain('地点：江门市');
    expect(line).toContain('文件中没有的词：社保');
  });
});
