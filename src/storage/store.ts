/** The narrow storage interface; SQLite is the embedded default and another engine can implement it later. */

/** A chat subscribed to notices. */
export interface Subscriber {
  channel: string;
  chat: string;
  tags: string[];
}

/** An award an enterprise registered for expiry reminders. */
export interface AwardRecord {
  id: number;
  channel: string;
  chat: string;
  /** Date the award was granted, YYYY-MM-DD. */
  awardedOn: string;
  /** Last valid day, YYYY-MM-DD (awardedOn + 3 years − 1 day). */
  expires: string;
}

/** A publicity period announced by staff. */
export interface PublicityRecord {
  id: number;
  title: string;
  /** First day, YYYY-MM-DD. */
  starts: string;
  /** Last day, YYYY-MM-DD (starts + 9 days). */
  ends: string;
}

/** One message waiting in, or done with, the outbox. */
export interface OutboxItem {
  id: number;
  /** Unique key that makes enqueueing idempotent, such as "award:12:expiring:30". */
  key: string;
  channel: string;
  chat: string;
  text: string;
  data?: Record<string, unknown>;
  /** Earliest time to send, ms since epoch. */
  dueAt: number;
  attempts: number;
  state: 'pending' | 'sending' | 'sent' | 'failed';
  /** Broadcast this delivery belongs to, if any. */
  broadcastId?: string;
}

/** Storage used by the core; every method is one atomic operation. */
export interface Store {
  /** Reads the saved dialogue state of a chat (a versioned JSON value), or undefined. */
  getChatState(channel: string, chat: string): Promise<unknown | undefined>;
  /** Saves the dialogue state of a chat. */
  saveChatState(channel: string, chat: string, state: unknown): Promise<void>;
  /** Closes the store, flushing pending writes. */
  close(): Promise<void>;
}
