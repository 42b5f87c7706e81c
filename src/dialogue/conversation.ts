/** The pure conversation layer: `(state, input) → (state, replies)` for pre-checks of any award, profiles and dialogue commands. */
import { z } from 'zod';
import type { PolicyAnswer } from '../core/types.ts';
import { configuredAwards } from './award-loader.ts';
import { awardMention, choicesOf, criterionOf, type Answers, type AwardRules } from './award-rules.ts';
import {
  canContinuePrecheck,
  evaluate,
  isPrecheckActive,
  parsePrecheckState,
  precheckStateSchema,
  precheckStep,
  startPrecheck,
  verdictData,
  verdictText,
  type PrecheckState,
  type Reply,
} from './precheck-engine.ts';
import { extractAnswers, isAskedNo, parseCorrection, readSlotAnswer } from './precheck-extract.ts';
import { reviveTopic, type Topic } from './topic.ts';
import { changeNotice, settle, type Active } from './rules-change.ts';
import { answersFor } from './match.ts';
import { matchTurn, profileTurn, statementTurn } from './match-dialogue.ts';
import { absorbAnswers, asksForMatch, loadProfileDef, sanitizeCompany, type Company, type ProfileDef } from './profile.ts';

/** Version of the saved chat state; bump it when the shape changes incompatibly. */
export const CHAT_STATE_VERSION = 2;

/** Saved per-chat dialogue state. */
export interface ChatState {
  v: typeof CHAT_STATE_VERSION;
  /** The running pre-check, if any (it names its award). */
  precheck?: PrecheckState;
  /** Answers of the last finished pre-check of each award: the enterprise's profile, by award id. */
  profiles?: Record<string, Answers>;
  /** Profile saved before awards had ids; it belongs to the first configured award. */
  profile?: Answers;
  /** The award of the last pre-check, for "我们符合吗". */
  lastAward?: string;
  /** Set while the user is asked which award to check; holds the message that asked for the check (and, after a match, the awards its numbers stand for). */
  choosing?: { text: string; among?: string[] };
  /** The shared company profile (data/profile.json fields), filled by every award's answers. */
  company?: Company;
  /** Set when the chat opted out of match notices ("/unsubscribe 匹配"). */
  matchOptOut?: boolean;
  /** What the last answer was about, for follow-ups and "原文" (added in version 2). */
  topic?: Topic;
}

const answersRecord = z.record(z.string(), z.union([z.boolean(), z.number(), z.string()]));

/** Schema that checks loaded state before use; anything else starts afresh. */
const chatStateSchema = z.object({
  // Version 1 had no topic; it reads as version 2 without one.
  v: z.union([z.literal(1), z.literal(CHAT_STATE_VERSION)]),
  precheck: z.any().optional(),
  profile: answersRecord.optional(),
  profiles: z.record(z.string(), answersRecord).optional(),
  lastAward: z.string().optional(),
  choosing: z.object({ text: z.string(), among: z.array(z.string()).optional() }).optional(),
  company: z.record(z.string(), z.unknown()).optional(),
  matchOptOut: z.boolean().optional(),
  topic: z.unknown().optional(),
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
  const pre = precheckStateSchema.safeParse(r.data.precheck);
  if (pre.success) state.precheck = pre.data;
  if (r.data.profile) state.profile = r.data.profile;
  if (r.data.profiles) state.profiles = r.data.profiles;
  if (r.data.lastAward) state.lastAward = r.data.lastAward;
  if (r.data.choosing) state.choosing = r.data.choosing;
  const topic = reviveTopic(r.data.topic);
  if (topic) state.topic = topic;
  const company = sanitizeCompany(r.data.company, loadProfileDef());
  if (company) state.company = company;
  if (r.data.matchOptOut) state.matchOptOut = true;
  return state;
}

/** One user turn, already understood. */
export interface TurnInput {
  /** Normalised text. */
  text: string;
  /** The same text in the script the user wrote (Traditional kept), for quoting their own words such as a company name. */
  written?: string;
  /** Lower-cased slash command, if any. */
  command?: string;
  /** Text after the command. */
  args?: string;
  /** Intent guess. */
  intent: string;
  /** How sure the classifier is of the intent (0–1); a form starts on the intent alone only when it is sure. */
  confidence?: number;
  /** Set when the message continues the chat's topic ("那纳税证明呢"): it is a question, never the start of a form. */
  followUp?: boolean;
  /** The bot's clock. */
  now: Date;
}

/** Pure services and data the conversation may use. */
export interface TurnEnv {
  /** Answers a policy question (pure: depends only on the knowledge and the date). */
  answer(question: string, now: Date): PolicyAnswer;
  /** The awards that can be pre-checked, from their rules files; the configured ones when omitted. */
  awards?: readonly AwardRules[];
  /**
   * Answers a message sent while a pre-check waits, when it is a question: about the award being checked unless it
   * names a subject of its own. Undefined when the message asks nothing (it is then read as an answer to the form).
   */
  askInForm?(text: string, award: AwardRules, now: Date): { reply: Reply; topic?: Topic } | undefined;
  /** Whether a message asks what the current question means ("什么意思"); the glossary holds the words. */
  asksMeaning?(text: string): boolean;
  /** Whether a text asks for a fact (how much, when, who…), by the glossary's question words. */
  asksFor?(text: string): boolean;
  /** The shared company profile's definition; data/profile.json when omitted. */
  profile?: ProfileDef;
}

/** Result of one turn: the new state, the replies, and whether the turn was consumed here. */
export interface TurnResult {
  state: ChatState;
  replies: Reply[];
  /** False when the message is for another capability (subscriptions, broadcasts, policy answers). */
  handled: boolean;
  /** When not handled mid-check: the question to repeat after the other capability has answered. */
  resume?: Reply;
  /** Set when the chat turned match notices off: those still queued for it are cancelled as the state is saved. */
  cancelMatchNotices?: boolean;
}

/** Intent confidence from which a precheck_start guess alone starts a form. */
export const START_CONFIDENCE = 0.5;

/** Words that start a pre-check. */
const START_WORDS = /(能|可以|能不能|可不可以|够不够|有没有资格)(评|申报|申请|报|拿|参评)|符不符合|是否符合|帮我(看看|查查|测|评估)|预检|自测|测一下|测测|评估一下|precheck|am i eligible|are we eligible|can we apply/i;
/** Words asking whether "we" qualify, answered from the saved profile. */
const PROFILE_WORDS = /^(我们|我司|咱们|我家)?(现在)?(符合吗|符合条件吗|够条件吗|能评上吗|能拿多少|合格吗)|我们符合|按我们的情况|我们的情况/;
/** Greetings, thanks and requests for help, which are answered without disturbing a pre-check. */
export const CHAT_WORDS = /^(你好|您好|在吗|hi|hello|嗨|谢谢|多谢|感谢|谢了|thanks|thank you|好的|ok|帮助|help|菜单|怎么用|使用说明|你能做什么|你会什么|功能)[!！。.~～]*$/i;

/** Intents of other capabilities that may interrupt a pre-check. */
const OTHER_CAPABILITY = new Set(['subscribe', 'unsubscribe', 'award_register', 'award_list']);

/** Runs one turn of the conversation, telling the user first when the rules of their running check changed meanwhile. */
export function converse(saved: ChatState, input: TurnInput, env: TurnEnv): TurnResult {
  const awards = env.awards ?? configuredAwards();
  const settled = settle(saved, awards);
  const { change } = settled;
  if (!change) return turn(settled, input, env, awards);
  // The message answered a question of a check whose award is gone: it is not read as anything else.
  if (change.kind === 'removed') return { state: settled.state, replies: [changeNotice(change)], handled: true };
  if (!settled.active) {
    // The question being asked is gone from the new rules: the check starts again under them, keeping every answer that still fits.
    const { state } = settled;
    const kept: ChatState = { ...state, profiles: { ...state.profiles, [change.award.id]: { ...change.lost, ...state.profiles?.[change.award.id] } } };
    const r = startFor(kept, change.award, '', input.now);
    return { ...r, state: { ...r.state, profiles: state.profiles }, replies: [changeNotice(change), ...r.replies] };
  }
  const r = turn(settled, input, env, awards);
  if (!r.handled) {
    // Handled elsewhere (a question, a command): the form resumes with its question, and the notice is said then.
    return r.resume ? { ...r, resume: { ...r.resume, text: `${changeNotice(change).text}\n${r.resume.text}` } } : { ...r, replies: [changeNotice(change), ...r.replies] };
  }
  return { ...r, replies: [changeNotice(change), ...r.replies] };
}

/** One turn over state already matched to the awards. */
function turn(settled: { state: ChatState; active?: Active }, input: TurnInput, env: TurnEnv, awards: readonly AwardRules[]): TurnResult {
  const { state, active } = settled;
  const { text, command, now } = input;
  const def = env.profile ?? loadProfileDef();
  if (command === '/forget') {
    const had = Boolean(state.precheck || Object.keys(state.profiles ?? {}).length || state.company);
    const forgotten: ChatState = emptyChatState();
    if (state.matchOptOut) forgotten.matchOptOut = true;
    return { state: forgotten, replies: [{ text: had ? '已删除本会话保存的企业资料和预检进度。' : '本会话没有保存企业资料，无需删除。', data: { profile: 'deleted' } }], handled: true };
  }
  if (command === '/precheck' || command === '/start_precheck') {
    return begin(state, input.args ?? '', now, awards);
  }
  if (active && isPrecheckActive(active.pre) && (command === '/profile' || (!command && asksForMatch(text, def) && !awardMention(awards, text)))) {
    // The profile and the match list can be asked in the middle of a check; the check then goes on.
    const running = { ...state.profiles, [active.award.id]: { ...state.profiles?.[active.award.id], ...active.pre.answers } };
    const r = profileTurn({ ...state, profiles: running }, input, awards, def);
    if (r) {
      const repeat = repeatQuestion(active.award, active.pre);
      return { ...r, state: { ...r.state, profiles: state.profiles, precheck: active.pre }, replies: [...r.replies, { ...repeat, text: `（预检继续）${repeat.text}` }] };
    }
  }
  if (active && isPrecheckActive(active.pre)) {
    return midCheck(state, active, input, env);
  }
  if (active && canContinuePrecheck(active.award, active.pre, now) && (/^(继续|继续核对|接着|接着问)$/.test(text) || command === '/continue' || command === '/back' || parseCorrection(active.award, text, now))) {
    const r = precheckStep(active.award, active.pre, command === '/continue' ? '继续' : command ?? text, now);
    if (!r.unreadable) return { state: finish({ ...state, precheck: r.state }, active.award, r.state, now), replies: r.replies, handled: true };
  }
  if (state.choosing && !command) {
    const picked = pickAward(state, text, now, awards);
    if (picked) return picked;
  }
  const base: ChatState = state.choosing ? withoutChoosing(state) : state;
  const profiled = profileTurn(base, input, awards, def);
  if (profiled) return profiled;
  if (command === '/cancel' || (!command && CANCEL_WORDS.test(text))) {
    const { topic: _lapsed, ...untopiced } = base;
    if (base.topic) return { state: untopiced, replies: [{ text: '好的，前面的话题已结束。您可以问新的问题，或发送 /precheck 开始申报预检。' }], handled: true };
    return { state: base, replies: [{ text: '当前没有进行中的预检，无需取消。发送 /precheck 可以开始申报预检。' }], handled: true };
  }
  if (command === '/back') {
    return { state: base, replies: [{ text: '当前没有进行中的预检，无需返回。发送 /precheck 开始。' }], handled: true };
  }
  if (command) return { state: base, replies: [], handled: false };
  // A follow-up of the chat's topic is a question about it, whatever words it shares with a request for a check.
  if (input.followUp) return { state: base, replies: [], handled: false };
  const sureStart = input.intent === 'precheck_start' && (input.confidence ?? 1) >= START_CONFIDENCE;
  // "我们注册4年了" states a fact to keep (it corrects the shared profile), whatever the classifier guesses.
  const statement = !PROFILE_WORDS.test(text) && !START_WORDS.test(text) && !bestDescribed(awards, text, now) ? statementTurn(base, input, awards, def) : undefined;
  if (statement) return statement;
  if (PROFILE_WORDS.test(text) || (input.intent === 'profile_check' && !START_WORDS.test(text))) {
    const profiled = profileAward(base, awards);
    if (profiled) return profileVerdict(base, profiled, now);
    return begin(base, text, now, awards);
  }
  // "…最少能拿多少" asks an amount: a message whose last clause, or whose request for a check, asks for a fact is a
  // question, never the start of a form.
  const clauses = text.split(/[，。,.;；！!？?]/).filter((c) => c.trim());
  const start = START_WORDS.exec(text);
  const asksFact = (s: string | undefined) => Boolean(s && env.asksFor?.(s));
  const asksAtEnd = asksFact(clauses.at(-1));
  if (!asksAtEnd && bestDescribed(awards, text, now)) {
    // A description of the enterprise (where it is registered, for how long, its legal status…) is a pre-check with its
    // answers given; with several awards and none named, it is matched against all of them.
    if (awards.length > 1 && !awardMention(awards, text)) return matchTurn(base, input, awards, def);
    return begin(base, text, now, awards);
  }
  const startAsks = start ? asksFact(text.slice(start.index + start[0].length).split(/[，。,.;；！!？?]/)[0]) : asksAtEnd;
  if ((start || sureStart) && !startAsks) {
    if (!awardMention(awards, text) && !/申报|评|条件|资格|符合|预检|eligible|apply/.test(text) && !sureStart) return { state: base, replies: [], handled: false };
    return begin(base, text, now, awards);
  }
  return statementTurn(base, input, awards, def) ?? { state: base, replies: [], handled: false };
}

function withoutChoosing(state: ChatState): ChatState {
  const { choosing: _c, ...rest } = state;
  return rest;
}

/** The award whose criteria a description fills most (at least three of them, and more than any other award). */
function bestDescribed(awards: readonly AwardRules[], text: string, now: Date): AwardRules | undefined {
  const scored = awards.map((a) => ({ a, n: Object.keys(extractAnswers(a, text, now)).length })).sort((x, y) => y.n - x.n);
  if (!scored[0] || scored[0].n < 3) return undefined;
  if (scored[1] && scored[1].n === scored[0].n) return undefined;
  return scored[0].a;
}

/** Starts a pre-check: of the award the message names, the only award, or the one a description fits; otherwise asks which. */
function begin(state: ChatState, text: string, now: Date, awards: readonly AwardRules[]): TurnResult {
  if (awards.length === 0) return { state, replies: [{ text: '抱歉，目前还没有可以预检的奖项。' }], handled: true };
  const award = awardMention(awards, text) ?? (awards.length === 1 ? awards[0] : bestDescribed(awards, text, now));
  if (!award) {
    return {
      state: { ...withoutChoosing(state), choosing: { text } },
      replies: [
        {
          text: `可以预检以下${awards.length}个奖项，请问您想预检哪一个？请选择，或直接说出奖项名称。`,
          choices: awards.map((a) => ({ label: a.name, value: a.name })),
          data: { precheck: { choose: awards.map((a) => a.id) } },
        },
      ],
      handled: true,
    };
  }
  return startFor(withoutChoosing(state), award, text, now);
}

/** Starts the check of one award, reusing the shared company profile, its own saved answers and any facts stated in the message. */
function startFor(state: ChatState, award: AwardRules, text: string, now: Date): TurnResult {
  const reused = answersFor(award, state.company, state.profiles?.[award.id], loadProfileDef());
  const r = startPrecheck(award, text, now, Object.keys(reused).length ? reused : undefined);
  return { state: finish({ ...state, precheck: r.state, lastAward: award.id }, award, r.state, now), replies: r.replies, handled: true };
}

/** Reads the answer to "which award?": a name, or its number in the list; undefined lets the message be handled as usual. */
function pickAward(state: ChatState, text: string, now: Date, awards: readonly AwardRules[]): TurnResult | undefined {
  const n = /^\s*([1-9])\s*$/.exec(text);
  const among = state.choosing!.among;
  const numbered = among ? among.map((id) => awards.find((a) => a.id === id)).filter((a): a is AwardRules => a !== undefined) : awards;
  const award = awardMention(awards, text) ?? (n ? numbered[Number(n[1]) - 1] : undefined);
  if (award) return startFor(withoutChoosing(state), award, `${state.choosing!.text} ${text}`, now);
  if (among) return undefined;
  if (CANCEL_WORDS.test(text)) return { state: withoutChoosing(state), replies: [{ text: '好的，已取消。需要时可以随时发送 /precheck 重新开始。' }], handled: true };
  return undefined;
}

/** Words that stop a check ("不想做了"), read before any answer so they are never taken for "no". */
const CANCEL_WORDS = /^(不想做了|不做了|不想查了|不查了|不测了|不弄了|不想弄了|先不做了|算了吧?|取消(预检)?|退出|结束|停止|stop|quit|exit|cancel)[!！。.~～]*$/i;

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

/** Maps "1"/"2"… to the label of the current question's choice, for channels that show choices as numbered text. */
function numberedChoice(award: AwardRules, slot: string | null, text: string): string | undefined {
  const c = slot ? criterionOf(award, slot) : undefined;
  const choices = c && choicesOf(c);
  const m = /^\s*([1-9])\s*$/.exec(text);
  if (!choices || !m) return undefined;
  return choices[Number(m[1]) - 1]?.label;
}

/** Handles a message while a pre-check is waiting for an answer. */
function midCheck(state: ChatState, active: Active, input: TurnInput, env: TurnEnv): TurnResult {
  const { award, pre } = active;
  const { command, now } = input;
  if (command && !['/cancel', '/back', '/continue'].includes(command)) {
    return { state, replies: [], handled: false, resume: repeatQuestion(award, pre) };
  }
  const text = englishAnswer(input.text);
  if (!command && CANCEL_WORDS.test(text)) {
    const r = precheckStep(award, pre, '/cancel', now);
    return { state: finish({ ...state, precheck: r.state }, award, r.state, now), replies: r.replies, handled: true };
  }
  // A question asked mid-check is answered (about the award being checked), never read as an answer to another
  // condition; the form then asks its question again.
  if (!command && pre.asking && env.asksMeaning?.(input.text)) {
    const repeat = repeatQuestion(award, pre);
    return { state, replies: [explainCriterion(award, pre.asking), { ...repeat, text: `（预检继续）${repeat.text}` }], handled: true };
  }
  if (!command && pre.asking && readSlotAnswer(award, pre.asking, text, now) === undefined && !isAskedNo(criterionOf(award, pre.asking)!, text)) {
    const asked = env.askInForm ? env.askInForm(input.text, award, now) : plainAnswer(env, input.text, now);
    if (asked) {
      const repeat = repeatQuestion(award, pre);
      return {
        state: asked.topic ? { ...state, topic: asked.topic } : state,
        replies: [asked.reply, { ...repeat, text: `（预检继续）${repeat.text}` }],
        handled: true,
      };
    }
  }
  // Plain readings the engine's yes/no reader can miss, declared per criterion (its `askedNo` words).
  const asked = pre.asking ? criterionOf(award, pre.asking) : undefined;
  const plainNo = !command && asked !== undefined && isAskedNo(asked, text);
  const choice = !command ? numberedChoice(award, pre.asking, text) : undefined;
  const r = precheckStep(award, pre, command ?? (plainNo ? '否' : undefined) ?? choice ?? text, now);
  if (r.unreadable && (OTHER_CAPABILITY.has(input.intent) || CHAT_WORDS.test(text))) {
    return { state, replies: [], handled: false, resume: repeatQuestion(award, pre) };
  }
  return { state: finish({ ...state, precheck: r.state }, award, r.state, now), replies: r.replies, handled: true };
}

/** A question mark's question answered as it stands, for hosts that give no `askInForm`; undefined when not found. */
function plainAnswer(env: TurnEnv, text: string, now: Date): { reply: Reply; topic?: Topic } | undefined {
  if (!/[?？]/.test(text)) return undefined;
  const a = env.answer(text, now);
  return a.found ? { reply: { text: a.answer, data: { answer: { intent: a.intent, found: true, citations: a.citations.map((c) => ({ title: c.title, article: c.article })) } } } } : undefined;
}

/** What the current question means: the condition it checks and the clause it rests on, verbatim. */
function explainCriterion(award: AwardRules, slot: string): Reply {
  const c = criterionOf(award, slot);
  if (!c) return { text: '请继续回答上一题。' };
  const cites = c.cite.map((x) => `《${x.title ?? award.document.title}》${x.article}：“${x.quote}”`);
  return { text: [`这一题要确认的是：${c.condition}。`, `依据：${cites.join('\n')}`].join('\n'), data: { precheck: { explain: c.slot, award: award.id } } };
}

/** The current question again (used after an interruption). */
function repeatQuestion(award: AwardRules, pre: PrecheckState): Reply {
  const c = pre.asking ? criterionOf(award, pre.asking) : undefined;
  if (!c) return { text: '请继续回答上一题。' };
  const choices = choicesOf(c);
  return { text: c.question, ...(choices ? { choices } : {}), data: { precheck: { ask: c.slot, award: award.id } } };
}

/** Writes every answer into the shared company profile; stores the award's answers when a check has finished; keeps a finished check only while "继续" can resume it. */
function finish(saved: ChatState, award: AwardRules, pre: PrecheckState, now: Date): ChatState {
  const state: ChatState = { ...saved, company: absorbAnswers(award, pre.answers, saved.company, loadProfileDef()) };
  if (!Object.keys(state.company!).length) delete state.company;
  const { precheck: _old, ...rest } = state;
  if (pre.status === 'done') {
    const next: ChatState = { ...rest, lastAward: award.id, profiles: { ...state.profiles, [award.id]: { ...state.profiles?.[award.id], ...pre.answers } } };
    if (canContinuePrecheck(award, pre, now)) next.precheck = pre;
    return next;
  }
  if (pre.status === 'stopped') return rest;
  return state;
}

/** The award "我们符合吗" refers to: the last one checked that has a saved profile. */
function profileAward(state: ChatState, awards: readonly AwardRules[]): AwardRules | undefined {
  const profiles = state.profiles ?? {};
  return awards.find((a) => a.id === state.lastAward && profiles[a.id]) ?? awards.find((a) => profiles[a.id]);
}

/** A verdict from the saved profile, for "我们符合吗". */
function profileVerdict(state: ChatState, award: AwardRules, now: Date): TurnResult {
  const profile = state.profiles![award.id];
  const verdict = evaluate(award, profile, now);
  return {
    state,
    replies: [{ text: `根据您上次预检保存的资料：\n${verdictText(award, verdict, profile, now)}`, data: verdictData(award, verdict) }],
    handled: true,
  };
}
