/** The pure conversation layer: `(state, input) → (state, replies)` for pre-checks, profiles and dialogue commands. */
import { z } from 'zod';
import type { PolicyAnswer } from '../core/types.ts';
import {
  canContinuePrecheck,
  evaluate,
  isPrecheckActive,
  parsePrecheckState,
  precheckStep,
  startPrecheck,
  verdictText,
  type PrecheckState,
  type Reply,
} from './precheck-engine.ts';
import { extractAnswers, parseCorrection, readSlotAnswer } from './precheck-extract.ts';
import { isNumericSlot, precheckQuestion, SLOTS, YES_NO_CHOICES, type PrecheckAnswers } from './precheck-slots.ts';

/** Version of the saved chat state; bump it when the shape changes. */
export const CHAT_STATE_VERSION = 1;

/** Saved per-chat dialogue state. */
export interface ChatState {
  v: typeof CHAT_STATE_VERSION;
  /** The running pre-check, if any. */
  precheck?: PrecheckState;
  /** Answers of the last finished pre-check: the enterprise's profile. */
  profile?: PrecheckAnswers;
}

/** Schema that checks loaded state before use; anything else starts afresh. */
const chatStateSchema = z.object({
  v: z.literal(CHAT_STATE_VERSION),
  precheck: z.any().optional(),
  profile: z.record(z.string(), z.union([z.boolean(), z.number()])).optional(),
});

/** A fresh, empty chat state. */
export function emptyChatState(): ChatState {
  return { v: CHAT_STATE_VERSION };
}

/** Reads saved state; unknown versions or damaged values give a fresh state (nothing crashes). */
export function reviveChatState(raw: unknown): ChatState {
  const r = chatStateSchema.safeParse(raw);
  if (!r.success) return emptyChatState();
  const state: ChatState = { v: CHAT_STATE_VERSION };
  const pre = parsePrecheckState(r.data.precheck);
  if (pre) state.precheck = pre;
  if (r.data.profile) {
    const profile: PrecheckAnswers = {};
    for (const s of SLOTS) if (s in r.data.profile) profile[s] = r.data.profile[s];
    state.profile = profile;
  }
  return state;
}

/** One user turn, already understood. */
export interface TurnInput {
  /** Normalised text. */
  text: string;
  /** Lower-cased slash command, if any. */
  command?: string;
  /** Text after the command. */
  args?: string;
  /** Intent guess. */
  intent: string;
  /** The bot's clock. */
  now: Date;
}

/** Pure services the conversation may call. */
export interface TurnEnv {
  /** Answers a policy question (pure: depends only on the knowledge and the date). */
  answer(question: string, now: Date): PolicyAnswer;
}

/** Result of one turn: the new state, the replies, and whether the turn was consumed here. */
export interface TurnResult {
  state: ChatState;
  replies: Reply[];
  /** False when the message is for another capability (subscriptions, broadcasts, policy answers). */
  handled: boolean;
  /** When not handled mid-check: the question to repeat after the other capability has answered. */
  resume?: Reply;
}

/** Words that start a pre-check. */
const START_WORDS = /(能|可以|能不能|可不可以|够不够|有没有资格)(评|申报|申请|报|拿|参评)|符不符合|是否符合|帮我(看看|查查|测|评估)|预检|自测|测一下|测测|评估一下|precheck|am i eligible|are we eligible|can we apply/i;
/** Words asking whether "we" qualify, answered from the saved profile. */
const PROFILE_WORDS = /^(我们|我司|咱们|我家)?(现在)?(符合吗|符合条件吗|够条件吗|能评上吗|能拿多少|合格吗)|我们符合|按我们的情况|我们的情况/;
/** Greetings, thanks and requests for help, which are answered without disturbing a pre-check. */
export const CHAT_WORDS = /^(你好|您好|在吗|hi|hello|嗨|谢谢|多谢|感谢|谢了|thanks|thank you|好的|ok|帮助|help|菜单|怎么用|使用说明|你能做什么|你会什么|功能)[!！。.~～]*$/i;

/** Intents of other capabilities that may interrupt a pre-check. */
const OTHER_CAPABILITY = new Set(['subscribe', 'unsubscribe', 'award_register', 'award_list']);

/** Runs one turn of the conversation. */
export function converse(state: ChatState, input: TurnInput, env: TurnEnv): TurnResult {
  const { text, command, now } = input;
  if (command === '/forget') {
    const had = Boolean(state.profile || state.precheck);
    return { state: emptyChatState(), replies: [{ text: had ? '已删除本会话保存的企业资料和预检进度。' : '本会话没有保存企业资料，无需删除。', data: { profile: 'deleted' } }], handled: true };
  }
  if (command === '/precheck' || command === '/start_precheck') {
    return begin(state, input.args ?? '', now);
  }
  if (state.precheck && isPrecheckActive(state.precheck)) {
    return midCheck(state, input, env);
  }
  if (state.precheck && canContinuePrecheck(state.precheck, now) && (/^(继续|继续核对|接着|接着问)$/.test(text) || command === '/continue' || command === '/back' || parseCorrection(text, now))) {
    const r = precheckStep(state.precheck, command === '/continue' ? '继续' : command ?? text, now);
    if (!r.unreadable) return { state: finish({ ...state, precheck: r.state }, r.state, now), replies: r.replies, handled: true };
  }
  if (command === '/cancel' || (!command && CANCEL_WORDS.test(text))) {
    return { state, replies: [{ text: '当前没有进行中的预检，无需取消。发送 /precheck 可以开始优秀奖申报预检。' }], handled: true };
  }
  if (command === '/back') {
    return { state, replies: [{ text: '当前没有进行中的预检，无需返回。发送 /precheck 开始。' }], handled: true };
  }
  if (command) return { state, replies: [], handled: false };
  if (PROFILE_WORDS.test(text) || (input.intent === 'profile_check' && !START_WORDS.test(text))) {
    if (state.profile) return profileVerdict(state, now);
    return begin(state, text, now);
  }
  if (Object.keys(extractAnswers(text, now)).length >= 3) {
    // A description of the enterprise ("开平注册6年的水暖企业，独立法人……") is a pre-check with its answers given.
    return begin(state, text, now);
  }
  if (START_WORDS.test(text) || input.intent === 'precheck_start') {
    if (!/优秀奖|申报|评|条件|资格|符合|预检|eligible|apply/.test(text) && input.intent !== 'precheck_start') return { state, replies: [], handled: false };
    return begin(state, text, now);
  }
  return { state, replies: [], handled: false };
}

/** Starts a pre-check, reusing the saved profile and any facts stated in the message. */
function begin(state: ChatState, text: string, now: Date): TurnResult {
  const r = startPrecheck(text, now, state.profile);
  return { state: finish({ ...state, precheck: r.state }, r.state, now), replies: r.replies, handled: true };
}

/** Words that stop a check ("不想做了"), read before any answer so they are never taken for "no". */
const CANCEL_WORDS = /^(不想做了|不做了|不想查了|不查了|不测了|不弄了|不想弄了|先不做了|算了吧?|取消(预检)?|退出|结束|停止|stop|quit|exit|cancel)[!！。.~～]*$/i;

/** Whether a message reads as a question rather than an answer. */
function looksLikeQuestion(text: string): boolean {
  return /[?？吗呢嘛]|多少|多久|多长|几|怎么|怎样|哪|什么|啥|谁|如何|是否|能否|有没有|能不能|可不可以|how|what|when|who/i.test(text) && text.length >= 4;
}

/** Rewrites simple English answers ("5 years", "five times", "since 2019") into the Chinese the engine reads. */
function englishAnswer(text: string): string {
  const words: Record<string, string> = { one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10' };
  return text
    .replace(/\b(one|two|three|four|five|six|seven|eight|nine|ten)\b/gi, (w) => words[w.toLowerCase()])
    .replace(/\b(?:over|more than|about)\s+(\d+)/gi, '$1')
    .replace(/\bsince\s+(\d{4})\b/gi, '$1年注册')
    .replace(/\b(\d+)\s*(?:years?|yrs?)\b/gi, '$1年')
    .replace(/\b(\d+)\s*(?:times?|passes|checks?)\b/gi, '$1次');
}

/** Handles a message while a pre-check is waiting for an answer. */
function midCheck(state: ChatState, input: TurnInput, env: TurnEnv): TurnResult {
  const pre = state.precheck!;
  const { command, now } = input;
  if (command && !['/cancel', '/back', '/continue'].includes(command)) {
    return { state, replies: [], handled: false, resume: repeatQuestion(pre, now) };
  }
  const text = englishAnswer(input.text);
  if (!command && CANCEL_WORDS.test(text)) {
    const r = precheckStep(pre, '/cancel', now);
    return { state: finish({ ...state, precheck: r.state }, r.state, now), replies: r.replies, handled: true };
  }
  // A question asked mid-check is answered, never read as an answer to another condition.
  if (!command && pre.asking && looksLikeQuestion(text) && readSlotAnswer(pre.asking, text, now) === undefined) {
    const a = env.answer(text, now);
    if (a.found) {
      const repeat = repeatQuestion(pre, now);
      return {
        state,
        replies: [
          { text: a.answer, data: { answer: { intent: a.intent, found: true, citations: a.citations.map((c) => ({ title: c.title, article: c.article })) } } },
          { ...repeat, text: `（预检继续）${repeat.text}` },
        ],
        handled: true,
      };
    }
  }
  // Plain readings the engine's yes/no reader can miss: registration elsewhere, or "one of them is not met".
  const plainNo =
    !command &&
    ((pre.asking === 'registeredInKaiping' && /(佛山|江门|台山|恩平|鹤山|新会|广州|深圳|中山|珠海|东莞|外地|外省|别的地方|其他地方)[市县区]?的?(注册|登记)|(注册|登记)在(佛山|江门|台山|恩平|鹤山|新会|广州|深圳|中山|珠海|东莞|外地|外省)/.test(text)) ||
      (pre.asking === 'compliant' && /(没|不|未)(有)?(达标|达到|符合|满足|取得)|有(一|几|的)?[项个些](没|不|未)/.test(text)));
  // "1"/"2" pick 是/否 when the current question offers those two choices.
  const choice = !command && pre.asking && !isNumericSlot(pre.asking) && /^[12]$/.test(text.trim()) ? (text.trim() === '1' ? '是' : '否') : undefined;
  const r = precheckStep(pre, command ?? (plainNo ? '否' : undefined) ?? choice ?? text, now);
  if (r.unreadable && (OTHER_CAPABILITY.has(input.intent) || CHAT_WORDS.test(text))) {
    return { state, replies: [], handled: false, resume: repeatQuestion(pre, now) };
  }
  return { state: finish({ ...state, precheck: r.state }, r.state, now), replies: r.replies, handled: true };
}

/** The current question again (used after an interruption). */
function repeatQuestion(pre: PrecheckState, _now: Date): Reply {
  const slot = pre.asking;
  if (!slot) return { text: '请继续回答上一题。' };
  return { text: precheckQuestion(slot), ...(isNumericSlot(slot) ? {} : { choices: [...YES_NO_CHOICES] }), data: { precheck: { ask: slot } } };
}

/** Stores the profile when a check has finished; keeps a finished check only while "继续" can resume it. */
function finish(state: ChatState, pre: PrecheckState, now: Date): ChatState {
  if (pre.status === 'done') {
    const next: ChatState = { v: CHAT_STATE_VERSION, profile: { ...state.profile, ...pre.answers } };
    if (canContinuePrecheck(pre, now)) next.precheck = pre;
    return next;
  }
  if (pre.status === 'stopped') return { v: CHAT_STATE_VERSION, profile: state.profile };
  return state;
}

/** A verdict from the saved profile, for "我们符合吗". */
function profileVerdict(state: ChatState, now: Date): TurnResult {
  const profile = state.profile!;
  const verdict = evaluate(profile, now);
  return {
    state,
    replies: [{ text: `根据您上次预检保存的资料：\n${verdictText(verdict, profile, now)}`, data: { precheck: { eligible: verdict.eligible, failed: verdict.failed, reward: verdict.reward } } }],
    handled: true,
  };
}
