/** The WeChat channel: wechaty (over wechaty-puppet-service in production), numbered-text choices, @-mention rules for rooms and a conservative send pace. */
import { WechatyBuilder, types, type Wechaty } from 'wechaty';
import type { MessageInterface } from 'wechaty/impls';
import type { Logger } from 'pino';
import { PermanentSendError, TemporarySendError, type Channel, type MessageHandler } from '../core/channel.ts';
import type { IncomingMessage, OutgoingMessage } from '../core/types.ts';
import { createLogger } from '../logger.ts';
import { ChoiceMemory, plainText } from './choices-text.ts';

/** A ready wechaty instance (tests build one over wechaty-puppet-mock). */
export type WechatyInterface = Wechaty;

/** Where the channel's wechaty comes from: a given instance, or wechaty-puppet-service with a token. */
export type WechatSource = { wechaty: WechatyInterface } | { puppetToken: string; endpoint?: string };

/** Options of the WeChat channel. */
export type WechatChannelOptions = WechatSource & {
  /** WeChat contact IDs of staff (see `isStaff`). */
  adminIds?: readonly string[];
  /** Smallest gap between two broadcast or reminder sends, in ms; defaults to 3000 (personal accounts are banned for bursts). */
  minSendIntervalMs?: number;
  /** Smallest gap between any two sends (replies included), in ms; defaults to 400. */
  replyIntervalMs?: number;
  /** Returns false if a message ID was already handled; defaults to an in-memory set. */
  dedupe?: (messageId: string) => Promise<boolean>;
  /** Logger; defaults to pino on stderr. */
  logger?: Logger;
  /** Whether the channel itself sends the replies the handler resolves with; defaults to false (the handler sends them). */
  sendReplies?: boolean;
};

/** Message types that carry media the bot cannot read; in private chats they reach the core as empty text. */
const MEDIA_TYPES = new Set<number>([
  types.Message.Audio,
  types.Message.Image,
  types.Message.Video,
  types.Message.Emoticon,
  types.Message.Attachment,
]);

/** Whether a conversation ID is a room (group chat); WeChat room IDs end with "@chatroom". */
export function isRoomId(id: string): boolean {
  return id.endsWith('@chatroom');
}

/** Whether a message is a broadcast or reminder, paced at the broadcast interval. */
function isBulk(msg: OutgoingMessage): boolean {
  const d = msg.data;
  return d !== undefined && ('broadcast' in d || 'reminder' in d);
}

/** Escapes a string for use inside a regular expression. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A bounded in-memory dedupe, used when no persistent one is given. */
function memoryDedupe(capacity = 10_000): (id: string) => Promise<boolean> {
  const seen = new Set<string>();
  return async (id) => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > capacity) seen.delete(seen.values().next().value as string);
    return true;
  };
}

/** Runs tasks one at a time per key, in arrival order. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  /** Queues `fn` behind earlier tasks of the same key. */
  run(key: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/** WeChat adapter over wechaty; implements the neutral Channel. */
export class WechatChannel implements Channel {
  /** Channel name used in chat addresses. */
  readonly name = 'wechat';
  /** Broadcast pace: smallest gap between two sends to different chats, in ms. */
  readonly minSendIntervalMs: number;
  /** The wechaty instance (exposed for diagnostics and tests). */
  readonly wechaty: WechatyInterface;

  private readonly log: Logger;
  private readonly replyIntervalMs: number;
  private readonly dedupe: (messageId: string) => Promise<boolean>;
  private readonly admins: Set<string>;
  private readonly choices = new ChoiceMemory();
  private readonly chats = new KeyedQueue();
  private readonly inflight = new Set<Promise<unknown>>();
  private sendChain: Promise<void> = Promise.resolve();
  private lastSendAt = 0;
  private onMessage?: MessageHandler;
  private stopping = false;
  private closed = false;
  private started = false;

  /** Uses the given wechaty, or builds one over wechaty-puppet-service (loaded lazily) with the token and optional endpoint. */
  constructor(private readonly options: WechatChannelOptions) {
    this.log = options.logger ?? createLogger().child({ channel: 'wechat' });
    this.minSendIntervalMs = options.minSendIntervalMs ?? 3000;
    this.replyIntervalMs = options.replyIntervalMs ?? 400;
    this.dedupe = options.dedupe ?? memoryDedupe();
    this.admins = new Set(options.adminIds ?? []);
    this.wechaty =
      'wechaty' in options
        ? options.wechaty
        : WechatyBuilder.build({
            puppet: 'wechaty-puppet-service',
            puppetOptions: { token: options.puppetToken, ...(options.endpoint ? { endpoint: options.endpoint } : {}) },
          });
  }

  /** Whether a WeChat contact ID belongs to configured staff. */
  isStaff(user: string): boolean {
    return this.admins.has(user);
  }

  /** Whether the puppet is logged in, i.e. messages can be sent now. */
  get loggedIn(): boolean {
    return this.wechaty.isLoggedIn;
  }

  /** Registers event logging and the message listener, then starts wechaty (login happens when the puppet reports it). */
  async start(onMessage: MessageHandler): Promise<void> {
    if (this.started) throw new Error('WechatChannel already started');
    this.started = true;
    this.onMessage = onMessage;
    const w = this.wechaty;
    w.on('scan', (qrcode, status) => {
      this.log.info({ status: types.ScanStatus[status], url: `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}` }, 'wechat login QR code; scan it with the bot account');
    });
    w.on('login', (user) => this.log.info({ user: user.id, name: user.name() }, 'wechat logged in'));
    w.on('logout', (user, reason) => this.log.warn({ user: user.id, reason }, 'wechat logged out; sends are held in the outbox until login'));
    w.on('ready', () => this.log.info('wechat ready'));
    w.on('error', (err) => this.log.error({ error: err instanceof Error ? err.message : String(err) }, 'wechat error'));
    w.on('puppet', (puppet) => this.watchPuppet(puppet));
    w.on('message', (message) => {
      if (this.stopping) return;
      this.track(this.receive(message));
    });
    try {
      this.watchPuppet(w.puppet);
    } catch {
      // the puppet is created by start(); the 'puppet' event covers it
    }
    await w.start();
    this.log.info({ loggedIn: w.isLoggedIn }, 'wechat channel started');
  }

  /** Sends one message as text, with choices as numbered lines; throws TemporarySendError while logged out. */
  async send(msg: OutgoingMessage): Promise<void> {
    if (this.closed) throw new TemporarySendError('wechat channel is stopped');
    if (!this.wechaty.isLoggedIn) throw new TemporarySendError('wechat is logged out');
    // Broadcasts and reminders come from the outbox, which already spaces them by minSendIntervalMs; waiting here
    // too would widen its crash window (a send it journaled but that had not left yet), so only replies are spaced.
    const task = this.paced(isBulk(msg) ? 0 : this.replyIntervalMs, () => this.sendNow(msg));
    this.track(task);
    return task;
  }

  /** Stops taking messages, waits for handlers and sends in flight, then stops wechaty. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    this.closed = true;
    try {
      await this.wechaty.stop();
    } catch (err) {
      this.log.warn({ error: err instanceof Error ? err.message : String(err) }, 'wechaty stop failed');
    }
    this.log.info('wechat channel stopped');
  }

  // ---- receiving ----

  /** Filters a wechaty message and passes it on: private chats always, rooms only when the bot is @-mentioned. */
  private async receive(message: MessageInterface): Promise<void> {
    try {
      if (message.self()) return;
      if (!(await this.dedupe(message.id).catch(() => true))) return;
      const talker = message.talker();
      if (talker.type() === types.Contact.Official) return; // official accounts' posts are not questions
      const room = message.room();
      const type = message.type();
      let text: string;
      if (type === types.Message.Text) {
        text = message.text();
      } else if (!room && MEDIA_TYPES.has(type)) {
        text = ''; // voice, picture, file: the core answers that it reads text only
      } else {
        return;
      }
      if (room) {
        const stripped = await this.addressedInRoom(message, text);
        if (stripped === undefined) return;
        text = stripped;
      }
      const chat = room ? room.id : talker.id;
      const at = message.date();
      await this.chats.run(chat, async () => {
        if (/^\/myid\s*$/i.test(text)) {
          await this.send({ chat, text: `您的微信联系人 ID：${talker.id}${room ? `\n本群 ID：${room.id}` : ''}` });
          return;
        }
        // In a room each member keeps their own context (topic, pre-check): the member is the thread.
        const incoming: IncomingMessage = { channel: this.name, chat, user: talker.id, text: this.choices.resolve(chat, text), at, ...(room ? { thread: talker.id } : {}) };
        await this.dispatch(incoming);
      });
    } catch (err) {
      this.log.error({ error: err instanceof Error ? err.message : String(err) }, 'wechat message handling failed');
    }
  }

  /** Returns a room message's text without the @-mention of the bot, or undefined if the bot is not mentioned. */
  private async addressedInRoom(message: MessageInterface, text: string): Promise<string | undefined> {
    const room = message.room();
    if (!room) return text;
    const self = this.wechaty.currentUser;
    const names = new Set<string>([self.name()]);
    try {
      const alias = await room.alias(self);
      if (alias) names.add(alias);
    } catch {
      // no room alias
    }
    const pattern = new RegExp(`@(?:${[...names].filter(Boolean).map(escapeRegExp).join('|')})(?:[\\u2005\\u0020\\u00a0]|$)`, 'g');
    const mentioned = (await message.mentionSelf()) || pattern.test(text);
    if (!mentioned) return undefined;
    const without = await message.mentionText();
    return without.replace(pattern, ' ').replace(/\s{2,}/g, ' ').trim();
  }

  /** Passes a message to the handler and, if configured, sends the replies it returns. */
  private async dispatch(incoming: IncomingMessage): Promise<void> {
    if (!this.onMessage) return;
    const replies = await this.onMessage(incoming);
    if (!this.options.sendReplies) return;
    for (const reply of replies) {
      try {
        await this.send(reply);
      } catch (err) {
        this.log.warn({ chat: reply.chat, error: err instanceof Error ? err.message : String(err) }, 'reply not delivered');
      }
    }
  }

  // ---- sending ----

  /** Runs sends one at a time, each at least `gapMs` after the previous one started. */
  private paced(gapMs: number, fn: () => Promise<void>): Promise<void> {
    const run = async () => {
      const wait = this.lastSendAt + gapMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastSendAt = Date.now();
      await fn();
    };
    const result = this.sendChain.then(run, run);
    this.sendChain = result.catch(() => undefined);
    return result;
  }

  /** Finds the contact or room and says the text; maps failures for the outbox. */
  private async sendNow(msg: OutgoingMessage): Promise<void> {
    if (!this.wechaty.isLoggedIn) throw new TemporarySendError('wechat is logged out');
    const text = plainText(msg);
    if (!text.trim()) throw new PermanentSendError('empty message');
    const target = isRoomId(msg.chat) ? await this.wechaty.Room.find({ id: msg.chat }) : await this.wechaty.Contact.find({ id: msg.chat });
    if (!target) {
      if (!this.wechaty.isLoggedIn) throw new TemporarySendError('wechat is logged out');
      throw new PermanentSendError(`wechat ${isRoomId(msg.chat) ? 'room' : 'contact'} not found`);
    }
    try {
      await target.say(text);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.log.warn({ chat: msg.chat, error: reason }, 'wechat send failed');
      throw new TemporarySendError(this.wechaty.isLoggedIn ? `wechat send failed: ${reason}` : 'wechat is logged out');
    }
    this.choices.noteSent(msg);
  }

  // ---- lifecycle helpers ----

  /** Logs the puppet's resets (the watchdog reconnecting to the puppet service). */
  private watchPuppet(puppet: { on: (event: 'reset', listener: (payload: { data?: string }) => void) => unknown }): void {
    const tagged = puppet as unknown as { __policyWatched?: boolean };
    if (tagged.__policyWatched) return;
    tagged.__policyWatched = true;
    puppet.on('reset', (payload) => this.log.warn({ reason: payload?.data }, 'wechat puppet reset; reconnecting'));
  }

  /** Remembers a promise until it settles, so `stop` can wait for it. */
  private track(task: Promise<unknown>): void {
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
  }
}
