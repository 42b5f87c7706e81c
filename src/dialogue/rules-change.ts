/** Saved chat state matched to the award rules files as they are now, and what to tell a user whose check's rules changed. */
import { awardVersion, type AwardRules } from './award-rules.ts';
import type { ChatState } from './conversation.ts';
import { isPrecheckActive, parsePrecheckState, type Answers, type PrecheckState, type Reply } from './precheck-engine.ts';

/** A running or finished check together with its award, once the saved state has been matched to the rules files. */
export interface Active {
  award: AwardRules;
  pre: PrecheckState;
}

/** What became of a running check whose rules file changed or went while it waited for an answer. */
export type RulesChange = { kind: 'edited'; award: AwardRules; lost?: Answers } | { kind: 'removed' };

/**
 * Matches saved state to the configured awards: moves a legacy profile to its award and drops a check whose award is
 * gone. A running check always goes on under the rules file as it is now (so its verdict is the one staff would give
 * today): when the file changed since the check started, the answers that still fit are kept, and `change` says so.
 */
export function settle(state: ChatState, awards: readonly AwardRules[]): { state: ChatState; active?: Active; change?: RulesChange } {
  let next = state;
  if (next.profile && awards[0]) {
    const first = awards[0].id;
    const { profile, ...rest } = next;
    next = { ...rest, profiles: { ...rest.profiles, [first]: { ...profile, ...rest.profiles?.[first] } } };
  }
  if (!next.precheck) return { state: next };
  const saved = next.precheck;
  const running = isPrecheckActive(saved);
  const award = awards.find((a) => a.id === (saved.award ?? awards[0]?.id));
  const edited = running && award !== undefined && saved.rules !== undefined && saved.rules !== awardVersion(award);
  const pre = award && parsePrecheckState(award, saved);
  if (!award || !pre) {
    const { precheck: _dropped, ...rest } = next;
    if (!running) return { state: rest };
    // The check was waiting for an answer: its award's rules file was removed, or changed so that the question asked is gone.
    if (!award) return { state: rest, change: { kind: 'removed' } };
    return { state: rest, change: { kind: 'edited', award, lost: saved.answers } };
  }
  return { state: { ...next, precheck: pre }, active: { award, pre }, ...(edited ? { change: { kind: 'edited' as const, award } } : {}) };
}

/** The notice that a check's rules changed while it ran, said once, before whatever the turn replies. */
export function changeNotice(change: RulesChange): Reply {
  if (change.kind === 'removed') return { text: '提示：您正在进行的预检所依据的奖项规则已被撤下，这次预检已结束。您可以发送 /precheck 查看目前可以预检的奖项。', data: { precheck: { rulesChanged: 'removed' } } };
  return {
    text: `提示：“${change.award.name}”的预检条件刚刚更新，预检已按新条件继续；您已回答且仍然适用的内容继续有效，无需重答。`,
    data: { precheck: { rulesChanged: 'edited', award: change.award.id } },
  };
}

