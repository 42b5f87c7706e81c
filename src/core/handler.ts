/** The handler contract: one handler per capability, tried in order by the dispatcher. */
import type { Knowledge } from '../knowledge/answer.ts';
import type { Entities } from '../nlu/entities.ts';
import type { IntentGuess } from '../nlu/intent-classifier.ts';
import type { IncomingMessage, OutgoingMessage } from './types.ts';

/** Everything a handler may look at while handling one message. */
export interface HandlerContext {
  /** The message as received. */
  msg: IncomingMessage;
  /** Normalised text: Simplified Chinese, half-width, bounded length. */
  text: string;
  /** The slash command, if the text starts with one ("/broadcast"), lower-cased. */
  command?: string;
  /** Text after the command. */
  args: string;
  /** Intent guess for the text. */
  intent: IntentGuess;
  /** Entities in the text. */
  entities: Entities;
  /** Whether the sender is configured staff on this channel. */
  isStaff: boolean;
  /** The bot's clock for this message. */
  now: Date;
  /** Policy knowledge. */
  knowledge: Knowledge;
}

/** A capability: decides whether a message is for it and produces replies. */
export interface Handler {
  /** Short name for logs. */
  readonly name: string;
  /** Handles the message and returns replies, or undefined to pass it on. */
  handle(ctx: HandlerContext): Promise<OutgoingMessage[] | undefined>;
}
