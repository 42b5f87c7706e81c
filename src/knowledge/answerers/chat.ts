/** Small talk (a greeting, thanks, a call for help): a canned reply, when the classifier is sure and the message short. */
import { chatReply } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';

/** Intents that are conversation, not policy questions. */
export const CHAT_INTENTS = new Set(['greeting', 'help', 'thanks']);

/** Answers small talk. */
export const smallTalk: Answerer = {
  name: 'small talk',
  answer: ({ k, frame, question, q, intent }) =>
    CHAT_INTENTS.has(intent) && frame.confidence > 0.6 && q.length <= 12
      ? { question, intent, found: false, answer: chatReply(intent, k), citations: [] }
      : decline(CHAT_INTENTS.has(intent) ? `small talk, but not sure (${frame.confidence.toFixed(2)}) or too long` : `intent ${intent} is not small talk`),
};
