/** The channel interface every adapter (console, Telegram, WeChat) implements, in the manner of Hubot's adapters. */
import type { IncomingMessage, OutgoingMessage } from './types.ts';

/** Called by a channel for each incoming message; resolves with the replies already sent. */
export type MessageHandler = (msg: IncomingMessage) => Promise<OutgoingMessage[]>;

/** A send failure the outbox may retry later (rate limit, network, puppet down). */
export class TemporarySendError extends Error {
  /** Builds the error; `retryAfterMs` is the platform's requested wait, when it gave one. */
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'TemporarySendError';
  }
}

/** A send failure that retrying cannot fix (chat gone, bot blocked). */
export class PermanentSendError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** A messaging channel: converts platform messages to and from neutral types. */
export interface Channel {
  /** Channel name used in chat addresses, such as "telegram". */
  readonly name: string;
  /** Starts receiving messages and passes each to `onMessage`. */
  start(onMessage: MessageHandler): Promise<void>;
  /** Sends one message; throws TemporarySendError or PermanentSendError on failure. */
  send(msg: OutgoingMessage): Promise<void>;
  /** Stops receiving and finishes sends in flight. */
  stop(): Promise<void>;
  /** Smallest gap between two sends to different chats, in ms (the broadcast pace). */
  readonly minSendIntervalMs?: number;
}
