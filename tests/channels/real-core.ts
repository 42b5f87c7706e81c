/**
 * The real core for end-to-end channel tests, assembled the way src/runtime.ts and src/main.ts assemble it: the policy
 * knowledge, a SQLite store in a temp file, the scheduling handlers, the Bot, and a DeliveryService over the channels;
 * each channel's handler is main.ts's (send the replies, keep a failed one in the outbox).
 */
import { channelHandler } from '../../src/runtime.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from '../../src/core/bot.ts';
import type { Channel, MessageHandler } from '../../src/core/channel.ts';
import { createSchedulingHandlers } from '../../src/core/handlers/index-scheduling.ts';
import type { IncomingMessage, OutgoingMessage } from '../../src/core/types.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { precheckEligibility } from '../../src/dialogue/eligibility.ts';
import { DeliveryService, type DeliveryOptions } from '../../src/scheduling/delivery-service.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { waitFor } from '../helpers/wait.ts';
export { waitFor };

/** A reply that could not be sent at once and was queued in the outbox, as main.ts does. */
export interface QueuedReply {
  channel: string;
  reply: OutgoingMessage;
  error: unknown;
}

/** A clock that starts at `iso` when created and then runs at real speed: dates are fixed, pacing still works. */
export function clockFrom(iso: string): () => Date {
  const base = new Date(iso).getTime();
  const started = performance.now();
  return () => new Date(base + Math.round(performance.now() - started));
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The real bot core over a temp SQLite file, with main.ts's message handler for each channel. */
export class RealCore {
  /** Every message the core was given, in order. */
  readonly incoming: IncomingMessage[] = [];
  /** Replies that failed to send at once and went to the outbox. */
  readonly queuedReplies: QueuedReply[] = [];
  /** The delivery service, once `deliver` was called. */
  delivery!: DeliveryService;
  private inFlight = 0;

  private constructor(
    readonly bot: Bot,
    readonly store: SqliteStore,
    readonly dir: string,
    private readonly clock: () => Date,
  ) {}

  /**
   * Loads the knowledge and opens a fresh SQLite store in a temp directory; `staff` are user IDs per channel. Every
   * incoming message is stamped with `clock()` instead of the platform's own time, so no expectation depends on the day
   * the suite runs.
   */
  static async open(staff: Record<string, string[]>, clock: () => Date): Promise<RealCore> {
    const dir = mkdtempSync(join(tmpdir(), 'policy-e2e-'));
    const knowledge = loadKnowledge(undefined, undefined, { eligibility: precheckEligibility });
    const store = await SqliteStore.open(join(dir, 'bot.db'));
    const bot = new Bot({ knowledge, store, staff, handlers: createSchedulingHandlers(store) });
    return new RealCore(bot, store, dir, clock);
  }

  /** Persistent update dedupe, as main.ts wires it. */
  dedupe(channel: string): (id: string | number) => Promise<boolean> {
    return (id) => this.store.markUpdateSeen(channel, id);
  }

  /** Builds the delivery service over the running channels (as runtime.ts does); the tests run it with `runPass`. */
  deliver(channels: Channel[], options: DeliveryOptions = {}): DeliveryService {
    this.delivery = new DeliveryService(this.store, new Map(channels.map((c) => [c.name, c])), options);
    return this.delivery;
  }

  /** The handler main.ts gives each channel: the core's replies are sent in order; one that fails is kept in the outbox. */
  handlerFor(ch: Channel): MessageHandler {
    const core = this;
    const handle = channelHandler({ bot: this.bot, store: this.store, get delivery() { return core.delivery; } }, ch, (reply, error) => this.queuedReplies.push({ channel: ch.name, reply, error }));
    return async (msg) => {
      this.inFlight++;
      const stamped = { ...msg, at: this.clock() };
      this.incoming.push(stamped);
      try {
        return await handle(stamped);
      } finally {
        this.inFlight--;
      }
    };
  }

  /** Resolves once no message is being handled. */
  async idle(timeoutMs = 15_000): Promise<void> {
    await waitFor(() => (this.inFlight === 0 ? true : undefined), timeoutMs, 'the core to go idle');
  }

  /** Stops the delivery service, closes the store and removes the temp directory. */
  async close(): Promise<void> {
    await this.delivery?.stop();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
