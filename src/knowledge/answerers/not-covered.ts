/** The last answerer: the corpus does not cover the question; says so, naming the unknown topic if there is one. */
import { notCovered } from '../compose.ts';
import type { Answerer } from '../context.ts';

/** Declines politely, naming the topic the documents do not speak of. */
export const notCoveredAnswerer: Answerer = {
  name: 'not covered',
  answer: ({ k, question, intent, frame, covered }) => {
    const foreign = frame.foreign;
    return notCovered(k, question, intent, foreign.length ? `现有政策文件没有涉及“${foreign[0]}”的条款` : '现有政策库没有涉及这个问题的条款', undefined, covered[0]);
  },
};
