/** Reminder rules for publicity periods and award expiry, as pure functions of local days (Asia/Shanghai). */
import { addDays, addYears, daysBetween, formatDayZh } from './dates.ts';

/** Length of a publicity period in calendar days, counting the first day (办法第六条（四）: 为期10天的公示). */
export const PUBLICITY_DAYS = 10;

/** The ending reminder is due from this many days before the last day (ends−2 … ends: the last three days). */
export const PUBLICITY_ENDING_LEAD_DAYS = 2;

/** Validity of the excellence award in years (办法第九条: 有效期为3年，期满可重新申报). */
export const AWARD_VALIDITY_YEARS = 3;

/** Days before the last valid day on which an expiring reminder is due. */
export const AWARD_WARNING_DAYS: readonly number[] = [90, 30, 7];

/** Where objections and new applications go. */
export const AUTHORITY = '开平市市场监督管理局';

/** The award the reminders are about. */
export const AWARD_NAME = '开平市水暖卫浴产品质量优秀奖';

/** The rules the reminders cite. */
export const RULES_TITLE = '《开平市水暖卫浴产品质量优秀奖评审管理办法》';

/** Last day of the rules' own validity (第十二条: 自2016年10月1日起施行，有效期5年). */
export const RULES_EXPIRES = '2021-09-30';

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

/** Last day of a publicity starting on `starts`: ten calendar days counting the first (2026-01-05 → 2026-01-14). */
export function publicityEnds(starts: string): string {
  return addDays(starts, PUBLICITY_DAYS - 1);
}

/** Last valid day of an award granted on `awardedOn`: D + 3 years − 1 day (2024-03-01 → 2027-02-28; 2024-02-29 → 2027-02-28). */
export function awardExpires(awardedOn: string): string {
  return addDays(addYears(awardedOn, AWARD_VALIDITY_YEARS), -1);
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
function rulesNote(today: string): string {
  return today > RULES_EXPIRES
    ? `\n注：该办法自2016年10月1日起施行，有效期5年（第十二条），已于${formatDayZh(RULES_EXPIRES)}到期，具体以${AUTHORITY}现行通知为准。`
    : '';
}

/** A publicity period as the messages need it. */
export interface PublicityInfo {
  title: string;
  starts: string;
  ends: string;
}

/** Text of the notice subscribers get when staff announce a publicity. */
export function publicityStartText(p: PublicityInfo, today: string): string {
  const when = p.starts > today ? `将于${formatDayZh(p.starts)}开始` : '已开始';
  return (
    `【公示通知】${p.title}${when}。\n` +
    `公示期：${formatDayZh(p.starts)}至${formatDayZh(p.ends)}，共${PUBLICITY_DAYS}天（含首日）。\n` +
    `如有异议，请在${formatDayZh(p.ends)}（含当日）前向${AUTHORITY}提出。\n` +
    `依据：${RULES_TITLE}第六条（四）：拟获奖企业名单向社会进行为期10天的公示，市市场监管局负责受理和核查公示期间的投诉。`
  );
}

/** Text of the reminder in the last days of a publicity. */
export function publicityEndingText(p: PublicityInfo, today: string): string {
  const left = daysBetween(today, p.ends);
  const when = left <= 0 ? '今天是公示最后一天' : `还剩${left + 1}天（含今天）`;
  return (
    `【公示即将结束】${p.title}的公示期将于${formatDayZh(p.ends)}结束，${when}。\n` +
    `如有异议，请在${formatDayZh(p.ends)}（含当日）前向${AUTHORITY}提出，逾期不再受理。\n` +
    `依据：${RULES_TITLE}第六条（四）。`
  );
}

/** Text of the notice the day after a publicity ends. */
export function publicityEndText(p: PublicityInfo): string {
  return (
    `【公示已结束】${p.title}的公示期已于${formatDayZh(p.ends)}结束，异议受理期已截止。\n` +
    `依据${RULES_TITLE}第六条（五），领导小组将根据公示情况提出获奖企业名单报市政府审核批准，批准后的名单向社会公布。`
  );
}

/** Text of the reminder due at `stage` of a publicity. */
export function publicityText(stage: ReminderStage, p: PublicityInfo, today: string): string {
  return stage.kind === 'publicity_ending' ? publicityEndingText(p, today) : publicityEndText(p);
}

/** An award as the messages need it. */
export interface AwardInfo {
  awardedOn: string;
  expires: string;
}

const REAPPLY =
  `根据${RULES_TITLE}第九条，优秀奖有效期为3年，期满可重新申报。` +
  `重新申报请对照第五条的申报条件，如实填写申报表格、提供证明材料，按规定日期报送${AUTHORITY}（第六条（一））。`;

/** Text of an expiring or expired reminder of an award. */
export function awardText(kind: 'award_expiring' | 'award_expired', a: AwardInfo, today: string): string {
  if (kind === 'award_expired') {
    return (
      `【优秀奖已到期】贵单位于${formatDayZh(a.awardedOn)}获得的${AWARD_NAME}已于${formatDayZh(a.expires)}期满。\n` +
      `${REAPPLY}\n期满后请勿再在宣传中使用该荣誉（第十条：仅在证书有效期内可宣传）。` +
      rulesNote(today)
    );
  }
  const left = daysBetween(today, a.expires);
  const when = left <= 0 ? '今天是有效期最后一天' : `还有${left}天到期`;
  return `【优秀奖到期提醒】贵单位于${formatDayZh(a.awardedOn)}获得的${AWARD_NAME}有效期至${formatDayZh(a.expires)}，${when}。\n${REAPPLY}` + rulesNote(today);
}
