/** "我们能申报哪些奖": one company profile matched against every loaded award, each line with its verdict and citation; pure. */
import type { Choice } from '../core/types.ts';
import {
  citationsOf,
  criterionOf,
  decidesAlone,
  documentStatus,
  groupNode,
  nodeSlots,
  rewardData,
  rewardText,
  statusText,
  type Answers,
  type AwardRules,
} from './award-rules.ts';
import { evaluate, firstFailure, sanitizeAnswers, type Reply } from './precheck-engine.ts';
import { answersFromCompany, type Company, type ProfileDef } from './profile.ts';

/** One award's match against the profile, as carried in `data.match`. */
export interface MatchLine {
  award: string;
  verdict: 'eligible' | 'ineligible' | 'unknown';
  /** The failing criteria slots and group ids (the first one is the one shown). */
  failed: string[];
  /** Slots still deciding the verdict (asked when the user starts "just those questions"). */
  missing: string[];
  /** The reward as in `data.verdict.reward` when eligible; null otherwise or when the rules state none. */
  reward: Record<string, unknown> | null;
  /** The document's status at the time of asking. */
  status: 'draft' | 'in-force' | 'lapsed';
}

/** The answers an award sees: the award's own saved answers, overridden by the shared profile. */
export function answersFor(award: AwardRules, company: Company | undefined, own: Answers | undefined, def: ProfileDef): Answers {
  return { ...sanitizeAnswers(award, own), ...answersFromCompany(award, company, def) };
}

/** Matches the profile against one award. */
export function matchAward(award: AwardRules, answers: Answers, now: Date): MatchLine {
  const v = evaluate(award, answers, now);
  const failed = [...v.failed, ...v.failedGroups];
  const verdict = v.eligible ? 'eligible' : failed.length ? 'ineligible' : 'unknown';
  return { award: award.id, verdict, failed, missing: [...v.unknown], reward: v.eligible ? rewardData(award, answers) : null, status: documentStatus(award, now) };
}

/** Whether one more answer could make the answers eligible: some value of one missing question decides the award in their favour. */
export function oneAnswerAway(award: AwardRules, answers: Answers, now: Date): boolean {
  const v = evaluate(award, answers, now);
  if (v.eligible || v.failed.length || v.failedGroups.length) return false;
  return v.unknown.some((slot) => {
    const c = criterionOf(award, slot)!;
    const tries: (boolean | number | string)[] =
      c.type === 'yes-no' ? [true, false] :
      c.type === 'choice' ? c.options.map((o) => o.value) :
      [c.min, c.max].filter((x): x is never => x !== undefined);
    return tries.some((x) => evaluate(award, { ...answers, [slot]: x }, now).eligible);
  });
}

/** Matches the profile against every award, in the order of the awards. */
export function matchAll(awards: readonly AwardRules[], company: Company | undefined, own: Record<string, Answers> | undefined, def: ProfileDef, now: Date): MatchLine[] {
  return awards.map((a) => matchAward(a, answersFor(a, company, own?.[a.id], def), now));
}

/** The articles the verdict of an award rests on, as "《title》第四条（一）、第四条（二）". */
function basis(award: AwardRules, slots: readonly string[]): string {
  const byTitle = new Map<string, string[]>();
  for (const slot of slots) {
    const c = criterionOf(award, slot);
    const g = award.groups.find((x) => x.id === slot);
    const cites = c ? citationsOf(award, c) : g ? g.cite.map((x) => ({ title: x.title ?? award.document.title, article: x.article })) : [];
    for (const x of cites) {
      const list = byTitle.get(x.title) ?? [];
      if (!list.includes(x.article)) list.push(x.article);
      byTitle.set(x.title, list);
    }
  }
  return [...byTitle].map(([t, arts]) => `《${t}》${arts.join('、')}`).join('；');
}

/** The slots and group ids that decide an award (what an eligible line cites). */
function decisive(award: AwardRules): string[] {
  return [...award.criteria.filter((c) => decidesAlone(award, c)).map((c) => c.slot), ...award.groups.map((g) => g.id)];
}

/** The status note of a line: nothing for a document in force. */
function statusNote(line: MatchLine): string {
  return line.status === 'in-force' ? '' : `（⚠️ ${statusText(line.status)}）`;
}

/** One line of the match reply for an award. */
export function matchLineText(award: AwardRules, line: MatchLine, answers: Answers, now: Date): string {
  if (line.verdict === 'eligible') {
    const reward = rewardText(award, answers);
    return `✅ ${award.name}：可能符合申报条件${statusNote(line)}${reward ? `，奖励${reward}` : ''}。依据${basis(award, decisive(award))}`;
  }
  if (line.verdict === 'ineligible') {
    const f = firstFailure(award, evaluate(award, answers, now), answers)!;
    return `❌ ${award.name}：不符合${statusNote(line)}——${f.reason}${f.ref}`;
  }
  const labels = line.missing.map((s) => criterionOf(award, s)?.label ?? s);
  const groups = award.groups.filter((g) => nodeSlots(groupNode(g)).some((s) => line.missing.includes(s)));
  return `❔ ${award.name}：还差${line.missing.length}个问题${statusNote(line)}（${labels.join('、')}）。依据${basis(award, [...line.missing.filter((s) => decidesAlone(award, criterionOf(award, s)!)), ...groups.map((g) => g.id)])}`;
}

/** The reply to "我们能申报哪些奖": every award's line, buttons (and numbers) to answer just the missing questions, and `data.match`. */
export function matchReply(awards: readonly AwardRules[], company: Company | undefined, own: Record<string, Answers> | undefined, def: ProfileDef, now: Date): { reply: Reply; pick: string[] } {
  const lines = matchAll(awards, company, own, def, now);
  const text: string[] = [];
  const known = Object.keys(company ?? {}).length + Object.keys(own ?? {}).length;
  text.push(known ? `根据贵企业已提供的资料，对照已收录的${awards.length}个奖项：` : `还没有贵企业的资料，已收录的${awards.length}个奖项都需要先回答几个问题：`);
  const order = ['eligible', 'unknown', 'ineligible'] as const;
  const pick: string[] = [];
  const choices: Choice[] = [];
  for (const kind of order) {
    lines.forEach((line, i) => {
      if (line.verdict !== kind) return;
      const award = awards[i];
      let t = matchLineText(award, line, answersFor(award, company, own?.[award.id], def), now);
      if (kind === 'unknown') {
        pick.push(award.id);
        t += `。回复“${pick.length}”只补答这${line.missing.length}个问题`;
        choices.push({ label: `补答${line.missing.length}题：${award.name}`, value: String(pick.length) });
      }
      text.push(t);
    });
  }
  text.push('');
  text.push('以上为根据您提供的资料所做的初步匹配，最终以各奖项的评审结果为准。发送 /profile 查看或更正企业资料，直接说“我们注册5年了”也可以更正。');
  const reply: Reply = { text: text.join('\n'), data: { match: lines } };
  if (choices.length) reply.choices = choices;
  return { reply, pick };
}
