/** The turns about the shared company profile: /profile, a sentence that corrects it, "我们能申报哪些奖", and opting out of match notices. */
import { awardMention, type AwardRules } from './award-rules.ts';
import type { ChatState, TurnInput, TurnResult } from './conversation.ts';
import { matchReply } from './match.ts';
import { extractEntities } from '../nlu/entities.ts';
import { simplify } from '../nlu/normalize.ts';
import { extractAnswers } from './precheck-extract.ts';
import { absorbAnswers, asksForMatch, describeCompany, matchNoticeSwitch, mentionsSelf, nameField, namesMatchNotices, statedName, type Company, type ProfileDef } from './profile.ts';

/** Whether a message reads as a question rather than a statement. */
function isQuestion(text: string): boolean {
  return /[?？吗呢嘛]|多少|多久|哪|什么|啥|怎么|如何|是否|能否|有没有|能不能|可不可以/.test(text);
}

/**
 * Facts about the company stated in a message, read by every award's criteria and written into the shared profile
 * and each award's own answers. A mention of an award's place or trade alone (criteria marked contextOnly) is context,
 * not a fact; the message must be about one's own company (the profile's `self` words).
 */
export function statedFacts(state: ChatState, text: string, now: Date, awards: readonly AwardRules[], def: ProfileDef, written?: string): { state: ChatState; learned: boolean } {
  // Each sentence alone, so that a closing question ("…没有投诉处罚。我们能申报哪些奖？") does not hide the facts before it.
  const sentences = text.split(/(?<=[。！？!?；;\n])/).filter((x) => x.trim());
  // "我们公司叫…", "公司名称是…": the company's name, from a sentence that is not a question, as the user wrote it.
  const name = writtenAs(sentences.filter((x) => !isQuestion(x)).map((x) => statedName(x, def)).find(Boolean), text, written);
  const field = nameField(def);
  const named = name && field ? { ...state.company, [field.name]: name } : state.company;
  if (!mentionsSelf(text, def)) return named === state.company ? { state, learned: false } : { state: { ...state, company: named }, learned: true };
  let company: Company | undefined = named;
  const profiles = { ...state.profiles };
  let learned = named !== state.company;
  for (const award of awards) {
    const found = Object.assign({}, ...sentences.map((x) => extractAnswers(award, x, now))) as ReturnType<typeof extractAnswers>;
    const stated = award.criteria.filter((c) => found[c.slot] !== undefined);
    if (!stated.length || stated.every((c) => c.contextOnly && found[c.slot] === true)) continue;
    learned = true;
    company = absorbAnswers(award, found, company, def);
    profiles[award.id] = { ...profiles[award.id], ...found };
  }
  // "我们在杭州注册": the place of registration, from the gazetteer, even when no loaded award is of that place.
  const place = extractEntities(text).otherPlaces.find((p) => new RegExp(`${p}[市县区]?的?(?:注册|登记|成立|设立)|(?:注册|登记)(?:地|在|于)(?:是|为)?${p}`).test(text));
  const placeField = def.fields.find((f) => f.type === 'place');
  if (place && placeField) {
    company = { ...company, [placeField.name]: place };
    learned = true;
  }
  if (!learned) return { state, learned };
  return { state: { ...state, company, profiles }, learned };
}

/** A name read from the normalised text, in the script the user wrote it in when the two texts line up; else as read. */
function writtenAs(name: string | undefined, text: string, written: string | undefined): string | undefined {
  if (!name || !written || written.length !== text.length) return name;
  const at = text.indexOf(name);
  const original = at >= 0 ? written.slice(at, at + name.length) : '';
  return original && simplify(original) === name ? original : name;
}

/** The /profile reply: the shared facts, how to correct them and how to delete them. */
function profileReply(state: ChatState, awards: readonly AwardRules[], def: ProfileDef): TurnResult {
  const lines = describeCompany(state.company, awards, def);
  const text = lines.length
    ? ['贵企业的资料（各奖项预检共用）：', ...lines, '', '如有变化，直接告诉我即可，例如“我们注册5年了”；发送“我们能申报哪些奖”查看匹配结果；发送 /forget 删除全部资料。'].join('\n')
    : '还没有保存贵企业的资料。可以一句话介绍企业情况，例如“我们公司叫某某有限公司，在本市注册6年，是独立法人，近3年抽检合格4次”，或发送“我们能申报哪些奖”开始。';
  return { state, replies: [{ text, data: { profile: { ...state.company } } }], handled: true };
}

/**
 * Handles the profile and match turns when no pre-check is waiting for an answer; undefined leaves the message to the
 * rest of the conversation.
 */
export function profileTurn(state: ChatState, input: TurnInput, awards: readonly AwardRules[], def: ProfileDef): TurnResult | undefined {
  const { command, text, now } = input;
  const args = input.args ?? '';
  if (command === '/profile') return profileReply(state, awards, def);
  const switched = command ? undefined : matchNoticeSwitch(text, def);
  if (((command === '/unsubscribe' || command === '/subscribe') && namesMatchNotices(args, def)) || switched) {
    const off = command ? command === '/unsubscribe' : switched === 'off';
    const reply = off
      ? '好的，之后不再向您推送“新奖项可能适合贵企业”的匹配通知；其他通知（公示、广播、到期提醒）照常。发送 /subscribe 匹配 可恢复。'
      : '好的，新奖项可能适合贵企业时会通知您（需已订阅通知）。发送 /unsubscribe 匹配 可关闭。';
    const next: ChatState = { ...state };
    if (off) next.matchOptOut = true;
    else delete next.matchOptOut;
    return { state: next, replies: [{ text: reply, data: { matchNotices: !off } }], handled: true, ...(off ? { cancelMatchNotices: true } : {}) };
  }
  if (command) return undefined;
  // "优秀奖能拿什么" asks about one award: only a question naming none is about every award.
  if (asksForMatch(text, def) && !awardMention(awards, text)) return matchTurn(state, input, awards, def);
  return undefined;
}

/** Records the facts a message states, then answers with every award's match line (numbers and buttons start just the missing questions). */
export function matchTurn(state: ChatState, input: TurnInput, awards: readonly AwardRules[], def: ProfileDef): TurnResult {
  if (awards.length === 0) return { state, replies: [{ text: '抱歉，目前还没有收录可以匹配的奖项。' }], handled: true };
  const { state: withFacts } = statedFacts(state, input.text, input.now, awards, def, input.written);
  const { reply, pick } = matchReply(awards, withFacts.company, withFacts.profiles, def, input.now);
  const next: ChatState = { ...withFacts };
  delete next.choosing;
  if (pick.length) next.choosing = { text: '', among: pick };
  return { state: next, replies: [reply], handled: true };
}

/** A statement about the company ("我们注册5年了") that corrects the shared profile; undefined when the message states no fact. */
export function statementTurn(state: ChatState, input: TurnInput, awards: readonly AwardRules[], def: ProfileDef): TurnResult | undefined {
  const { command, text, now } = input;
  if (!command && !isQuestion(text)) {
    const { state: next, learned } = statedFacts(state, text, now, awards, def, input.written);
    if (learned) {
      const lines = describeCompany(next.company, awards, def);
      return {
        state: next,
        replies: [{ text: ['已更新贵企业的资料：', ...lines, '', '发送“我们能申报哪些奖”查看哪些奖项可能适合，发送 /profile 随时查看。'].join('\n'), data: { profile: { ...next.company } } }],
        handled: true,
      };
    }
  }
  return undefined;
}
