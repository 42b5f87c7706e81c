/** The match notice: when a rules file is added or changed, the subscribers it may fit (eligible, or one answer away); pure. */
import { awardVersion, type AwardRules } from './award-rules.ts';
import { reviveChatState } from './conversation.ts';
import { answersFor, matchAward, matchLineText, oneAnswerAway, type MatchLine } from './match.ts';
import type { ProfileDef } from './profile.ts';

/** A subscriber with its saved dialogue state. */
export interface SubscriberState {
  channel: string;
  chat: string;
  /** The saved chat state (JSON), or undefined when the chat never talked. */
  state: unknown;
}

/** One subscriber the award may fit, with the notice to send. */
export interface NoticeCandidate {
  channel: string;
  chat: string;
  line: MatchLine;
  /** Outbox key: one notice per chat, award and version of its rules file. */
  key: string;
  text: string;
}

export { awardVersion } from './award-rules.ts';

/** The outbox key prefix of an award's version; the chat's `channel:chat` is appended. */
export function noticeKeyPrefix(award: AwardRules): string {
  return `match:${award.id}:${awardVersion(award)}:`;
}

/** The notice a subscriber receives. */
export function noticeText(award: AwardRules, line: MatchLine, lineText: string): string {
  const head = line.verdict === 'eligible' ? `【奖项匹配提醒】根据贵企业已提供的资料，“${award.name}”可能适合贵企业：` : `【奖项匹配提醒】“${award.name}”可能适合贵企业，再回答1个问题即可判断：`;
  return [
    head,
    lineText,
    '',
    `发送“/precheck ${award.name}”预检，发送“我们能申报哪些奖”查看全部匹配结果。不想再收到此类匹配提醒，发送 /unsubscribe 匹配（其他通知不受影响）。`,
  ].join('\n');
}

/**
 * The subscribers an award may fit: those whose profile makes them eligible, or leaves exactly one question open, and
 * who did not opt out ("/unsubscribe 匹配"); ineligible ones and chats without a profile are never told.
 */
export function noticeCandidates(award: AwardRules, subscribers: readonly SubscriberState[], def: ProfileDef, now: Date): NoticeCandidate[] {
  const prefix = noticeKeyPrefix(award);
  const out: NoticeCandidate[] = [];
  for (const s of subscribers) {
    const state = reviveChatState(s.state);
    if (state.matchOptOut) continue;
    if (!state.company && !state.profiles?.[award.id]) continue;
    const answers = answersFor(award, state.company, state.profiles?.[award.id], def);
    const line = matchAward(award, answers, now);
    if (!(line.verdict === 'eligible' || (line.verdict === 'unknown' && oneAnswerAway(award, answers, now)))) continue;
    out.push({ channel: s.channel, chat: s.chat, line, key: `${prefix}${s.channel}:${s.chat}`, text: noticeText(award, line, matchLineText(award, line, answers, now)) });
  }
  return out;
}
