/**
 * Reminder rules for publicity periods and award expiry, as pure functions of local days (Asia/Shanghai). What they
 * say about the award (its names, the authority, the clauses cited, the publicity's length and the award's validity)
 * comes from its rules file (`publicity` and `registration`; see award-words.ts); the default is read from AWARDS_DIR.
 */
import { reminderWords, type ReminderWords } from './award-words.ts';
import { addDays, addYears, daysBetween, formatDayZh } from './dates.ts';

/** The ending reminder is due from this many days before the last day (ends−2 … ends: the last three days). */
export const PUBLICITY_ENDING_LEAD_DAYS = 2;

/** Days before the last valid day on which an expiring reminder is due. */
export const AWARD_WARNING_DAYS: readonly number[] = [90, 30, 7];

/** The kinds of reminder a chat can receive, as carried in `data.reminder.kind`. */
export type ReminderKind = 'publicity_start' | 'publicity_ending' | 'publicity_end' | 'award_expiring' | 'award_expired';

/** One scheduled reminder of a publicity or an award. */
export interface ReminderStage {
  /** Stable stage name, stored as the last stage reached and used in outbox keys, such as "expiring-30". */
  stage: string;
  kind: ReminderKind;
  /** First local day on which the reminder is due. */
  dueOn: string;
}

/** What to do for one publicity or award at a tick. */
export interface ReminderStep {
  /** The reminder to send now: the latest one due; undefined when none is due. */
  send: ReminderStage | undefined;
  /** Older due reminders superseded by `send` (the bot was down past them); they are never sent. */
  skipped: ReminderStage[];
  /** Stage reached after this step. */
  lastStage: string | null;
  /** Day the next reminder falls due, or null when none is left. */
  nextReminderOn: string | null;
}

/** Last day of a publicity starting on `starts`: `days` calendar days counting the first (10: 2026-01-05 → 2026-01-14). */
export function publicityEnds(starts: string, days: number = reminderWords().publicityDays): string {
  return addDays(starts, days - 1);
}

/**
 * Last valid day of an award granted on `awardedOn`: D + `years` − 1 day (3: 2024-03-01 → 2027-02-28; 2024-02-29 →
 * 2027-02-28). Throws when no rules file states the validity (the /award handler refuses politely before that).
 */
export function awardExpires(awardedOn: string, years: number = validityYears()): string {
  return addDays(addYears(awardedOn, years), -1);
}

/** Years an award stays valid, from its rules file; throws when none states it. */
function validityYears(): number {
  const years = reminderWords().validityYears;
  if (years === undefined) throw new Error('no award rules file states registration.validityYears');
  return years;
}

/** The reminders after a publicity's start notice: one while it is ending, one the day after it ends. */
export function publicityStages(ends: string): ReminderStage[] {
  return [
    { stage: 'ending', kind: 'publicity_ending', dueOn: addDays(ends, -PUBLICITY_ENDING_LEAD_DAYS) },
    { stage: 'end', kind: 'publicity_end', dueOn: addDays(ends, 1) },
  ];
}

/** The reminders of an award: 90, 30 and 7 days before its last valid day, then once the day after. */
export function awardStages(expires: string): ReminderStage[] {
  return [
    ...AWARD_WARNING_DAYS.map((d): ReminderStage => ({ stage: `expiring-${d}`, kind: 'award_expiring', dueOn: addDays(expires, -d) })),
    { stage: 'expired', kind: 'award_expired', dueOn: addDays(expires, 1) },
  ];
}

/** The day the first of `stages` after `lastStage` falls due, or null. */
export function firstReminderOn(stages: ReminderStage[], lastStage: string | null = null): string | null {
  const from = lastStage === null ? 0 : stages.findIndex((s) => s.stage === lastStage) + 1;
  return stages[from]?.dueOn ?? null;
}

/**
 * Decides what a tick on local day `today` sends: of the stages after `lastStage` that are due, only the latest is
 * sent and the older ones are skipped (a bot that was down does not send a backlog); the next reminder day is the
 * first stage not yet due. A second tick on the same day finds nothing due.
 */
export function stepReminders(stages: ReminderStage[], lastStage: string | null, today: string): ReminderStep {
  const from = lastStage === null ? 0 : stages.findIndex((s) => s.stage === lastStage) + 1;
  const pending = stages.slice(from);
  const due = pending.filter((s) => s.dueOn <= today);
  const send = due[due.length - 1];
  return {
    send,
    skipped: due.slice(0, -1),
    lastStage: send ? send.stage : lastStage,
    nextReminderOn: pending.find((s) => s.dueOn > today)?.dueOn ?? null,
  };
}

/** The machine-readable part of a publicity reminder. */
export function publicityData(kind: 'publicity_start' | 'publicity_ending' | 'publicity_end', ends: string): Record<string, unknown> {
  return { reminder: { kind, ends } };
}

/** The machine-readable part of an award reminder. */
export function awardData(kind: 'award_expiring' | 'award_expired', expires: string): Record<string, unknown> {
  return { reminder: { kind, expires } };
}

/** A note that the rules themselves have lapsed, when `today` is past their validity. */
function rulesNote(today: string, w: ReminderWords): string {
  if (!w.rulesExpires || today <= w.rulesExpires) return '';
  const validity = w.rulesValidity ? `${w.rulesValidity}，` : '';
  return `\n注：${validity}已于${formatDayZh(w.rulesExpires)}到期，具体以${w.authority}现行通知为准。`;
}

/** "依据：《…》第六条（四）：…" when the rules file gives the clause, else nothing. */
function basisLine(lead: string, clause: string | undefined, w: ReminderWords, end = ''): string {
  return clause && w.rulesTitle ? `\n${lead}${w.rulesTitle}${clause}${end}` : '';
}

/** A publicity period as the messages need it. */
export interface PublicityInfo {
  title: string;
  starts: string;
  ends: string;
}

/** Text of the notice subscribers get when staff announce a publicity. */
export function publicityStartText(p: PublicityInfo, today: string, w: ReminderWords = reminderWords()): string {
  const when = p.starts > today ? `将于${formatDayZh(p.starts)}开始` : '已开始';
  return (
    `【公示通知】${p.title}${when}。\n` +
    `公示期：${formatDayZh(p.starts)}至${formatDayZh(p.ends)}，共${daysBetween(p.starts, p.ends) + 1}天（含首日）。\n` +
    `如有异议，请在${formatDayZh(p.ends)}（含当日）前向${w.authority}提出。` +
    basisLine('依据：', w.publicityBasis, w)
  );
}

/** Text of the reminder in the last days of a publicity. */
export function publicityEndingText(p: PublicityInfo, today: string, w: ReminderWords = reminderWords()): string {
  const left = daysBetween(today, p.ends);
  const when = left <= 0 ? '今天是公示最后一天' : `还剩${left + 1}天（含今天）`;
  return (
    `【公示即将结束】${p.title}的公示期将于${formatDayZh(p.ends)}结束，${when}。\n` +
    `如有异议，请在${formatDayZh(p.ends)}（含当日）前向${w.authority}提出，逾期不再受理。` +
    basisLine('依据：', w.publicityEndingBasis, w, '。')
  );
}

/** Text of the notice the day after a publicity ends. */
export function publicityEndText(p: PublicityInfo, w: ReminderWords = reminderWords()): string {
  return `【公示已结束】${p.title}的公示期已于${formatDayZh(p.ends)}结束，异议受理期已截止。` + basisLine('依据', w.publicityAfterwards, w);
}

/** Text of the reminder due at `stage` of a publicity. */
export function publicityText(stage: ReminderStage, p: PublicityInfo, today: string, w: ReminderWords = reminderWords()): string {
  return stage.kind === 'publicity_ending' ? publicityEndingText(p, today, w) : publicityEndText(p, w);
}

/** An award as the messages need it. */
export interface AwardInfo {
  awardedOn: string;
  expires: string;
}

/** Text of an expiring or expired reminder of an award. */
export function awardText(kind: 'award_expiring' | 'award_expired', a: AwardInfo, today: string, w: ReminderWords = reminderWords()): string {
  if (kind === 'award_expired') {
    return (
      `【${w.shortName}已到期】贵单位于${formatDayZh(a.awardedOn)}获得的${w.awardName}已于${formatDayZh(a.expires)}期满。\n` +
      w.reapply +
      (w.afterExpiry ? `\n${w.afterExpiry}` : '') +
      rulesNote(today, w)
    );
  }
  const left = daysBetween(today, a.expires);
  const when = left <= 0 ? '今天是有效期最后一天' : `还有${left}天到期`;
  return `【${w.shortName}到期提醒】贵单位于${formatDayZh(a.awardedOn)}获得的${w.awardName}有效期至${formatDayZh(a.expires)}，${when}。\n${w.reapply}` + rulesNote(today, w);
}
