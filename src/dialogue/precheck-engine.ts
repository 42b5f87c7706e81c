/** The guided pre-check ("预检") of any award defined by a rules file: a pure state machine, award and clock passed in. */
import { z } from 'zod';
import type { OutgoingMessage } from '../core/types.ts';
import { extractAnswers, isUnsure, parseCorrection, prepareText, readSlotAnswer } from './precheck-extract.ts';
import {
  articleRef,
  awardVersion,
  decidesAlone,
  describeNode,
  documentStatus,
  groupNode,
  groupRef,
  neededSlots,
  nodeSlots,
  nodeState,
  rewardData,
  rewardText,
  statusText,
  chineseDate,
  choicesOf,
  computeReward,
  correctionExample,
  criterionFails,
  criterionOf,
  failReason,
  formatAnswer,
  isValidValue,
  slotsOf,
  type Answers,
  type AnswerValue,
  type AwardRules,
  type Criterion,
} from './award-rules.ts';

/** Answer types, re-exported so callers need only this module. */
export type { Answers, AnswerValue, AwardRules } from './award-rules.ts';

/** A reply from the pre-check, without the conversation id (the caller adds `chat`). */
export type Reply = Omit<OutgoingMessage, 'chat'>;

/** The serialisable state of one running or finished pre-check. */
export interface PrecheckState {
  /** Format version of this state. */
  v: 1;
  /** Id of the award being checked (its rules file); states saved before awards had ids lack it. */
  award?: string;
  /** Version of the award's rules file the check was started or last continued with (states saved before lack it). */
  rules?: string;
  /** Answers so far. */
  answers: Answers;
  /** Slot currently asked, or null when nothing is being asked. */
  asking: string | null;
  /** Slots in the order they were answered, for /back. */
  history: string[];
  /** Whether the user chose to continue after an early disqualification. */
  continued: boolean;
  /** Conditions the user could not answer ("不知道"); they stay unknown in the verdict. */
  skipped?: string[];
  /** 'asking' while questions remain, 'done' after a verdict, 'stopped' after a cancel. */
  status: 'asking' | 'done' | 'stopped';
}

/** The outcome of checking the answers against the conditions. */
export interface Verdict {
  /** True only when every condition is answered and met. */
  eligible: boolean;
  /** Slots whose answer fails the condition, in question order (criteria that decide alone). */
  failed: string[];
  /** Ids of the `anyOf`/`allOf` groups the answers fail, in file order. */
  failedGroups: string[];
  /** Slots not answered yet that could still decide the verdict, in question order (informational ones never). */
  unknown: string[];
  /** Expected reward in yuan when eligible and the rules state one, else null. */
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

const slotSchema = z.string().min(1).max(60);

/** Zod schema of a stored PrecheckState (slots are checked against the award when the state is used). */
export const precheckStateSchema = z.object({
  v: z.literal(1),
  award: z.string().min(1).optional(),
  rules: z.string().min(1).max(40).optional(),
  answers: z.record(slotSchema, z.union([z.boolean(), z.number(), z.string()])),
  asking: slotSchema.nullable(),
  history: z.array(slotSchema),
  continued: z.boolean(),
  skipped: z.array(slotSchema).optional(),
  status: z.enum(['asking', 'done', 'stopped']),
});

/** Validates a stored state (e.g. read back from JSON) against an award; undefined when it is not a valid state of that award. */
export function parsePrecheckState(award: AwardRules, value: unknown): PrecheckState | undefined {
  const parsed = precheckStateSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  if (s.award !== undefined && s.award !== award.id) return undefined;
  const slots = slotsOf(award);
  if (s.asking !== null && !slots.includes(s.asking)) return undefined;
  const state: PrecheckState = {
    v: 1,
    award: award.id,
    rules: awardVersion(award),
    answers: sanitizeAnswers(award, s.answers),
    asking: s.asking,
    history: s.history.filter((x) => slots.includes(x)),
    continued: s.continued,
    status: s.status,
  };
  if (s.skipped) state.skipped = s.skipped.filter((x) => slots.includes(x));
  return state;
}

/** Keeps only the award's slots with values of the right type. */
export function sanitizeAnswers(award: AwardRules, answers: Answers | undefined): Answers {
  const clean: Answers = {};
  if (!answers) return clean;
  for (const c of award.criteria) {
    const value = answers[c.slot];
    if (isValidValue(c, value)) clean[c.slot] = value;
  }
  return clean;
}

/** Checks answers against all conditions of the award: criteria that decide alone, then the groups; informational criteria never decide. */
export function evaluate(award: AwardRules, answers: Answers, now: Date): Verdict {
  void now;
  const failed: string[] = [];
  const needed = new Set<string>();
  for (const c of award.criteria) {
    if (!decidesAlone(award, c)) continue;
    const value = answers[c.slot];
    if (!isValidValue(c, value)) needed.add(c.slot);
    else if (criterionFails(c, value)) failed.push(c.slot);
  }
  const failedGroups: string[] = [];
  for (const g of award.groups) {
    const node = groupNode(g);
    const state = nodeState(award, node, answers);
    if (state === false) failedGroups.push(g.id);
    else if (state === undefined) for (const slot of neededSlots(award, node, answers)) needed.add(slot);
  }
  const unknown = slotsOf(award).filter((s) => needed.has(s));
  const eligible = failed.length === 0 && failedGroups.length === 0 && unknown.length === 0;
  return { eligible, failed, failedGroups, unknown, reward: eligible ? computeReward(award, answers) : null };
}

/** Whether a verdict fails on anything (a criterion or a group). */
export function verdictFails(v: Verdict): boolean {
  return v.failed.length > 0 || v.failedGroups.length > 0;
}

/** The first failing condition in question order, as its label, reason and article; undefined when nothing fails. */
export function firstFailure(award: AwardRules, v: Verdict, answers: Answers): { id: string; reason: string; ref: string } | undefined {
  const order = (id: string) => {
    const g = award.groups.find((x) => x.id === id);
    const slots = g ? nodeSlots(groupNode(g)) : [id];
    return Math.min(...slots.map((s) => award.criteria.findIndex((c) => c.slot === s)));
  };
  const ids = [...v.failed, ...v.failedGroups].sort((a, b) => order(a) - order(b));
  const id = ids[0];
  if (id === undefined) return undefined;
  const g = award.groups.find((x) => x.id === id);
  if (g) return { id, reason: g.failReason, ref: groupRef(award, g) };
  const c = criterionOf(award, id)!;
  return { id, reason: failReason(c, answers[id]), ref: articleRef(award, c) };
}

/** Slots still to ask: those that could decide the verdict and unanswered informational ones, in question order. */
function toAsk(award: AwardRules, verdict: Verdict, answers: Answers): string[] {
  const unknown = new Set(verdict.unknown);
  return award.criteria.filter((c) => unknown.has(c.slot) || (c.informational && !isValidValue(c, answers[c.slot]))).map((c) => c.slot);
}

/** Start of the given China-time calendar day. */
function chinaDay(iso: string): Date {
  return new Date(`${iso}T00:00:00+08:00`);
}

/** The caveat about the policy document's own validity, phrased for the date of asking; empty when it states no end. */
export function validityCaveat(award: AwardRules, now: Date): string {
  const d = award.document;
  if (!d.expires) return '';
  const base = d.validityBasis ? `${d.validityBasis}，` : `《${d.title}》`;
  const end = chineseDate(d.expires);
  const lapse = chinaDay(d.expires).getTime() + 24 * 3600_000;
  if (now.getTime() >= lapse) {
    return `⚠️ 请注意：${base}即已于${end}到期，目前可能已失效或被新规定取代；请向${d.contact}确认现行规定后再申报。`;
  }
  if (d.effective && now.getTime() < chinaDay(d.effective).getTime()) {
    return `⚠️ 请注意：${base}即将于${end}到期；请向${d.contact}确认现行规定。`;
  }
  return `⚠️ 请注意：${base}将于${end}到期；请向${d.contact}确认现行规定。`;
}

function conditionLine(award: AwardRules, c: Criterion, answers: Answers): string {
  const value = answers[c.slot];
  if (c.informational) {
    const said = isValidValue(c, value) ? `您的回答：${formatAnswer(c, value)}` : '尚未回答';
    return `ℹ️ 仅供参考（由评审认定，不作预检判断）：${c.condition}（${said}）${articleRef(award, c)}`;
  }
  if (!decidesAlone(award, c)) {
    const said = isValidValue(c, value) ? `您的回答：${formatAnswer(c, value)}` : '尚未回答';
    return `· ${c.label}（${said}，见下方组合条件）${articleRef(award, c)}`;
  }
  if (!isValidValue(c, value)) return `❔ 未确认：${c.condition}（尚未回答）${articleRef(award, c)}`;
  const mark = criterionFails(c, value) ? '❌ 不符合' : '✅ 符合';
  return `${mark}：${c.condition}（您的回答：${formatAnswer(c, value)}）${articleRef(award, c)}`;
}

function groupLine(award: AwardRules, g: AwardRules['groups'][number], answers: Answers): string {
  const state = nodeState(award, groupNode(g), answers);
  const mark = state === true ? '✅ 符合' : state === false ? '❌ 不符合' : '❔ 未确认';
  return `${mark}：${g.condition}——${describeNode(award, groupNode(g))}${groupRef(award, g)}`;
}

/** The document-status line every verdict carries. */
export function statusLine(award: AwardRules, now: Date): string {
  return `📄 文件状态：${statusText(documentStatus(award, now))}（《${award.document.title}》）`;
}

/** The reward line of an eligible verdict, or undefined when the rules state no reward. */
function rewardLine(award: AwardRules, answers: Answers, reward: number): string | undefined {
  const r = award.reward;
  if (r.kind === 'fixed') return `预计奖励：${r.amount}元（${r.article}）`;
  if (r.kind !== 'per-unit') return undefined;
  const unit = criterionOf(award, r.slot)!;
  const n = answers[r.slot] as AnswerValue;
  const min = r.minimum !== undefined ? `每家最少${r.minimum}元，` : '';
  return `预计奖励：${r.amount}元 × ${formatAnswer(unit, n)} = ${reward}元（${min}${r.article}）`;
}

/** The full verdict text: conclusion, each condition with its article, reward, next steps and the validity caveat. */
export function verdictText(award: AwardRules, verdict: Verdict, answers: Answers, now: Date): string {
  const lines: string[] = [];
  if (verdict.eligible) {
    lines.push('✅ 预检结论：根据您的回答，贵企业初步符合申报条件。');
  } else if (verdictFails(verdict)) {
    lines.push('❌ 预检结论：根据您的回答，贵企业暂不符合申报条件。');
    lines.push('');
    lines.push('原因：');
    for (const slot of verdict.failed) {
      const c = criterionOf(award, slot)!;
      lines.push(`· ${failReason(c, answers[slot])}${articleRef(award, c)}。`);
    }
    for (const id of verdict.failedGroups) {
      const g = award.groups.find((x) => x.id === id)!;
      lines.push(`· ${g.failReason}${groupRef(award, g)}。`);
    }
  } else {
    lines.push('❔ 预检结论：还有条件未确认，暂无法判断。');
  }
  lines.push('');
  lines.push(`各项条件（依据《${award.document.title}》）：`);
  for (const c of award.criteria) lines.push(conditionLine(award, c, answers));
  for (const g of award.groups) lines.push(groupLine(award, g, answers));
  if (verdict.eligible) {
    const line = verdict.reward !== null ? rewardLine(award, answers, verdict.reward) : undefined;
    const text = rewardText(award, answers);
    lines.push('');
    lines.push(line ?? (text ? `预计奖励：${text}` : '奖励：该办法没有规定具体奖励金额。'));
  }
  if (!verdictFails(verdict) && award.nextSteps.length > 0) {
    lines.push('');
    lines.push('下一步：');
    award.nextSteps.forEach((s, i) => lines.push(`${i + 1}. ${s}`));
  }
  if (verdictFails(verdict) && verdict.unknown.length > 0) {
    lines.push('');
    lines.push('如需继续核对其余条件，请回复“继续”。');
  }
  lines.push('');
  lines.push('以上仅为初步预检，最终以评审结果为准。');
  lines.push(statusLine(award, now));
  const caveat = validityCaveat(award, now);
  if (caveat) lines.push(caveat);
  return lines.join('\n');
}

/** The question of a slot as a reply, with its number, choices and `data.precheck.ask`. */
export function questionReply(award: AwardRules, slot: string, prefix: string[] = []): Reply {
  const c = criterionOf(award, slot)!;
  const index = award.criteria.indexOf(c) + 1;
  const text = [...prefix, `（第${index}项，共${award.criteria.length}项）${c.question}`].join('\n');
  const reply: Reply = { text, data: { precheck: { ask: slot, award: award.id } } };
  const choices = choicesOf(c);
  if (choices) reply.choices = choices;
  return reply;
}

/**
 * The machine-readable verdict: `data.precheck` = { eligible, failed (slots and group ids that fail), reward (the exact
 * sum in yuan, or null), award }, and `data.verdict` = { unknown (slots still deciding), status of the document,
 * reward (kind, amount, upTo, min/max, tiers, text; null when none) }.
 */
export function verdictData(award: AwardRules, verdict: Verdict, answers: Answers = {}, now?: Date): Record<string, unknown> {
  const precheck = { eligible: verdict.eligible, failed: [...verdict.failed, ...verdict.failedGroups], reward: verdict.reward, award: award.id };
  const detail: Record<string, unknown> = { unknown: [...verdict.unknown], reward: verdict.eligible ? rewardData(award, answers) : null };
  if (now) detail.status = documentStatus(award, now);
  return { precheck, verdict: detail };
}

function verdictReply(award: AwardRules, verdict: Verdict, answers: Answers, now: Date, prefix: string[]): Reply {
  const reply: Reply = { text: [...prefix, verdictText(award, verdict, answers, now)].join('\n'), data: verdictData(award, verdict, answers, now) };
  if (verdictFails(verdict) && verdict.unknown.length > 0) reply.choices = [{ label: '继续核对', value: '继续' }];
  return reply;
}

/** The answers as "label：answer" pairs, in question order. */
export function describeAnswers(award: AwardRules, answers: Answers): string {
  return award.criteria
    .filter((c) => isValidValue(c, answers[c.slot]))
    .map((c) => `${c.label}：${formatAnswer(c, answers[c.slot] as AnswerValue)}`)
    .join('；');
}

function withAnswers(state: PrecheckState, filled: Answers, order: string[]): PrecheckState {
  const answers = { ...state.answers, ...filled };
  const history = state.history.filter((s) => !order.includes(s)).concat(order);
  return { ...state, answers, history };
}

/** Asks the next missing slot, or ends with a verdict (early on a disqualification unless the user chose to continue). */
function advance(award: AwardRules, state: PrecheckState, now: Date, prefix: string[]): StepResult {
  const verdict = evaluate(award, state.answers, now);
  const next = toAsk(award, verdict, state.answers).find((slot) => !(state.skipped ?? []).includes(slot));
  if (next === undefined || (!state.continued && verdictFails(verdict))) {
    const done: PrecheckState = { ...state, asking: null, status: 'done' };
    return { state: done, replies: [verdictReply(award, verdict, done.answers, now, prefix)], verdict };
  }
  const asking: PrecheckState = { ...state, asking: next, status: 'asking' };
  return { state: asking, replies: [questionReply(award, next, prefix)] };
}

function blankState(award: AwardRules): PrecheckState {
  return { v: 1, award: award.id, rules: awardVersion(award), answers: {}, asking: null, history: [], continued: false, status: 'asking' };
}

/**
 * Starts a pre-check of an award: reuses `profile` (answers of a previous check), fills every slot readable from `text`
 * (a one-message company profile), then asks the first missing slot or gives the verdict.
 */
export function startPrecheck(award: AwardRules, text: string, now: Date, profile?: Answers): StepResult {
  const slots = slotsOf(award);
  const reused = sanitizeAnswers(award, profile);
  const extracted = extractAnswers(award, text, now);
  let state = withAnswers(blankState(award), reused, slots.filter((s) => s in reused));
  state = withAnswers(state, extracted, slots.filter((s) => s in extracted));
  const prefix = [
    `好的，我们来预检贵企业是否符合“${award.name}”的申报条件，共${slots.length}项，我会逐项询问。随时可回复“/back”返回上一题，或回复“取消”结束。`,
  ];
  if (Object.keys(reused).length > 0) {
    const example = correctionExample(award);
    prefix.push(`已沿用您上次预检的回答（${describeAnswers(award, reused)}）；如有变化，可以回复“改一下+条件名称”更正，例如“改一下${example}”。`);
  }
  if (Object.keys(extracted).length > 0) prefix.push(`已从您的描述中识别到：${describeAnswers(award, extracted)}。`);
  prefix.push('');
  return advance(award, state, now, prefix);
}

const CANCEL = /^(?:\/cancel|取消|不查了|算了|退出|结束预检|停止预检|不预检了|取消预检)/;
const BACK = /^(?:\/back|返回|上一步|上一题|返回上一题|回到上一题|退回|后退|撤销)$/;
const CONTINUE = /^(?:继续|继续核对|继续吧|继续问|继续查|接着问|接着查|接着来|继续核对其余条件)$/;

function commandText(text: string): string {
  return prepareText(text)
    .replace(/[\s,.!?~…;:'"“”‘’。，！？；：、]/g, '')
    .replace(/(?:吧|啊|呀|了吧)$/, (m) => (m === '了吧' ? '了' : ''));
}

function unreadableReply(award: AwardRules, state: PrecheckState, text: string, now: Date): StepResult {
  const slot = state.asking;
  if (!slot) return { state, replies: [], unreadable: true };
  const c = criterionOf(award, slot)!;
  if (isUnsure(text)) {
    // Not knowing is an answer too: the condition stays unknown in the verdict, and the check moves on.
    const skipped: PrecheckState = { ...state, skipped: [...new Set([...(state.skipped ?? []), slot])] };
    return advance(award, skipped, now, [`没关系，“${c.label}”先记为未确认，核实后可回复“改一下${c.label}”补充。`, '']);
  }
  const reply = questionReply(award, slot, ['抱歉，我没能看懂这个回答。']);
  reply.text += `\n请这样回答，例如：${c.hint}。`;
  return { state, replies: [reply], unreadable: true };
}

function back(award: AwardRules, state: PrecheckState, now: Date): StepResult {
  const last = state.history[state.history.length - 1];
  if (last === undefined) {
    if (state.asking) return { state, replies: [questionReply(award, state.asking, ['已经是第一个问题了。'])] };
    return advance(award, state, now, ['已经是第一个问题了。']);
  }
  const answers = { ...state.answers };
  delete answers[last];
  const next: PrecheckState = { ...state, answers, history: state.history.slice(0, -1), asking: last, status: 'asking' };
  return { state: next, replies: [questionReply(award, last, ['好的，我们回到上一题。'])] };
}

/**
 * Handles one user message during a pre-check: cancel, /back, corrections such as "改一下注册年限", "继续" after an
 * early disqualification, or an answer to the current question (plus any other conditions stated in the same message).
 * A finished check still accepts corrections, /back and "继续"; any other message returns unreadable with the state unchanged.
 */
export function precheckStep(award: AwardRules, state: PrecheckState, text: string, now: Date): StepResult {
  const command = commandText(text);

  if (CANCEL.test(command) && command.length <= 8) {
    const stopped: PrecheckState = { ...state, asking: null, status: 'stopped' };
    return { state: stopped, replies: [{ text: '好的，已取消本次预检。需要时可以随时重新开始。' }] };
  }
  if (state.status === 'stopped') {
    return { state, replies: [{ text: '本次预检已取消。如需预检，请重新开始。' }], unreadable: true };
  }
  if (BACK.test(command)) return back(award, state, now);

  if (CONTINUE.test(command)) {
    const verdict = evaluate(award, state.answers, now);
    if (state.status === 'done') {
      if (verdict.unknown.length === 0) {
        return { state, replies: [verdictReply(award, verdict, state.answers, now, ['所有条件都已核对完毕。'])], verdict };
      }
      return advance(award, { ...state, continued: true, status: 'asking' }, now, ['好的，我们继续核对其余条件。']);
    }
    if (state.asking) return { state, replies: [questionReply(award, state.asking)] };
  }

  const correction = parseCorrection(award, text, now);
  if (correction) {
    if (!correction.slot) return back(award, state, now);
    const slot = correction.slot;
    const c = criterionOf(award, slot)!;
    const answers = { ...state.answers };
    delete answers[slot];
    let next: PrecheckState = { ...state, answers, history: state.history.filter((s) => s !== slot), status: 'asking' };
    if (correction.value === undefined) {
      next = { ...next, asking: slot };
      return { state: next, replies: [questionReply(award, slot, [`好的，请重新回答“${c.label}”这一项。`])] };
    }
    next = withAnswers(next, { [slot]: correction.value }, [slot]);
    return advance(award, next, now, [`好的，已将“${c.label}”改为：${formatAnswer(c, correction.value)}。`]);
  }

  if (state.status === 'done' || !state.asking) {
    return {
      state,
      replies: [{ text: `本次预检已经结束。如需修改某项回答，可以回复“改一下+条件名称”，例如“改一下${correctionExample(award)}”。` }],
      unreadable: true,
    };
  }

  const current = state.asking;
  const slots = slotsOf(award);
  const filled: Answers = {};
  const extracted = extractAnswers(award, text, now);
  for (const slot of slots) {
    if (slot !== current && slot in extracted) filled[slot] = extracted[slot];
  }
  const value = readSlotAnswer(award, current, text, now);
  if (value !== undefined) filled[current] = value;
  const order = slots.filter((s) => s !== current && s in filled);
  if (value !== undefined) order.push(current);
  if (order.length === 0) return unreadableReply(award, state, text, now);

  const next = withAnswers(state, filled, order);
  return advance(award, next, now, [`已记录：${describeAnswers(award, filled)}。`]);
}

/** Tells whether a state still expects answers (so the caller should route the next message to precheckStep). */
export function isPrecheckActive(state: PrecheckState): boolean {
  return state.status === 'asking';
}

/** Tells whether a finished check ended early on a disqualification and can still go on after “继续”. */
export function canContinuePrecheck(award: AwardRules, state: PrecheckState, now: Date): boolean {
  if (state.status !== 'done') return false;
  const verdict = evaluate(award, state.answers, now);
  return verdictFails(verdict) && verdict.unknown.length > 0;
}
