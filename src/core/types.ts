/** Neutral message types shared by the core and every channel; nothing here knows about Telegram or WeChat. */

/** One choice offered to the user; channels render it as a button or as numbered text. */
export interface Choice {
  /** Text shown to the user. */
  label: string;
  /** Text fed back into the core when the choice is picked. */
  value: string;
}

/** A message arriving from any channel, already converted to neutral form. */
export interface IncomingMessage {
  /** Channel name, such as "console", "telegram" or "wechat". */
  channel: string;
  /** Conversation identifier, unique within the channel. */
  chat: string;
  /** Sender identifier, unique within the channel. */
  user: string;
  /** Plain text of the message (may be empty). */
  text: string;
  /** The bot's clock for this message. */
  at: Date;
  /** In a group chat, whose conversation this is (the sender): each member keeps their own context and pre-check. */
  thread?: string;
}

/** A message the core wants delivered; `choices` is a rich part that channels may flatten to text. */
export interface OutgoingMessage {
  /** Conversation the message goes to. */
  chat: string;
  /** Plain text, Simplified Chinese. */
  text: string;
  /** Optional quick replies; channels without buttons render them as numbered text. */
  choices?: Choice[];
  /** Machine-readable meaning of the message, such as a pre-check question or a reminder. */
  data?: Record<string, unknown>;
  /**
   * More behind the message, one step away: the whole clauses behind a trimmed answer. Channels with rich text show
   * `text` expandable; the others offer "回复 原文" and send `value` (a command the core understands) when the user does.
   */
  more?: { value: string; text: string };
  /**
   * Which goes first where a platform caps the send rate: a step a person is waiting on, an answer, or a bulk send
   * (broadcast, reminder). Unset: a message offering choices is a step, any other an answer.
   */
  urgency?: 'step' | 'reply' | 'bulk';
}

/** The answer's types live with the answerer that produces them. */
export type { Citation, PolicyAnswer } from '../knowledge/answer-types.ts';
