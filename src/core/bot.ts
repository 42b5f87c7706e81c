/** The platform-neutral bot: understands a message, runs the dialogue and capability handlers, and keeps state. */
import { z } from 'zod';
import type { Logger } from 'pino';
import { answerQuestion, CHAT_INTENTS, chatReply, documentList, HELP_TEXT, type Knowledge } from '../knowledge/answer.ts';
import { CHAT_WORDS, converse, reviveChatState, type TurnResult } from '../dialogue/conversation.ts';
import { configuredAwards } from '../dialogue/award-loader.ts';
import type { AwardRules } from '../dialogue/award-rules.ts';
import { extractEntities } from '../nlu/entities.ts';
import { normalizeText } from '../nlu/normalize.ts';
import { cleanText } from '../nlu/sanitize.ts';
import { isStorageError, type Store } from '../storage/store.ts';
import type { Handler, HandlerContext } from './handler.ts';
import type { IncomingMessage, OutgoingMessage } from './types.ts';

/** The reply when a message could not be saved (disk full, read-only or damaged database). */
export const STORAGE_FAILURE_TEXT = '抱歉，暂时无法保存，请稍后再试。';

/** Largest message the bot reads; longer text is cut (and the user told). */
export const MAX_MESSAGE_CHARS = 100_000;

/** Schema of a neutral incoming message, checked at the core's boundary. */
export const incomingSchema = z.object({
  channel: z.string().min(1).max(40),
  chat: z.string().min(1).max(200),
  user: z.string().max(200),
  text: z.string(),
  at: z.date(),
});

/** Intent confidence under which an answered policy question counts as low confidence (and is logged for staff). */
export const LOW_CONFIDENCE = 0.3;

/** A policy question the bot answered "not covered" or with low confidence, for staff to review. */
export interface UnansweredQuestion {
  channel: string;
  chat: string;
  question: string;
  at: Date;
  reason: 'not_covered' | 'low_confidence';
  /** The reply the bot gave. */
  reply: string;
}

/** What the bot needs from its host. */
export interface BotDeps {
  knowledge: Knowledge;
  store: Store;
  /** Staff user IDs per channel. */
  staff: Record<string, string[]>;
  /** Capability handlers tried after the dialogue (subscriptions, awards, staff commands). */
  handlers?: Handler[];
  /** Awards that can be pre-checked; the rules files in AWARDS_DIR (default data/awards/) when omitted. */
  awards?: readonly AwardRules[];
  logger?: Logger;
  /** Told about every policy question answered "not covered" or with low confidence; a failure here never loses the reply. */
  onUnanswered?: (q: UnansweredQuestion) => Promise<void>;
}

/** Splits "/cmd@botname args" into the command and its arguments. */
export function parseCommand(text: string): { command?: string; args: string } {
  const m = /^\s*\/([A-Za-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text);
  if (!m) return { args: text };
  return { command: `/${m[1].toLowerCase()}`, args: (m[2] ?? '').trim() };
}

/** Per-chat serialisation: messages of one chat are handled one at a time, in order. */
class ChatLocks {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Runs `fn` after every earlier task of the same key. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/** Replies that ask for the whole clause behind the last answer. */
const MORE_WORDS = /^(原文|全文|查看原文|看原文|查看全文|原文呢|条款原文|看全文)[。.!！?？]?$/;

/** The bot core: one instance serves every channel. */
export class Bot {
  /** The whole clauses behind each chat's last answer, for "原文" (in memory; at most 10,000 chats). */
  private readonly wholeClauses = new Map<string, string>();
  private readonly locks = new ChatLocks();

  /** Creates the bot over its knowledge, store and handlers. */
  private readonly awards: readonly AwardRules[];

  /** Creates the bot over its knowledge, store and handlers; bad award rules files fail here, naming file and field. */
  constructor(private readonly deps: BotDeps) {
    this.awards = deps.awards ?? configuredAwards();
  }

  /** Replaces the policy knowledge (after staff add or remove a document); messages from then on are answered with it. */
  setKnowledge(knowledge: Knowledge): void {
    this.deps.knowledge = knowledge;
  }

  /** The policy knowledge currently served. */
  get knowledge(): Knowledge {
    return this.deps.knowledge;
  }

  /** Answers a one-off policy question (no session). */
  ask(question: string, now: Date) {
    return answerQuestion(this.deps.knowledge, question, now);
  }

  /** Handles one incoming message and returns the replies to send to its chat; never throws. */
  async handle(raw: IncomingMessage): Promise<OutgoingMessage[]> {
    const parsed = incomingSchema.safeParse(raw);
    if (!parsed.success) {
      this.deps.logger?.warn({ issues: parsed.error.issues.map((i) => i.path.join('.')) }, 'rejected malformed message');
      return raw && typeof raw.chat === 'string' && raw.chat ? [{ chat: raw.chat, text: '抱歉，这条消息的格式无法识别，请发送文字消息。' }] : [];
    }
    // Input hygiene at the boundary: nothing matched, stored or sent carries invisible characters, NUL or lone surrogates.
    const msg = { ...parsed.data, text: cleanText(parsed.data.text) };
    return this.locks.run(`${msg.channel}:${msg.chat}`, async () => {
      try {
        return await this.handleInOrder(msg);
      } catch (err) {
        this.deps.logger?.error({ err, chat: msg.chat }, 'handler failed');
        // Truthful: when storage failed, nothing of this message was saved.
        if (isStorageError(err)) return [{ chat: msg.chat, text: STORAGE_FAILURE_TEXT, data: { error: 'storage' } }];
        return [{ chat: msg.chat, text: '抱歉，处理您的消息时出了点问题，请稍后再试。', data: { error: 'internal' } }];
      }
    });
  }

  /** The body of `handle`, run under the chat's lock. */
  private async handleInOrder(msg: IncomingMessage): Promise<OutgoingMessage[]> {
    const to = (rs: { text: string; choices?: OutgoingMessage['choices']; data?: Record<string, unknown> }[]) => rs.map((r) => ({ chat: msg.chat, ...r }));
    const tooLong = msg.text.length > MAX_MESSAGE_CHARS;
    const text = normalizeText(tooLong ? msg.text.slice(0, MAX_MESSAGE_CHARS) : msg.text);
    if (!text) {
      return to([{ text: '您好，我只能读取文字消息。请直接输入问题，例如“优秀奖奖金多少”，或发送“帮助”查看我能做什么。' }]);
    }
    const { command, args } = parseCommand(text);
    const intent = this.deps.knowledge.classifier.classify(command ? args || command.slice(1) : text);
    const entities = extractEntities(text);
    const now = msg.at;
    // A database that cannot be read must not stop policy answers: go on as a fresh chat, but never save over the
    // state that could not be read, and never pretend a dialogue step was kept.
    let readError: unknown;
    const saved = await this.deps.store.getChatState(msg.channel, msg.chat).catch((err: unknown) => {
      if (!isStorageError(err)) throw err;
      readError = err;
      return undefined;
    });
    const state = reviveChatState(saved);
    const turn: TurnResult = converse(state, { text, command, args, intent: intent.intent, now }, { answer: (q, at) => answerQuestion(this.deps.knowledge, q, at), awards: this.awards });
    if (turn.handled) {
      if (readError) throw readError;
      await this.deps.store.saveChatState(msg.channel, msg.chat, turn.state);
      return to(turn.replies);
    }
    const ctx: HandlerContext = {
      msg,
      text,
      command,
      args,
      intent,
      entities,
      isStaff: msg.user.trim() !== '' && (this.deps.staff[msg.channel] ?? []).includes(msg.user),
      now,
      knowledge: this.deps.knowledge,
    };
    let replies: OutgoingMessage[] | undefined;
    for (const h of this.deps.handlers ?? []) {
      replies = await h.handle(ctx);
      if (replies) break;
    }
    replies ??= await this.builtIn(ctx);
    if (tooLong) replies.unshift({ chat: msg.chat, text: `您的消息过长，我只读取了前${MAX_MESSAGE_CHARS}个字符。` });
    if (turn.resume) replies.push({ chat: msg.chat, ...turn.resume, text: `（预检继续）${turn.resume.text}` });
    return replies;
  }

  /** Built-in commands and the policy answer that every message falls back to. */
  private async builtIn(ctx: HandlerContext): Promise<OutgoingMessage[]> {
    const chat = ctx.msg.chat;
    switch (ctx.command) {
      case '/start':
        return [{ chat, text: `${chatReply('greeting', ctx.knowledge)}\n\n${HELP_TEXT}` }];
      case '/help':
        return [{ chat, text: HELP_TEXT }];
      case '/docs':
        return [{ chat, text: documentList(ctx.knowledge, ctx.now) }];
      case undefined:
        break;
      default:
        return [{ chat, text: `抱歉，我不认识命令 ${ctx.command.slice(0, 30)}。\n${HELP_TEXT}`, data: { error: 'unknown_command' } }];
    }
    const chatWord = CHAT_WORDS.exec(ctx.text);
    if (chatWord) {
      const w = chatWord[1].toLowerCase();
      const intent = /谢|thank|好的|ok/.test(w) ? 'thanks' : /帮助|help|菜单|怎么用|说明|能做|会什么|功能/.test(w) ? 'help' : 'greeting';
      return [{ chat, text: chatReply(intent, ctx.knowledge) }];
    }
    const key = `${ctx.msg.channel}:${chat}`;
    if (MORE_WORDS.test(ctx.text.trim())) {
      const whole = this.wholeClauses.get(key);
      return [{ chat, text: whole ?? '暂时没有可查看的原文：请先提一个政策问题，回答后再回复“原文”查看条款全文。' }];
    }
    const a = answerQuestion(ctx.knowledge, ctx.text, ctx.now);
    if (!a.found && [...ctx.text].length <= 3 && !/[?？]/.test(ctx.text)) {
      return [{ chat, text: '没太明白您的意思。您可以直接提问，例如“优秀奖奖金多少”“江门管理体系认证目标多少家”，发送 /precheck 预检申报条件，或发送“帮助”查看全部功能。', data: { answer: { intent: a.intent, found: false, citations: [] } } }];
    }
    if (this.deps.onUnanswered && !CHAT_INTENTS.has(a.intent) && a.intent !== 'empty' && (!a.found || ctx.intent.confidence < LOW_CONFIDENCE)) {
      const q: UnansweredQuestion = { channel: ctx.msg.channel, chat, question: ctx.msg.text, at: ctx.now, reason: a.found ? 'low_confidence' : 'not_covered', reply: a.answer };
      await this.deps.onUnanswered(q).catch((err: unknown) => this.deps.logger?.warn({ err }, 'could not log an unanswered question'));
    }
    const data = { answer: { intent: a.intent, found: a.found, citations: a.citations.map((c) => ({ title: c.title, article: c.article })) } };
    if (!a.citations.length) return [{ chat, text: a.answer, data }];
    // The answer quotes only the sentence with the fact; the whole clauses are one reply ("原文") or one tap away.
    const whole = a.citations.map((c) => `《${c.title}》${c.article}全文：\n${c.quote}`).join('\n\n');
    this.wholeClauses.delete(key);
    this.wholeClauses.set(key, whole);
    if (this.wholeClauses.size > 10_000) this.wholeClauses.delete(this.wholeClauses.keys().next().value as string);
    return [{ chat, text: a.answer, data, more: { value: '原文', text: whole } }];
  }
}
