/** The platform-neutral bot: understands a message, runs the dialogue and capability handlers, and keeps state. */
import { z } from 'zod';
import type { Logger } from 'pino';
import { answerQuestion, understand, CHAT_INTENTS, chatReply, documentList, HELP_TEXT, type Knowledge } from '../knowledge/answer.ts';
import { CHAT_WORDS, converse, reviveChatState, type ChatState, type TurnResult } from '../dialogue/conversation.ts';
import { DEFAULT_TOPIC_TTL_MINUTES, isLive, topicData, type Topic } from '../dialogue/topic.ts';
import { TopicResolver, type Resolution } from '../dialogue/topic-followup.ts';
import { shortPlace } from '../knowledge/glossary.ts';
import { configuredAwards } from '../dialogue/award-loader.ts';
import { documentOf, type AwardRules } from '../dialogue/award-rules.ts';
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
  thread: z.string().max(200).optional(),
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
  /** Minutes of quiet after which a chat's topic lapses (TOPIC_TTL_MINUTES; default 30). */
  topicTtlMinutes?: number;
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
  private readonly locks = new ChatLocks();
  /** Reads messages against the chat's topic; rebuilt with the knowledge. */
  private resolver: TopicResolver;

  /** Creates the bot over its knowledge, store and handlers; bad award rules files fail here, naming file and field. */
  constructor(private readonly deps: BotDeps) {
    void this.awards;
    this.resolver = new TopicResolver(deps.knowledge);
  }

  /** The awards that can be pre-checked now: the given ones, or the rules files as they are on disk (added, edited or removed while the bot runs). */
  private get awards(): readonly AwardRules[] {
    return this.deps.awards ?? configuredAwards();
  }

  /** Replaces the policy knowledge (after staff add or remove a document); messages from then on are answered with it. */
  setKnowledge(knowledge: Knowledge): void {
    this.deps.knowledge = knowledge;
    this.resolver = new TopicResolver(knowledge);
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
    return this.locks.run(`${msg.channel}:${stateKey(msg)}`, async () => {
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
    const key = stateKey(msg);
    const saved = await this.deps.store.getChatState(msg.channel, key).catch((err: unknown) => {
      if (!isStorageError(err)) throw err;
      readError = err;
      return undefined;
    });
    const state = reviveChatState(saved);
    const live = isLive(state.topic, now, this.deps.topicTtlMinutes ?? DEFAULT_TOPIC_TTL_MINUTES) ? state.topic : undefined;
    const resolution: Resolution = command ? { question: text, use: 'new' } : this.resolver.resolve(text, live);
    const followUp = resolution.use === 'follow-up' || resolution.use === 'what-about' || resolution.use === 'correction';
    const turn: TurnResult = converse(
      state,
      { text, written: normalizeText(tooLong ? msg.text.slice(0, MAX_MESSAGE_CHARS) : msg.text, { keepScript: true }), command, args, intent: intent.intent, confidence: intent.confidence, followUp, now },
      {
        answer: (q, at) => answerQuestion(this.deps.knowledge, q, at),
        awards: this.awards,
        askInForm: (t, award, at) => this.askInForm(t, award, at),
        asksMeaning: (t) => this.resolver.asksMeaning(t),
        asksFor: (t) => this.resolver.asksFor(t),
      },
    );
    if (command === '/cancel' && turn.state.topic) {
      // /cancel ends the topic too, whatever else it stopped.
      const { topic: _ended, ...rest } = turn.state;
      turn.state = rest;
    }
    if (turn.handled) {
      if (readError) throw readError;
      // Turning match notices off also cancels those still queued for this chat, in the same transaction.
      await this.deps.store.saveChatState(msg.channel, key, turn.state, turn.cancelMatchNotices ? { cancelMatchNotices: true } : undefined);
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
    // A follow-up is a policy question about the topic: no capability handler takes it for a command of its own.
    for (const h of followUp ? [] : (this.deps.handlers ?? [])) {
      replies = await h.handle(ctx);
      if (replies) break;
    }
    if (!replies) {
      const built = await this.builtIn(ctx, turn.state, resolution, live);
      replies = built.replies;
      // The topic is kept when it can be: a full or read-only database costs the follow-up context, never the answer.
      if (built.topic && !readError) {
        await this.deps.store.saveChatState(msg.channel, key, { ...turn.state, topic: built.topic }).catch((err: unknown) => {
          if (!isStorageError(err)) throw err;
          this.deps.logger?.warn({ err: String(err) }, 'topic not saved: storage failure');
        });
      }
    }
    if (tooLong) replies.unshift({ chat: msg.chat, text: `您的消息过长，我只读取了前${MAX_MESSAGE_CHARS}个字符。` });
    if (turn.resume) replies.push({ chat: msg.chat, ...turn.resume, text: `（预检继续）${turn.resume.text}` });
    return replies;
  }

  /** Built-in commands and the policy answer that every message falls back to. */
  private async builtIn(ctx: HandlerContext, state: ChatState, resolution: Resolution, live: Topic | undefined): Promise<{ replies: OutgoingMessage[]; topic?: Topic }> {
    const chat = ctx.msg.chat;
    const just = (replies: OutgoingMessage[]) => ({ replies });
    switch (ctx.command) {
      case '/start':
        return just([{ chat, text: `${chatReply('greeting', ctx.knowledge)}\n\n${HELP_TEXT}` }]);
      case '/help':
        return just([{ chat, text: HELP_TEXT }]);
      case '/docs':
        return just([{ chat, text: documentList(ctx.knowledge, ctx.now) }]);
      case undefined:
        break;
      default:
        return just([{ chat, text: `抱歉，我不认识命令 ${ctx.command.slice(0, 30)}。\n${HELP_TEXT}`, data: { error: 'unknown_command' } }]);
    }
    const chatWord = CHAT_WORDS.exec(ctx.text);
    if (chatWord) {
      const w = chatWord[1].toLowerCase();
      const intent = /谢|thank|好的|ok/.test(w) ? 'thanks' : /帮助|help|菜单|怎么用|说明|能做|会什么|功能/.test(w) ? 'help' : 'greeting';
      return just([{ chat, text: chatReply(intent, ctx.knowledge) }]);
    }
    if (MORE_WORDS.test(ctx.text.trim())) {
      // The whole clauses are kept with the chat state: they survive a restart, and lapse only with /cancel or a new answer.
      return just([{ chat, text: state.topic?.whole ?? '暂时没有可查看的原文：请先提一个政策问题，回答后再回复“原文”查看条款全文。' }]);
    }
    const a = this.resolver.answer(resolution, live, ctx.now);
    if (!a.found && resolution.use === 'new' && ([...ctx.text].length <= 3 || !this.resolver.asks(ctx.text)) && !/[?？]/.test(ctx.text)) {
      return just([{ chat, text: '没太明白您的意思。您可以直接提问，例如“优秀奖奖金多少”“本市管理体系认证目标多少家”，发送 /precheck 预检申报条件，或发送“帮助”查看全部功能。', data: { answer: { intent: a.intent, found: false, citations: [] } } }]);
    }
    if (this.deps.onUnanswered && !CHAT_INTENTS.has(a.intent) && a.intent !== 'empty' && (!a.found || ctx.intent.confidence < LOW_CONFIDENCE)) {
      const q: UnansweredQuestion = { channel: ctx.msg.channel, chat, question: ctx.msg.text, at: ctx.now, reason: a.found ? 'low_confidence' : 'not_covered', reply: a.answer };
      await this.deps.onUnanswered(q).catch((err: unknown) => this.deps.logger?.warn({ err }, 'could not log an unanswered question'));
    }
    // The topic this answer leaves: the question as understood, what it cited, and the clauses for "原文".
    const topic = this.resolver.topicOf(resolution.question, a, ctx.now, resolution.subject);
    const used = topicData(topic, resolution.use);
    const data = { answer: { intent: a.intent, found: a.found, citations: a.citations.map((c) => ({ title: c.title, article: c.article })) }, ...(used ? { topic: used } : {}) };
    if (!a.citations.length) return { replies: [{ chat, text: a.answer, data }], topic };
    // The answer quotes only the sentence with the fact; the whole clauses are one reply ("原文") or one tap away.
    return { replies: [{ chat, text: a.answer, data, more: { value: '原文', text: topic?.whole ?? '' } }], topic };
  }

  /** A question asked while a pre-check waits: answered about the award being checked, unless it names its own subject. */
  private askInForm(text: string, award: AwardRules, now: Date): { reply: { text: string; data?: Record<string, unknown> }; topic?: Topic } | undefined {
    if (!this.resolver.asks(text) && !this.resolver.namesSubject(text)) return undefined;
    const subject = formSubject(award);
    const context: Topic = { q: subject, subject, docs: [documentOf(award.document, this.deps.knowledge.documents)?.id ?? award.document.id ?? ''].filter(Boolean), award: award.name, place: award.place, at: now.toISOString(), frame: understand(this.deps.knowledge, subject) };
    const resolution = this.resolver.resolve(text, context);
    const a = this.resolver.answer(resolution, context, now);
    const topic = this.resolver.topicOf(resolution.question, a, now, resolution.subject);
    const used = topicData(topic, resolution.use === 'own-subject' ? 'own-subject' : 'form');
    return {
      reply: { text: a.answer, data: { answer: { intent: a.intent, found: a.found, citations: a.citations.map((c) => ({ title: c.title, article: c.article })) }, ...(used ? { topic: used } : {}) } },
      topic,
    };
  }
}

/** Where a sender's conversation state is kept: the chat, or the sender's own thread of a group chat. */
function stateKey(msg: IncomingMessage): string {
  return msg.thread ? `${msg.chat}#${msg.thread}` : msg.chat;
}

/** How a user names the award being checked: its alias with the place in it, or the place and its shortest alias. */
function formSubject(award: AwardRules): string {
  const place = shortPlace(award.place ?? '');
  const aliases = [...(award.aliases ?? [])].sort((a, b) => a.length - b.length);
  return aliases.find((a) => place && a.includes(place)) ?? `${place}${aliases[0] ?? award.name}`;
}
