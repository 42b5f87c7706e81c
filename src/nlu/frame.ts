/**
 * The question frame: what one question asks, understood once, before any clause is looked at. It is plain data
 * (serialisable, zod-validated when read back) so that a conversation can keep it as its topic, edit it (another
 * place, another award) and have it answered again; see `understand` (knowledge/understand.ts) and `answerFrame`.
 */
import { z } from 'zod';
import { QUESTION_TYPES } from './question.ts';

/** Version of the frame's shape; a stored frame of another version is understood again from its text. */
export const FRAME_VERSION = 1;

const questionType = z.enum(QUESTION_TYPES);

/** Schema of a question frame. */
export const questionFrameSchema = z.object({
  version: z.literal(FRAME_VERSION),
  /** The question as the user sent it. */
  text: z.string(),
  /** The text every matcher reads: bounded, Simplified, half-width, without invisible format characters. */
  normalized: z.string(),
  /** The script the user wrote in (Traditional is understood through its Simplified form). */
  script: z.enum(['simplified', 'traditional', 'english', 'mixed', 'none']),
  /** The intent the classifier chose, and how sure it was. */
  intent: z.string(),
  confidence: z.number(),
  /** The type of the (first) question, which decides the fact looked for. */
  type: questionType,
  /** The questions of a message that asks several ("谁牵头？多久评一次"), each with its own type. */
  parts: z.array(z.object({ text: z.string(), type: questionType })),
  /** Places named: those the corpus covers (full names) and those it does not. */
  places: z.object({ covered: z.array(z.string()), uncovered: z.array(z.string()) }),
  /** Awards and programmes named, by the names the documents give them. */
  awards: z.array(z.string()),
  /** An award the question names that no loaded document sets ("省政府质量奖"). */
  unknownAward: z.string().optional(),
  /** Documents the question points at (by an award they set), by id. */
  documents: z.array(z.string()),
  /** Topic terms with their weights, in the order the question gives them. */
  terms: z.array(z.tuple([z.string(), z.number()])),
  /** Topic words the corpus never uses (社保, 个税): a sign the question is outside the documents. */
  foreign: z.array(z.string()),
  /** The user's own facts: a count of times, a number of years, dates, plain numbers. */
  facts: z.object({ times: z.number().optional(), years: z.number().optional(), dates: z.array(z.string()), numbers: z.array(z.number()) }),
  /** For a yes/no question: the thing asked about (补贴, 免检) and the verb before it (参加). */
  yesno: z.object({ object: z.string().optional(), predicate: z.string().optional() }).optional(),
  /** Whether the question is about a document itself: the list of a place's documents, its validity, its issuance. */
  about: z.object({ documentList: z.boolean(), validity: z.boolean(), issuance: z.boolean() }),
});

/** What one question asks. */
export type QuestionFrame = z.infer<typeof questionFrameSchema>;

/** The script of a text: Traditional when simplifying changes it, English when it has letters and no Chinese. */
export function scriptOf(text: string, simplified: string): QuestionFrame['script'] {
  const cjk = (text.match(/[\u4e00-\u9fff]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]{2,}/g) ?? []).length;
  if (!cjk) return latin ? 'english' : 'none';
  if (latin >= 3) return 'mixed';
  return simplified !== text ? 'traditional' : 'simplified';
}
