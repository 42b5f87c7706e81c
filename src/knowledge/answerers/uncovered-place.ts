/** A question about places no loaded document comes from: declined, naming the place and its office. */
import { notCovered } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';

/** Declines a question that names only places the corpus does not cover. */
export const uncoveredPlace: Answerer = {
  name: 'uncovered place',
  answer: ({ k, frame, question, intent, covered }) => {
    const other = frame.places.uncovered;
    if (!other.length || covered.length) return decline(other.length ? 'a covered place is named too' : 'no uncovered place named');
    return notCovered(k, question, intent, `现有政策库未收录${other[0]}的相关政策`, other[0]);
  },
};
