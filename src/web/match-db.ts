/** The console's SQL for match notices: active subscribers with their saved chat state, and the notices already queued. */
import type { ConsoleStore } from './console-db.ts';
import type { SubscriberState } from '../dialogue/match-notice.ts';
import { reviveChatState } from '../dialogue/conversation.ts';
import { cancelMatchNotices } from '../storage/sql/chats.ts';

/** Active subscribers with their saved dialogue state (undefined when the chat has none or it is not JSON). */
export function activeSubscriberStates(db: ConsoleStore): Promise<SubscriberState[]> {
  return db.runExclusive(async (c) => {
    const rows = await c.all<{ channel: string; chat: string; state: string | null }>(
      'SELECT s.channel, s.chat, c.state FROM subscribers s LEFT JOIN chat_state c ON c.channel = s.channel AND c.chat = s.chat WHERE s.active = 1 ORDER BY s.channel, s.chat',
    );
    return rows.map((r) => {
      let state: unknown;
      try {
        state = r.state ? JSON.parse(r.state) : undefined;
      } catch {
        state = undefined;
      }
      return { channel: r.channel, chat: r.chat, state };
    });
  });
}

/**
 * Cancels a chat's queued match notices when its saved state says it opted out: run after queuing, so that an opt-out
 * saved while staff were confirming (after the candidates were read) still stops the notice, in one transaction.
 */
export function cancelIfOptedOut(db: ConsoleStore, channel: string, chat: string): Promise<number> {
  return db.runExclusive(async (c) => {
    const row = await c.get<{ state: string }>('SELECT state FROM chat_state WHERE channel = ? AND chat = ?', [channel, chat]);
    let optedOut = false;
    try {
      optedOut = Boolean(row && reviveChatState(JSON.parse(row.state)).matchOptOut);
    } catch {
      optedOut = false;
    }
    return optedOut ? cancelMatchNotices(c, channel, chat) : 0;
  }, true);
}

/** Outbox keys that start with `prefix` (the notices of one award version queued already). */
export function queuedKeys(db: ConsoleStore, prefix: string): Promise<Set<string>> {
  return db.runExclusive(async (c) => {
    const rows = await c.all<{ key: string }>("SELECT key FROM outbox WHERE key LIKE ? ESCAPE '\\'", [`${prefix.replace(/[\\%_]/g, (x) => `\\${x}`)}%`]);
    return new Set(rows.map((r) => r.key));
  });
}
