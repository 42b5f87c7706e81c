/** The Telegram channel: grammY with long polling (runner) or a webhook, paced sends, buttons for choices, and error mapping for the outbox. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, HttpError, webhookCallback, type Context } from 'grammy';
import type { BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update } from 'grammy/types';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import type { Logger } from 'pino';
import { PermanentSendError, TemporarySendError, type Channel, type MessageHandler } from '../core/channel.ts';
import type { Choice, IncomingMessage, OutgoingMessage } from '../core/types.ts';
import { createLogger } from '../logger.ts';
import { ChatWorkQueue } from './chat-work-queue.ts';
import { SendGate, urgencyOf } from './send-gate.ts';
import { addressedText, escapeHtml, fitsCallbackData, keyboardRows, MAX_TEXT_CHARS, splitText } from './telegram-format.ts';

/** The command menu every user sees (setMyCommands), in Chinese. */
export const TELEGRAM_COMMANDS: readonly BotCommand[] = [
  { command: 'precheck', description: '奖项申报预检' },
  { command: 'subscribe', description: '订阅通知' },
  { command: 'unsubscribe', description: '退订' },
  { command: 'award', description: '登记获奖日期' },
  { command: 'awards', description: '我的获奖记录' },
  { command: 'cancel', description: '取消' },
  { command: 'back', description: '返回上一题' },
  { command: 'forget', description: '删除企业资料' },
  { command: 'help', description: '帮助' },
];

/** Extra commands shown only in staff members' private chats. */
export const TELEGRAM_STAFF_COMMANDS: readonly BotCommand[] = [
  { command: 'broadcast', description: '群发通知（工作人员）' },
  { command: 'publicity', description: '发布公示期（工作人员）' },
];

/** Message fields of media the bot cannot read; in private chats such messages reach the core as empty text. */
const MEDIA_KEYS = ['photo', 'sticker', 'voice', 'audio', 'video', 'video_note', 'animation', 'document', 'location', 'contact'] as const;

/** Update kinds the bot asks Telegram for. */
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** Largest webhook body read; Telegram's updates are a few kilobytes. */
const MAX_UPDATE_BYTES = 1 << 20;

/**
 * Durable intake for webhook mode: each update is stored before Telegram gets its 200 and marked done once answered,
 * so the webhook answers at once and a crash after the acknowledgement loses nothing (a restart answers what is open).
 */
export interface UpdateInbox {
  /** Stores an update; resolves false when its id is stored already (a redelivery, not answered again). */
  put(updateId: string, payload: string): Promise<boolean>;
  /** Stored updates not yet answered, oldest first. */
  open(limit: number): Promise<{ updateId: string; payload: string }[]>;
  /** Records that an update has been answered. */
  done(updateId: string): Promise<void>;
}

/** Webhook settings; when given, the channel serves HTTP instead of long polling. */
export interface TelegramWebhookOptions {
  /** Public HTTPS URL Telegram posts updates to; its path is the one the server accepts. */
  url: string;
  /** Value Telegram sends in X-Telegram-Bot-Api-Secret-Token (1–256 of A–Z a–z 0–9 _ -). */
  secretToken: string;
  /** Local port to listen on (0 picks a free one, see `webhookPort`). */
  port: number;
  /** Local address to listen on; defaults to 0.0.0.0. */
  host?: string;
}

/** Options of the Telegram channel. */
export interface TelegramChannelOptions {
  /** Bot token from @BotFather; never logged. */
  token: string;
  /** Bot API root, e.g. a self-hosted Bot API server or telegram-test-api; defaults to https://api.telegram.org. */
  apiRoot?: string;
  /** Webhook mode; long polling when absent. */
  webhook?: TelegramWebhookOptions;
  /** Telegram user IDs of staff (they get the staff command menu; see also `isStaff`). */
  adminIds?: readonly string[];
  /** Returns false if the update was already seen; defaults to an in-memory set. */
  dedupe?: (updateId: number) => Promise<boolean>;
  /** Webhook mode: store updates here and acknowledge them before they are answered (the inbox then does the dedupe). */
  inbox?: UpdateInbox;
  /** With an inbox: how many stored updates are handled at once (each chat one at a time); defaults to 16. */
  handleConcurrency?: number;
  /** Logger; defaults to pino on stderr. */
  logger?: Logger;
  /** Smallest gap between any two sends, in ms; defaults to 34 (about 30 messages a second). */
  minSendIntervalMs?: number;
  /** Smallest gap between two sends to one private chat, in ms; defaults to 1000. */
  perChatIntervalMs?: number;
  /** How many times a rate-limited or failed request is retried inside `send` before the outbox takes over; defaults to 3. */
  maxRetryAttempts?: number;
  /** Longest retry_after honoured inside `send`, in seconds; longer waits become TemporarySendError; defaults to 30. */
  maxRetryDelaySeconds?: number;
  /** Whether the channel itself sends the replies the handler resolves with; defaults to false (the handler sends them). */
  sendReplies?: boolean;
  /** Whether to publish the command menu at start; defaults to true. */
  setCommands?: boolean;
  /** Called if long polling gives up (bad token, another instance polling, hours without Telegram); the host should shut down. */
  onFatal?: (err: unknown) => void;
}

/** A bounded in-memory dedupe, used when no persistent one is given. */
function memoryDedupe(capacity = 10_000): (id: number) => Promise<boolean> {
  const seen = new Set<number>();
  return async (id) => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > capacity) seen.delete(seen.values().next().value as number);
    return true;
  };
}

/** Converts a neutral chat address to a Bot API chat_id. */
function toChatId(chat: string): number | string {
  return /^-?\d+$/.test(chat) ? Number(chat) : chat;
}

/** Describes an error for logs without payloads or secrets. */
function describe(err: unknown): string {
  if (err instanceof GrammyError) return `${err.method}: ${err.error_code} ${err.description}`;
  if (err instanceof HttpError) return `${err.message} (${err.error instanceof Error ? err.error.message : String(err.error)})`;
  return err instanceof Error ? err.message : String(err);
}

/** Maps a failed Bot API call to the outbox's error types: retry later, or give up on this chat. */
export function toSendError(err: unknown): TemporarySendError | PermanentSendError {
  if (err instanceof TemporarySendError || err instanceof PermanentSendError) return err;
  if (err instanceof GrammyError) {
    const code = err.error_code;
    if (code === 429) {
      const after = err.parameters.retry_after;
      return new TemporarySendError(`telegram rate limit: ${err.description}`, typeof after === 'number' ? after * 1000 : undefined);
    }
    if (code === 400 || code === 403) return new PermanentSendError(`telegram refused: ${code} ${err.description}`);
    return new TemporarySendError(`telegram error: ${code} ${err.description}`);
  }
  return new TemporarySendError(`telegram unreachable: ${describe(err)}`);
}

/** Telegram adapter over grammY; implements the neutral Channel. */
export class TelegramChannel implements Channel {
  /** Channel name used in chat addresses. */
  readonly name = 'telegram';
  /** Broadcast pace: smallest gap between two sends to different chats, in ms. */
  readonly minSendIntervalMs: number;
  /** The grammY bot (exposed for diagnostics and tests). */
  readonly bot: Bot;

  private readonly log: Logger;
  private readonly dedupe: (updateId: number) => Promise<boolean>;
  private readonly admins: Set<string>;
  private readonly longValues = new Map<string, string>();
  /** Per chat, the message_id of the newest message with buttons; presses on older ones are stale. */
  private readonly latestQuestion = new Map<string, number>();
  /** Questions ("chat:message_id") already answered by a press. */
  private readonly answered = new Set<string>();
  private longValueSeq = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  /** The bot-wide pace (about 30 messages a second), steps first, bulk sends last. */
  private readonly gate: SendGate;
  /** Ids of updates taken from the inbox, already deduplicated by it. */
  private readonly fromInbox = new Set<number>();
  /** Stored updates waiting to be handled, fairly across chats. */
  private readonly work: ChatWorkQueue;
  private onMessage?: MessageHandler;
  private runner?: RunnerHandle;
  private server?: http.Server;
  /** Set when `stop` begins: no new updates are taken. */
  private stopping = false;
  /** Set when `stop` ends: sends are refused. */
  private closed = false;
  private started = false;

  /** Builds the bot and its API pipeline (throttling outside, bounded retries inside); nothing is contacted until `start`. */
  constructor(private readonly options: TelegramChannelOptions) {
    this.log = options.logger ?? createLogger().child({ channel: 'telegram' });
    this.minSendIntervalMs = options.minSendIntervalMs ?? 34;
    this.dedupe = options.dedupe ?? memoryDedupe();
    this.admins = new Set(options.adminIds ?? []);
    this.gate = new SendGate(this.minSendIntervalMs);
    this.work = new ChatWorkQueue(Math.max(1, options.handleConcurrency ?? 16));
    this.bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });

    // Transformers: the last one installed runs first. The throttler is outermost, so a message waiting
    // out a retry_after keeps its chat's slot and later messages to that chat stay in order.
    this.bot.api.config.use(
      autoRetry({
        maxRetryAttempts: options.maxRetryAttempts ?? 3,
        maxDelaySeconds: options.maxRetryDelaySeconds ?? 30,
        rethrowHttpErrors: true,
        rethrowInternalServerErrors: true, // 5xx goes back to the outbox rather than blocking the chat for long backoffs
      }),
    );
    this.bot.api.config.use(
      apiThrottler({
        global: { minTime: 0 }, // the bot-wide pace is `gate`, which orders by urgency
        out: { maxConcurrent: 1, minTime: options.perChatIntervalMs ?? 1000 },
        group: { maxConcurrent: 1, minTime: 1000, reservoir: 20, reservoirRefreshAmount: 20, reservoirRefreshInterval: 60_000 },
      }),
    );
    // The throttler's per-chat spacing counts from when a call joins its queue; this gate counts from the end of the
    // previous send to the same private chat, so one chat never gets two messages within perChatIntervalMs.
    const perChatMs = options.perChatIntervalMs ?? 1000;
    const chatTails = new Map<string, Promise<number>>();
    this.bot.api.config.use((prev, method, payload, signal) => {
      const id = payload && typeof payload === 'object' && 'chat_id' in payload ? Number((payload as { chat_id: unknown }).chat_id) : NaN;
      if (!(id > 0) || method === 'answerCallbackQuery') return prev(method, payload, signal);
      const key = String(id);
      const run = (chatTails.get(key) ?? Promise.resolve(-Infinity)).then(async (lastEnd) => {
        const wait = lastEnd + perChatMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return prev(method, payload, signal);
      });
      const tail = run.then(
        () => Date.now(),
        () => Date.now(),
      );
      chatTails.set(key, tail);
      void tail.then(() => setTimeout(() => chatTails.get(key) === tail && chatTails.delete(key), perChatMs).unref());
      return run;
    });
    this.bot.api.config.use(async (prev, method, payload, signal) => {
      if (method !== 'getUpdates') return prev(method, payload, signal);
      try {
        const res = await prev(method, payload, signal);
        if (!res.ok) this.log.warn({ code: res.error_code, description: res.description }, 'getUpdates failed');
        return res;
      } catch (err) {
        if (!signal?.aborted && !this.stopping) this.log.warn({ error: describe(err) }, 'getUpdates failed');
        throw err;
      }
    });

    this.bot.catch((err) => {
      this.log.error({ updateId: err.ctx.update.update_id, error: describe(err.error) }, 'update handling failed');
    });
    this.installMiddleware();
  }

  /** Whether a Telegram user ID belongs to configured staff. */
  isStaff(user: string): boolean {
    return this.admins.has(user);
  }

  /** The port the webhook server listens on, once started in webhook mode. */
  get webhookPort(): number | undefined {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? (addr as AddressInfo).port : undefined;
  }

  /** Connects (getMe), publishes the command menu, then takes updates by long polling or webhook. */
  async start(onMessage: MessageHandler): Promise<void> {
    if (this.started) throw new Error('TelegramChannel already started');
    this.started = true;
    this.onMessage = onMessage;
    await this.initWithRetry();
    this.log.info({ username: this.bot.botInfo.username, mode: this.options.webhook ? 'webhook' : 'polling' }, 'telegram bot connected');
    if (this.options.setCommands !== false) await this.publishCommands();
    if (this.options.webhook) await this.startWebhook(this.options.webhook);
    else await this.startPolling();
  }

  /** Sends one message: HTML-escaped text (split if long) with choices as an inline keyboard on the last part. */
  async send(msg: OutgoingMessage): Promise<void> {
    if (this.closed) throw new TemporarySendError('telegram channel is stopped');
    const task = this.sendNow(msg);
    this.track(task);
    return task;
  }

  /** Stops taking updates, waits for handlers and sends in flight, and closes the webhook server. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.runner?.isRunning()) await this.runner.stop().catch(() => undefined);
    const server = this.server;
    const serverClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    server?.closeIdleConnections();
    await new Promise((resolve) => setImmediate(resolve));
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    server?.closeAllConnections();
    await serverClosed;
    this.closed = true;
    this.log.info('telegram channel stopped');
  }

  // ---- receiving ----

  /** Middleware: in-flight tracking, dedupe, per-chat order, then messages and button presses. */
  private installMiddleware(): void {
    this.bot.use(async (ctx, next) => {
      const task = (async () => {
        if (this.fromInbox.delete(ctx.update.update_id)) return next();
        const fresh = await this.dedupe(ctx.update.update_id).catch((err: unknown) => {
          this.log.error({ updateId: ctx.update.update_id, error: describe(err) }, 'dedupe failed; handling the update anyway');
          return true;
        });
        if (!fresh) {
          this.log.info({ updateId: ctx.update.update_id }, 'duplicate update skipped');
          return;
        }
        await next();
      })();
      this.track(task);
      await task;
    });
    this.bot.use(sequentialize((ctx: Context) => (ctx.chat ?? ctx.from)?.id.toString()));
    this.bot.on('callback_query:data', (ctx) => this.onButton(ctx));
    this.bot.on('message', (ctx) => this.onText(ctx));
    this.bot.on('my_chat_member', (ctx) => {
      const m = ctx.myChatMember;
      this.log.info({ chat: m.chat.id, type: m.chat.type, status: m.new_chat_member.status }, 'bot membership changed');
    });
  }

  /** Handles a message: private chats always, groups only when commanded or mentioned. */
  private async onText(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message || !message.from || message.from.is_bot) return;
    const chat = message.chat;
    const inGroup = chat.type === 'group' || chat.type === 'supergroup';
    const raw = message.text ?? message.caption;
    let text: string;
    if (raw === undefined) {
      if (inGroup || !MEDIA_KEYS.some((k) => k in message)) return;
      text = ''; // a sticker, photo or voice note: the core answers that it reads text only
    } else {
      const addressed = addressedText(raw, this.bot.botInfo.username, inGroup);
      if (addressed === undefined) return;
      text = addressed;
    }
    const incoming: IncomingMessage = {
      channel: this.name,
      chat: String(chat.id),
      user: String(message.from.id),
      text,
      at: new Date(message.date * 1000),
    };
    if (/^\/myid\s*$/i.test(text)) {
      await this.send({ chat: incoming.chat, text: `您的 Telegram 用户 ID：${incoming.user}\n本会话 ID：${incoming.chat}` });
      return;
    }
    await this.dispatch(incoming);
  }

  /** Handles an inline-keyboard press: acknowledge it, ignore stale or repeated presses, pass the value on, then mark the choice. */
  private async onButton(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    if (!query?.data) return;
    const value = this.longValues.get(query.data) ?? query.data;
    const message = query.message;
    const chatId = message?.chat.id ?? query.from.id;
    const chat = String(chatId);
    const messageId = typeof message?.message_id === 'number' && message.message_id > 0 ? message.message_id : undefined;
    const keyboard = message && 'reply_markup' in message ? message.reply_markup : undefined;
    const label = keyboard?.inline_keyboard.flat().find((b) => 'callback_data' in b && b.callback_data === query.data)?.text ?? value;
    const latest = this.latestQuestion.get(chat);
    const key = messageId !== undefined ? `${chat}:${messageId}` : undefined;
    const stale = messageId !== undefined && ((latest !== undefined && latest !== messageId) || (key !== undefined && this.answered.has(key)));
    try {
      await this.bot.api.answerCallbackQuery(query.id, { text: (stale ? '这个问题已经回答过或已过期，请回答最新的问题。' : `已选择：${label}`).slice(0, 200) });
    } catch (err) {
      this.log.warn({ error: describe(err) }, 'answerCallbackQuery failed');
    }
    if (stale) return;
    if (key) {
      this.answered.add(key);
      if (this.answered.size > 10_000) this.answered.delete(this.answered.values().next().value as string);
    }
    await this.dispatch({ channel: this.name, chat, user: String(query.from.id), text: value, at: new Date() });
    if (messageId !== undefined && message && 'text' in message && typeof message.text === 'string') {
      // Replacing the text drops the keyboard and shows what was chosen. It runs after the reply so the
      // next question is not held behind this edit by the per-chat pace; `stop` still waits for it.
      const original = message.text;
      const edit = this.gate
        .turn('reply')
        .then(() => this.bot.api.editMessageText(chatId, messageId, `${escapeHtml(original)}\n\n✅ ${escapeHtml(label)}`, { parse_mode: 'HTML' }))
        .catch((err: unknown) => this.log.debug({ error: describe(err) }, 'could not mark the chosen button'));
      this.track(edit);
    }
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
        this.log.warn({ chat: reply.chat, error: describe(err) }, 'reply not delivered');
      }
    }
  }

  // ---- sending ----

  /** Sends the parts of a message in order, mapping failures for the outbox. */
  private async sendNow(msg: OutgoingMessage): Promise<void> {
    const chatId = toChatId(msg.chat);
    const text = msg.text.trim() ? msg.text : msg.choices?.length ? '请选择：' : '';
    if (!text) throw new PermanentSendError('empty message');
    const parts = splitText(text);
    const markup = msg.choices?.length ? this.keyboard(msg.choices) : undefined;
    const urgency = urgencyOf(msg);
    try {
      for (let i = 0; i < parts.length; i++) {
        const last = i === parts.length - 1;
        const quote = last && msg.more ? `\n<blockquote expandable>${escapeHtml(msg.more.text.slice(0, MAX_TEXT_CHARS - parts[i].length - 60))}</blockquote>` : '';
        await this.gate.turn(urgency);
        const sent = await this.bot.api.sendMessage(chatId, escapeHtml(parts[i]) + quote, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(last && markup ? { reply_markup: markup } : {}),
        });
        if (last && markup && typeof sent?.message_id === 'number') this.noteQuestion(msg.chat, sent.message_id);
      }
    } catch (err) {
      const mapped = toSendError(err);
      this.log.warn({ chat: msg.chat, error: describe(err), permanent: mapped instanceof PermanentSendError }, 'telegram send failed');
      throw mapped;
    }
  }

  /** Remembers the newest message with buttons of a chat. */
  private noteQuestion(chat: string, messageId: number): void {
    this.latestQuestion.delete(chat);
    this.latestQuestion.set(chat, messageId);
    if (this.latestQuestion.size > 10_000) this.latestQuestion.delete(this.latestQuestion.keys().next().value as string);
  }

  /** Builds the inline keyboard for choices; values too long for callback_data get a short key. */
  private keyboard(choices: readonly Choice[]): InlineKeyboardMarkup {
    const button = (c: Choice): InlineKeyboardButton => ({ text: c.label, callback_data: this.callbackData(c.value) });
    return { inline_keyboard: keyboardRows(choices, button) };
  }

  /** Returns callback_data for a value: the value itself when it fits in 64 bytes, else a remembered key. */
  private callbackData(value: string): string {
    if (fitsCallbackData(value) && !value.startsWith('~v')) return value;
    const key = `~v${(this.longValueSeq++).toString(36)}`;
    this.longValues.set(key, value);
    if (this.longValues.size > 5000) this.longValues.delete(this.longValues.keys().next().value as string);
    return key;
  }

  // ---- lifecycle helpers ----

  /** Remembers a promise until it settles, so `stop` can wait for it. */
  private track(task: Promise<unknown>): void {
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
  }

  /** Calls getMe, retrying network failures a few times; a bad token fails at once. */
  private async initWithRetry(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.bot.init();
        return;
      } catch (err) {
        if (err instanceof GrammyError || attempt >= 5) {
          throw new Error(`Telegram getMe failed: ${describe(err)}`);
        }
        this.log.warn({ attempt, error: describe(err) }, 'Telegram unreachable, retrying');
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  }

  /** Publishes the Chinese command menu, plus the staff menu in each staff member's private chat; failures are only logged. */
  private async publishCommands(): Promise<void> {
    try {
      await this.bot.api.setMyCommands(TELEGRAM_COMMANDS);
    } catch (err) {
      this.log.warn({ error: describe(err) }, 'setMyCommands failed');
    }
    for (const id of this.admins) {
      if (!/^\d+$/.test(id)) continue;
      try {
        await this.bot.api.setMyCommands([...TELEGRAM_COMMANDS, ...TELEGRAM_STAFF_COMMANDS], { scope: { type: 'chat', chat_id: Number(id) } });
      } catch (err) {
        this.log.warn({ admin: id, error: describe(err) }, 'staff command menu not set (has this user started the bot?)');
      }
    }
  }

  /** Long polling through @grammyjs/runner; updates of different chats run concurrently, one chat's in order. */
  private async startPolling(): Promise<void> {
    try {
      await this.bot.api.deleteWebhook();
    } catch (err) {
      this.log.warn({ error: describe(err) }, 'deleteWebhook failed');
    }
    this.runner = run(this.bot, {
      runner: { fetch: { allowed_updates: ALLOWED_UPDATES, timeout: 30 }, silent: true, retryInterval: 'exponential' },
    });
    void this.runner.task()?.catch((err: unknown) => {
      this.log.fatal({ error: describe(err) }, 'telegram polling stopped');
      this.options.onFatal?.(err);
    });
  }

  /** Answers a stored update after its acknowledgement, through the fair per-chat queue (each chat in arrival order). */
  private answerStored(update: Update, inbox: UpdateInbox): void {
    const id = update.update_id;
    const chat = update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id ?? update.my_chat_member?.chat.id;
    const task = this.work.push(chat === undefined ? `update:${id}` : String(chat), () => this.handleStored(update, inbox));
    this.track(task);
  }

  /** Handles one stored update and marks it done; never rejects. */
  private handleStored(update: Update, inbox: UpdateInbox): Promise<void> {
    const id = update.update_id;
    this.fromInbox.add(id);
    return this.bot
      .handleUpdate(update)
      .catch((err: unknown) => {
        // A failing update is not retried forever: it is logged and counted answered.
        this.log.error({ updateId: id, error: describe((err as { error?: unknown })?.error ?? err) }, 'update handling failed');
      })
      .then(() => inbox.done(String(id)))
      .catch((err: unknown) => this.log.warn({ updateId: id, error: describe(err) }, 'answered, but not marked done: a restart would answer it again'));
  }

  /** Answers the updates a previous run stored but did not answer (it stopped or crashed after acknowledging them). */
  private async answerOpen(inbox: UpdateInbox): Promise<void> {
    const open = await inbox.open(100_000);
    if (open.length) this.log.info({ count: open.length }, 'answering updates stored before a restart');
    for (const u of open) {
      let update: Update;
      try {
        update = JSON.parse(u.payload) as Update;
      } catch {
        this.log.error({ updateId: u.updateId }, 'stored update is not JSON; dropped');
        await inbox.done(u.updateId).catch(() => undefined);
        continue;
      }
      this.answerStored(update, inbox);
    }
  }

  /** Webhook intake with an inbox: check the secret, store the update, answer 200, then handle it. */
  private async intake(req: http.IncomingMessage, res: http.ServerResponse, hook: TelegramWebhookOptions, inbox: UpdateInbox): Promise<void> {
    if (req.headers['x-telegram-bot-api-secret-token'] !== hook.secretToken) {
      res.statusCode = 401;
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_UPDATE_BYTES) {
        res.statusCode = 413;
        res.end();
        return;
      }
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    let update: Update;
    try {
      update = JSON.parse(body) as Update;
    } catch {
      update = undefined as unknown as Update;
    }
    if (!update || typeof update !== 'object' || !Number.isSafeInteger(update.update_id)) {
      res.statusCode = 400;
      res.end();
      return;
    }
    let fresh: boolean;
    try {
      fresh = await inbox.put(String(update.update_id), body);
    } catch (err) {
      // Not stored, so not acknowledged: Telegram sends it again later.
      this.log.error({ updateId: update.update_id, error: describe(err) }, 'could not store an update; Telegram will retry');
      res.statusCode = 500;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.end();
    if (fresh) this.answerStored(update, inbox);
    else this.log.info({ updateId: update.update_id }, 'duplicate update skipped');
  }

  /** Serves the webhook (checking the secret token header) and registers it with Telegram. */
  private async startWebhook(hook: TelegramWebhookOptions): Promise<void> {
    const path = new URL(hook.url).pathname;
    const inbox = this.options.inbox;
    if (inbox) await this.answerOpen(inbox);
    const callback = webhookCallback(this.bot, 'http', {
      secretToken: hook.secretToken,
      onTimeout: 'return',
      timeoutMilliseconds: 9000,
    });
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'POST' || url.pathname !== path || this.stopping) {
        res.statusCode = this.stopping ? 503 : 404;
        res.end();
        return;
      }
      const request = (inbox ? this.intake(req, res, hook, inbox) : callback(req, res)).catch((err: unknown) => {
        this.log.warn({ error: describe(err) }, 'webhook request failed');
        if (!res.headersSent) res.statusCode = err instanceof SyntaxError ? 400 : 500;
        res.end();
      });
      this.track(request);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(hook.port, hook.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    await this.bot.api.setWebhook(hook.url, { secret_token: hook.secretToken, allowed_updates: ALLOWED_UPDATES });
    this.log.info({ port: this.webhookPort, path }, 'telegram webhook listening');
  }
}
