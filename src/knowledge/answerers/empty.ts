/** An empty message: a prompt to ask a policy question. */
import { type Answerer, decline } from '../context.ts';

/** Answers a message with no text. */
export const emptyQuestion: Answerer = {
  name: 'empty',
  answer: ({ q, question }) =>
    q ? decline('the message has text') : { question, intent: 'empty', found: false, answer: '您好，请直接输入您想了解的政策问题，例如某个奖项的奖励金额、申报条件或某市的认证目标。', citations: [] },
};
