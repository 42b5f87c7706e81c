/** The amount of an award no loaded document sets ("省政府质量奖奖金多少"): declined rather than guessed. */
import { notCovered } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';

/** Declines the amount of an award the corpus does not set. */
export const unknownAwardAmount: Answerer = {
  name: 'unknown award',
  answer: ({ k, frame, question, intent, qt, awards, covered }) => {
    const strange = frame.unknownAward;
    if (!strange || awards.length || qt !== 'money') return decline(strange ? 'not an amount question about it alone' : 'no unknown award named');
    return notCovered(k, question, intent, `现有政策文件没有写明${strange}的奖励金额`, undefined, covered[0]);
  },
};
