/** The words of a document's title choose the document; within it, the rest of the question chooses the clause. */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { ASKED, knowledge } from '../helpers/knowledge.ts';

const ask = (q: string) => answerQuestion(knowledge(), q, ASKED);

describe('the words of a document title choose the document, not the clause', () => {
  it('a question naming the award in full is answered by the clause that answers it, not one that repeats the name', () => {
    const a = ask('开平水暖卫浴优秀奖公示几天');
    expect(a.answer).toMatch(/10\s*天/);
    expect(a.citations[0].article).toMatch(/^第六条/);
  });
});
