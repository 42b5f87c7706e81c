/** What the reminders, registrations and publicity notices say about their award, taken from its rules file. */
import { configuredAwards } from '../dialogue/award-loader.ts';
import type { AwardRules } from '../dialogue/award-rules.ts';

/** Length of a publicity when no rules file states one. */
export const DEFAULT_PUBLICITY_DAYS = 10;

/** The award's words for its reminders: names, the authority, and the clauses cited, each as its document puts it. */
export interface ReminderWords {
  /** The award's full name. */
  awardName: string;
  /** Its short name in a reminder's heading. */
  shortName: string;
  /** Where objections and new applications go (the document's contact). */
  authority: string;
  /** The rules' title in 《》, or empty when no rules file describes the award. */
  rulesTitle: string;
  /** Last day of the rules' own validity, if they lapse. */
  rulesExpires?: string;
  /** The rules' own validity as they state it, for the note once they have lapsed. */
  rulesValidity?: string;
  publicityDays: number;
  publicityBasis?: string;
  publicityEndingBasis?: string;
  publicityAfterwards?: string;
  /** Years an award stays valid, when a rules file states it. */
  validityYears?: number;
  validityBasis?: string;
  reapply: string;
  reapplyLapsed: string;
  afterExpiry?: string;
  /** Words that name the award in a statement of receipt (its name, aliases and `registration.words`). */
  names: string[];
  /** Other awards' names: a receipt of one of them is not registered. */
  otherAwards: string[];
}

/** The award registrations and publicity are about: the one rules file with `registration`, else the one with `publicity`. */
export function reminderAward(awards: readonly AwardRules[]): AwardRules | undefined {
  const registered = awards.filter((a) => a.registration);
  if (registered.length) return registered.length === 1 ? registered[0] : undefined;
  const announced = awards.filter((a) => a.publicity);
  return announced.length === 1 ? announced[0] : undefined;
}

/** The words of the award the reminders are about; plain words naming no award when no single rules file describes one. */
export function reminderWords(awards: readonly AwardRules[] = configuredAwards()): ReminderWords {
  const a = reminderAward(awards);
  if (!a) {
    return {
      awardName: '该奖项',
      shortName: '奖项',
      authority: '主管部门',
      rulesTitle: '',
      publicityDays: DEFAULT_PUBLICITY_DAYS,
      reapply: '期满后如需继续享有该荣誉，请关注主管部门的申报通知，按要求重新申报。',
      reapplyLapsed: '如需继续享有该荣誉，请关注主管部门的申报通知，按要求重新申报',
      names: [],
      otherAwards: [],
    };
  }
  const r = a.registration;
  const p = a.publicity;
  return {
    awardName: a.name,
    shortName: r?.shortName ?? a.name,
    authority: a.document.contact,
    rulesTitle: `《${a.document.title}》`,
    rulesExpires: a.document.expires,
    rulesValidity: r?.rulesValidity,
    publicityDays: p?.days ?? DEFAULT_PUBLICITY_DAYS,
    publicityBasis: p?.basis,
    publicityEndingBasis: p?.endingBasis,
    publicityAfterwards: p?.afterwards,
    validityYears: r?.validityYears,
    validityBasis: r?.validityBasis,
    reapply: r?.reapply ?? '期满后如需继续享有该荣誉，请关注主管部门的申报通知，按要求重新申报。',
    reapplyLapsed: r?.reapplyLapsed ?? '如需继续享有该荣誉，请关注主管部门的申报通知，按要求重新申报',
    afterExpiry: r?.afterExpiry,
    names: [a.name, ...a.aliases, ...(r?.words ?? [])],
    otherAwards: r?.otherAwards ?? [],
  };
}
