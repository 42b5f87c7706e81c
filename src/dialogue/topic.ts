/** The chat's topic: what the last answer was about, kept with the chat state so that follow-ups can drop the subject. */
import { z } from 'zod';
import { questionFrameSchema } from '../nlu/frame.ts';

/** Longest whole-clause text kept for "原文". */
const WHOLE_MAX = 20_000;

/** Schema of a saved topic; a damaged one is dropped (the chat goes on without context). */
export const topicSchema = z.object({
  /** The question the last answer answered, with the subject filled in ("开平优秀奖有效期几年"). */
  q: z.string().min(1).max(2000),
  /** The words of `q` that name its subject ("开平优秀奖", "汕头的质量行动计划"); empty when it names none. */
  subject: z.string().max(400),
  /** Documents the answer cited (ids). */
  docs: z.array(z.string().max(200)).max(20),
  /** The award the question was about (its full name), if any. */
  award: z.string().max(200).optional(),
  /** The region the question was about ("开平市"), if any. */
  place: z.string().max(100).optional(),
  /** When the answer was given (ISO); the topic lapses after a quiet period. */
  at: z.string().datetime({ offset: true }),
  /** The frame the last answer answered (what was asked: type, places, awards, terms); a follow-up's frame is merged with it. */
  frame: questionFrameSchema.optional().catch(undefined),
  /** The whole clauses behind the answer, sent when the user replies "原文". */
  whole: z.string().max(WHOLE_MAX).optional(),
});

/** What the chat is talking about. */
export type Topic = z.infer<typeof topicSchema>;

/** Default quiet period after which a topic lapses (TOPIC_TTL_MINUTES). */
export const DEFAULT_TOPIC_TTL_MINUTES = 30;

/** Reads a saved topic; anything damaged gives no topic. */
export function reviveTopic(raw: unknown): Topic | undefined {
  const r = topicSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

/** Whether the topic is still current at `now` (answered less than `ttlMinutes` ago, and not in the future). */
export function isLive(topic: Topic | undefined, now: Date, ttlMinutes: number): topic is Topic {
  if (!topic) return false;
  const age = now.getTime() - Date.parse(topic.at);
  return age >= 0 && age <= ttlMinutes * 60_000;
}

/** Cuts the whole-clause text to what a topic keeps. */
export function boundedWhole(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return text.length > WHOLE_MAX ? `${text.slice(0, WHOLE_MAX - 1)}…` : text;
}

/** How a message was read against the topic. */
export type TopicUse = 'new' | 'own-subject' | 'follow-up' | 'what-about' | 'correction' | 'form';

/** The `data.topic` of an answer: which topic it used, for tests and staff. */
export function topicData(topic: Topic | undefined, use: TopicUse): Record<string, unknown> | undefined {
  if (!topic) return undefined;
  return { docs: topic.docs, award: topic.award ?? null, place: topic.place ?? null, asked: topic.q, use };
}
