/** The guided pre-check ("预检") for the Kaiping plumbing-and-sanitaryware quality award: a pure state machine, clock passed in. */
import { z } from 'zod';
import type { OutgoingMessage } from '../core/types.ts';
import {
  extractAnswers,
  isUnsure,
  parseCorrection,
  prepareText,
  readSlotAnswer,
} from './precheck-extract.ts';
import {
  REWARD_PER_PASS,
  RULES_TITLE,
  PLAN_TITLE,
  SLOTS,
  YES_NO_CHOICES,
  articleRef,
  formatAnswer,
  isNumericSlot,
  isValidValue,
  precheckQuestion,
  slotCondition,
  slotExample,
  slotFails,
  slotLabel,
  type PrecheckAnswers,
  type Slot,
} from './precheck-slots.ts';

/** Slot names, labels, questions and articles, re-exported so callers need only this module. */
export { SLOTS, SLOT_ARTICLES, isSlot, precheckQuestion, slotLabel } from './precheck-slots.ts';
/** Slot and answer types, re-exported so callers need only this module. */
export type { PrecheckAnswers, Slot } from './precheck-slots.ts';

/** A reply from the pre-check, without the conversation id (the caller adds `chat`). */
export type Reply = Omit<OutgoingMessage, 'chat'>;

/** The serialisable state of one running or finished pre-check. */
export interface PrecheckState {
  /** Format version of this state. */
  v: 1;
  /** Answers so far. */
  answers: PrecheckAnswers;
  /** Slot currently asked, or null when nothing is being asked. */
  asking: Slot | null;
  /** Slots in the order they were answered, for /back. */
  history: Slot[];
  /** Whether the user chose to continue after an early disqualification. */
  continued: boolean;
  /** Conditions the user could not answer ("不知道"); they stay unknown in the verdict. */
  skipped?: Slot[];
  /** 'asking' while questions remain, 'done' after a verdict, 'stopped' after a cancel. */
  status: 'asking' | 'done' | 'stopped';
}

/** The outcome of checking the answers against the conditions. */
export interface Verdict {
  /** True only when every condition is answered and met. */
  eligible: boolean;
  /** Slots whose answer fails the condition, in question order. */
  failed: Slot[];
  /** Slots not answered yet, in question order. */
  unknown: Slot[];
  /** Expected reward in yuan (3000 × passes) when eligible, else null. */
  reward: number | null;
}

/** The result of one pre-check step. */
export interface StepResult {
  /** The new state (the same object when the message could not be read). */
  state: PrecheckState;
  /** Replies to send, in order; the last one carries the question or the verdict. */
  replies: Reply[];
  /** Set when the message could not be read as an answer; the state is unchanged. */
  unreadable?: boolean;
  /** Set when this step produced a verdict. */
  verdict?: Verdict;
}

const answersSchema = z.object(
  Object.fromEntries(SLOTS.map((s) => [s, z.union([z.boolean(), z.number()]).optional()])) as Record<
    Slot,
    z.ZodOptional<z.ZodUnion<[z.ZodBoolean, z.ZodNumber]>>
  >,
);

/** Zod schema of a stored PrecheckState. */
export const precheckStateSchema = z.object({
  v: z.literal(1),
  answers: answersSchema,
  asking: z.enum(SLOTS).nullable(),
  history: z.array(z.enum(SLOTS)),
  continued: z.boolean(),
  skipped: z.array(z.enum(SLOTS)).optional(),
  status: z.enum(['asking', 'done', 'stopped']),
});

/** Validates a stored state (e.g. read back from JSON); returns undefined when it is not a valid version-1 state. */
export function parsePrecheckState(value: unknown): PrecheckState | undefined {
  const parsed = precheckStateSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return { ...parsed.data, answers: sanitizeAnswers(parsed.data.answers as PrecheckAnswers) };
}

/** Keeps only known slots with values of the right type. */
function sanitizeAnswers(answers: PrecheckAnswers | undefined): PrecheckAnswers {
  const clean: PrecheckAnswers = {};
  if (!answers) return clean;
  for (const slot of SLOTS) {
    const value = answers[slot];
    if (isValidValue(slot, value)) clean[slot] = value;
  }
  return clean;
}

/** Checks answers against all conditions; `now` is accepted for symmetry with verdictText and future date rules. */
export function evaluate(answers: PrecheckAnswers, now: Date): Verdict {
  void now;
  const failed: Slot[] = [];
  const unknown: Slot[] = [];
  for (const slot of SLOTS) {
    const value = answers[slot];
    if (!isValidValue(slot, value)) unknown.push(slot);
    else if (slotFails(slot, value)) failed.push(slot);
  }
  const eligible = failed.length === 0 && unknown.length === 0;
  const passes = answers.spotCheckPasses;
  return { eligible, failed, unknown, reward: eligible && typeof passes === 'number' ? REWARD_PER_PASS * passes : null };
}

/** Start of the day after the rules' stated validity ended (2021-09-30, China time). */
const RULES_LAPSE = new Date('2021-10-01T00:00:00+08:00');
const RULES_START = new Date('2016-10-01T00:00:00+08:00');

/** The caveat about the rules' own validity period (第十二条), phrased for the given date. */
export function validityCaveat(now: Date): string {
  const base = `该办法第十二条规定自2016年10月1日起施行、有效期5年，`;
  if (now.getTime() >= RULES_LAPSE.getTime()) {
    return `⚠️ 请注意：${base}即已于2021年9月30日到期，目前可能已失效或被新规定取代；请向开平市市场监督管理局确认现行规定后再申报。`;
  }
  if (now.getTime() < RULES_START.getTime()) {
    return `⚠️ 请注意：${base}即将于2021年9月30日到期；请向开平市市场监督管理局确认现行规定。`;
  }
  return `⚠️ 请注意：${base}将于2021年9月30日到期；请向开平市市场监督管理局确认现行规定。`;
}

const FAIL_REASONS: Record<Slot, (answers: PrecheckAnswers) => string> = {
  plumbingProducts: () => '该奖项授予水暖卫浴企业，贵企业的产品不属于水暖卫浴产品',
  registeredInKaiping: () => '申报企业须在开平市行政区域内登记注册，贵企业未在开平注册',
  yearsRegistered: (a) => `申报企业须在开平登记注册3年以上（含3年），贵企业目前为${a.yearsRegistered}年`,
  independentLegalPerson: () => '申报企业须具有独立法人资格',
  taxCertificate: () => '申报企业须能提供企业所在地缴税证明',
  compliant: () => '申报企业须符合环保、节能减排、安全生产、产品质量等方面的法律法规、强制性标准和产业政策要求，并取得有关证照',
  spotCheckPasses: (a) =>
    `申报产品近3年内须在国家、省和江门市监督抽查中连续3次以上（含3次）检验合格，贵企业为${a.spotCheckPasses}次`,
  spotCheckFailed: () =>
    `申报产品须没有抽检不合格记录；另据《${PLAN_TITLE}》，凡是抽检不合格的，一年内不得参与各类评奖`,
  complaintsOrPenalties: () => '申报期内不得有产品质量方面的投诉和处罚',
};

function conditionLine(slot: Slot, answers: PrecheckAnswers): string {
  const value = answers[slot];
  if (!isValidValue(slot, value)) return `❔ 未确认：${slotCondition(slot)}（尚未回答）${articleRef(slot)}`;
  const mark = slotFails(slot, value) ? '❌ 不符合' : '✅ 符合';
  return `${mark}：${slotCondition(slot)}（您的回答：${formatAnswer(slot, value)}）${articleRef(slot)}`;
}

/** The full verdict text: conclusion, each condition with its article, reward, next steps and the validity caveat. */
export function verdictText(verdict: Verdict, answers: PrecheckAnswers, now: Date): string {
  const lines: string[] = [];
  if (verdict.eligible) {
    lines.push('✅ 预检结论：根据您的回答，贵企业初步符合申报条件。');
  } else if (verdict.failed.length > 0) {
    lines.push('❌ 预检结论：根据您的回答，贵企业暂不符合申报条件。');
    lines.push('');
    lines.push('原因：');
    for (const slot of verdict.failed) lines.push(`· ${FAIL_REASONS[slot](answers)}${articleRef(slot)}。`);
  } else {
    lines.push('❔ 预检结论：还有条件未确认，暂无法判断。');
  }
  lines.push('');
  lines.push(`各项条件（依据《${RULES_TITLE}》）：`);
  for (const slot of SLOTS) lines.push(conditionLine(slot, answers));
  if (verdict.eligible && verdict.reward !== null) {
    lines.push('');
    lines.push(
      `预计奖励：${REWARD_PER_PASS}元 × ${answers.spotCheckPasses}次 = ${verdict.reward}元（每家最少9000元，第七条）`,
    );
  }
  if (verdict.failed.length === 0) {
    lines.push('');
    lines.push('下一步：');
    lines.push('1. 对照申报条件如实填写申报表格、准备证明材料，按规定日期向开平市市场监督管理局报送申报材料（第六条（一））；');
    lines.push('2. 经材料初审、评审后，拟获奖企业名单将通过政府公众网等方式公示10天（第六条（四））；');
    lines.push('3. 奖项有效期为3年，期满可重新申报（第九条）。');
  }
  if (verdict.failed.length > 0 && verdict.unknown.length > 0) {
    lines.push('');
    lines.push('如需继续核对其余条件，请回复“继续”。');
  }
  lines.push('');
  lines.push('以上仅为初步预检，最终以评审结果为准。');
  lines.push(validityCaveat(now));
  return lines.join('\n');
}

function questionReply(slot: Slot, prefix: string[] = []): Reply {
  const index = SLOTS.indexOf(slot) + 1;
  const text = [...prefix, `（第${index}项，共${SLOTS.length}项）${precheckQuestion(slot)}`].join('\n');
  const reply: Reply = { text, data: { precheck: { ask: slot } } };
  if (!isNumericSlot(slot)) reply.choices = YES_NO_CHOICES.map((c) => ({ ...c }));
  return reply;
}

function verdictReply(verdict: Verdict, answers: PrecheckAnswers, now: Date, prefix: string[]): Reply {
  const reply: Reply = {
    text: [...prefix, verdictText(verdict, answers, now)].join('\n'),
    data: { precheck: { eligible: verdict.eligible, failed: [...verdict.failed], reward: verdict.reward } },
  };
  if (verdict.failed.length > 0 && verdict.unknown.length > 0) reply.choices = [{ label: '继续核对', value: '继续' }];
  return reply;
}

function describe(answers: PrecheckAnswers): string {
  return SLOTS.filter((s) => isValidValue(s, answers[s]))
    .map((s) => `${slotLabel(s)}：${formatAnswer(s, answers[s] as boolean | number)}`)
    .join('；');
}

function withAnswers(state: PrecheckState, filled: PrecheckAnswers, order: Slot[]): PrecheckState {
  const answers = { ...state.answers, ...filled };
  const history = state.history.filter((s) => !order.includes(s)).concat(order);
  return { ...state, answers, history };
}

/** Asks the next missing slot, or ends with a verdict (early on a disqualification unless the user chose to continue). */
function advance(state: PrecheckState, now: Date, prefix: string[]): StepResult {
  const verdict = evaluate(state.answers, now);
  const next = verdict.unknown.find((slot) => !(state.skipped ?? []).includes(slot));
  if (next === undefined || (!state.continued && verdict.failed.length > 0)) {
    const done: PrecheckState = { ...state, asking: null, status: 'done' };
    return { state: done, replies: [verdictReply(verdict, done.answers, now, prefix)], verdict };
  }
  const asking: PrecheckState = { ...state, asking: next, status: 'asking' };
  return { state: asking, replies: [questionReply(next, prefix)] };
}

function blankState(): PrecheckState {
  return { v: 1, answers: {}, asking: null, history: [], continued: false, status: 'asking' };
}

/**
 * Starts a pre-check: reuses `profile` (answers of a previous check), fills every slot readable from `text`
 * (a one-message company profile), then asks the first missing slot or gives the verdict.
 */
export function startPrecheck(text: string, now: Date, profile?: PrecheckAnswers): StepResult {
  const reused = sanitizeAnswers(profile);
  const extracted = extractAnswers(text, now);
  let state = withAnswers(blankState(), reused, SLOTS.filter((s) => s in reused));
  state = withAnswers(state, extracted, SLOTS.filter((s) => s in extracted));
  const prefix = [
    `好的，我们来预检贵企业是否符合“开平市水暖卫浴产品质量优秀奖”的申报条件，共${SLOTS.length}项，我会逐项询问。随时可回复“/back”返回上一题，或回复“取消”结束。`,
  ];
  if (Object.keys(reused).length > 0) {
    prefix.push(`已沿用您上次预检的回答（${describe(reused)}）；如有变化，可以回复“改一下+条件名称”更正，例如“改一下注册年限”。`);
  }
  if (Object.keys(extracted).length > 0) prefix.push(`已从您的描述中识别到：${describe(extracted)}。`);
  prefix.push('');
  return advance(state, now, prefix);
}

const CANCEL = /^(?:\/cancel|取消|不查了|算了|退出|结束预检|停止预检|不预检了|取消预检)/;
const BACK = /^(?:\/back|返回|上一步|上一题|返回上一题|回到上一题|退回|后退|撤销)$/;
const CONTINUE = /^(?:继续|继续核对|继续吧|继续问|继续查|接着问|接着查|接着来|继续核对其余条件)$/;

function commandText(text: string): string {
  return prepareText(text)
    .replace(/[\s,.!?~…;:'"“”‘’。，！？；：、]/g, '')
    .replace(/(?:吧|啊|呀|了吧)$/, (m) => (m === '了吧' ? '了' : ''));
}

function unreadableReply(state: PrecheckState, text: string, now?: Date): StepResult {
  const slot = state.asking;
  if (!slot) return { state, replies: [], unreadable: true };
  if (isUnsure(text)) {
    // Not knowing is an answer too: the condition stays unknown in the verdict, and the check moves on.
    const skipped: PrecheckState = { ...state, skipped: [...new Set([...(state.skipped ?? []), slot])] };
    return advance(skipped, now ?? new Date(), [`没关系，“${slotLabel(slot)}”先记为未确认，核实后可回复“改一下${slotLabel(slot)}”补充。`, '']);
  }
  const lead = '抱歉，我没能看懂这个回答。';
  const reply = questionReply(slot, [lead]);
  reply.text += `\n请这样回答，例如：${slotExample(slot)}。`;
  return { state, replies: [reply], unreadable: true };
}

function back(state: PrecheckState, now: Date): StepResult {
  const last = state.history[state.history.length - 1];
  if (last === undefined) {
    if (state.asking) return { state, replies: [questionReply(state.asking, ['已经是第一个问题了。'])] };
    return advance(state, now, ['已经是第一个问题了。']);
  }
  const answers = { ...state.answers };
  delete answers[last];
  const next: PrecheckState = { ...state, answers, history: state.history.slice(0, -1), asking: last, status: 'asking' };
  return { state: next, replies: [questionReply(last, ['好的，我们回到上一题。'])] };
}

/**
 * Handles one user message during a pre-check: cancel, /back, corrections such as "改一下注册年限", "继续" after an
 * early disqualification, or an answer to the current question (plus any other conditions stated in the same message).
 * A finished check still accepts corrections, /back and "继续"; any other message returns unreadable with the state unchanged.
 */
export function precheckStep(state: PrecheckState, text: string, now: Date): StepResult {
  const command = commandText(text);

  if (CANCEL.test(command) && command.length <= 8) {
    const stopped: PrecheckState = { ...state, asking: null, status: 'stopped' };
    return { state: stopped, replies: [{ text: '好的，已取消本次预检。需要时可以随时重新开始。' }] };
  }
  if (state.status === 'stopped') {
    return { state, replies: [{ text: '本次预检已取消。如需预检，请重新开始。' }], unreadable: true };
  }
  if (BACK.test(command)) return back(state, now);

  if (CONTINUE.test(command)) {
    const verdict = evaluate(state.answers, now);
    if (state.status === 'done') {
      if (verdict.unknown.length === 0) {
        return { state, replies: [verdictReply(verdict, state.answers, now, ['所有条件都已核对完毕。'])], verdict };
      }
      return advance({ ...state, continued: true, status: 'asking' }, now, ['好的，我们继续核对其余条件。']);
    }
    if (state.asking) return { state, replies: [questionReply(state.asking)] };
  }

  const correction = parseCorrection(text, now);
  if (correction) {
    if (!correction.slot) return back(state, now);
    const slot = correction.slot;
    const answers = { ...state.answers };
    delete answers[slot];
    let next: PrecheckState = { ...state, answers, history: state.history.filter((s) => s !== slot), status: 'asking' };
    if (correction.value === undefined) {
      next = { ...next, asking: slot };
      return { state: next, replies: [questionReply(slot, [`好的，请重新回答“${slotLabel(slot)}”这一项。`])] };
    }
    next = withAnswers(next, { [slot]: correction.value }, [slot]);
    return advance(next, now, [`好的，已将“${slotLabel(slot)}”改为：${formatAnswer(slot, correction.value)}。`]);
  }

  if (state.status === 'done' || !state.asking) {
    return {
      state,
      replies: [{ text: '本次预检已经结束。如需修改某项回答，可以回复“改一下+条件名称”，例如“改一下注册年限”。' }],
      unreadable: true,
    };
  }

  const current = state.asking;
  const filled: PrecheckAnswers = {};
  const extracted = extractAnswers(text, now);
  for (const slot of SLOTS) {
    if (slot !== current && slot in extracted) filled[slot] = extracted[slot];
  }
  const value = readSlotAnswer(current, text, now);
  if (value !== undefined) filled[current] = value;
  const order = SLOTS.filter((s) => s !== current && s in filled);
  if (value !== undefined) order.push(current);
  if (order.length === 0) return unreadableReply(state, text, now);

  const next = withAnswers(state, filled, order);
  return advance(next, now, [`已记录：${describe(filled)}。`]);
}

/** Tells whether a state still expects answers (so the caller should route the next message to precheckStep). */
export function isPrecheckActive(state: PrecheckState): boolean {
  return state.status === 'asking';
}

/** Tells whether a finished check ended early on a disqualification and can still go on after “继续”. */
export function canContinuePrecheck(state: PrecheckState, now: Date): boolean {
  if (state.status !== 'done') return false;
  const verdict = evaluate(state.answers, now);
  return verdict.failed.length > 0 && verdict.unknown.length > 0;
}
