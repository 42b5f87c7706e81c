/** Yes/no eligibility answers from facts stated in a question, judged against an award's rules file with the pre-check's readers. */
import type { EligibilityJudge } from '../knowledge/knowledge.ts';
import type { Citation } from '../knowledge/answer-types.ts';
import { configuredAwards } from './award-loader.ts';
import { awardMention, citationsOf, documentOf, criterionFails, formatAnswer, type AwardRules } from './award-rules.ts';
import { evaluate } from './precheck-engine.ts';
import { extractAnswers } from './precheck-extract.ts';
import { extractEntities } from '../nlu/entities.ts';

/** An eligibility verdict to put first, with the clauses it rests on. */
export interface EligibilityFact {
  fact: string;
  citations: Citation[];
  /** Id of the award judged (its rules file). */
  award: string;
  /** Id of the policy document the award's rules belong to, for its validity warning. */
  document: string;
}

/** The award a question is about: the one it names, else one whose place it names, else the first configured award. */
function awardOf(question: string, awards: readonly AwardRules[]): AwardRules | undefined {
  return awardMention(awards, question) ?? awards.find((a) => question.includes(a.place) || question.includes(a.place.replace(/[市县区省]$/, ''))) ?? awards[0];
}

/**
 * Judges the enterprise facts stated in a question ("注册两年了，可以申请吗") against the award's criteria; undefined if none
 * are stated. `awards` defaults to the configured rules files.
 */
export function eligibilityFromQuestion(question: string, now: Date, awards: readonly AwardRules[] = configuredAwards()): EligibilityFact | undefined {
  const award = awardOf(question, awards);
  if (!award) return undefined;
  const answers = extractAnswers(award, question, now);
  // "在佛山注册的" names another place of registration, whatever else the sentence says about the award's place.
  const elsewhere = extractEntities(question).otherPlaces.filter((p) => !award.place.startsWith(p)).find((p) => new RegExp(`${p}[市县区省]?的?(注册|登记|成立)`).test(question));
  if (elsewhere) for (const c of award.criteria) if (c.otherPlaceMeansNo) answers[c.slot] = false;
  const stated = award.criteria.filter((c) => answers[c.slot] !== undefined);
  // Naming the award's place or trade (criteria marked contextOnly) gives its context, not facts about the enterprise.
  const contextOnly = stated.every((c) => c.contextOnly && answers[c.slot] === true);
  if (!stated.length || contextOnly) return undefined;
  const failed = stated.filter((c) => criterionFails(c, answers[c.slot]!));
  const cite = (slots: typeof stated) => {
    const seen = new Set<string>();
    return slots.flatMap((c) => citationsOf(award, c)).filter((x) => !seen.has(x.article + x.title) && seen.add(x.article + x.title));
  };
  const ids = { award: award.id, document: award.document.id ?? '' };
  if (failed.length) {
    const why = failed.map((c) => `要求${c.condition}，而您的情况是“${c.label}：${formatAnswer(c, answers[c.slot]!)}”`).join('；');
    return { fact: `不可以。${why}`, citations: cite(failed), ...ids };
  }
  const missing = award.criteria.filter((c) => answers[c.slot] === undefined);
  if (!missing.length) {
    const v = evaluate(award, answers, now);
    const r = award.reward;
    const reward =
      v.reward === null ? '' : r.kind === 'per-unit' ? `，预计奖励${v.reward}元（${r.basis}${r.amount}元）` : `，预计奖励${v.reward}元`;
    return { fact: `可以申报：您说的各项条件都符合${reward}`, citations: cite(stated), ...ids };
  }
  return {
    fact: `就您提到的情况（${stated.map((c) => `${c.label}：${formatAnswer(c, answers[c.slot]!)}`).join('，')}）符合要求；但还须同时满足：${missing.map((c) => c.condition).join('；')}。可发送 /precheck 逐项核对`,
    citations: cite(stated),
    ...ids,
  };
}

/**
 * The pre-check's judge for the answerer (Knowledge.eligibility): only the awards of the documents the question names,
 * and only those with a rules file, are judged. Wired in by loadKnowledge's callers, so the knowledge layer imports
 * nothing from the dialogue layer.
 */
export const precheckEligibility: EligibilityJudge = (question, now, documents) => {
  // A rules file names its document by id or, when no sidecar gives one, by title.
  const rules = configuredAwards().filter((r) => documentOf(r.document, documents) !== undefined);
  const e = rules.length ? eligibilityFromQuestion(question, now, rules) : undefined;
  if (!e) return undefined;
  // The verdict names the loaded document of the award judged, so the answer can flag its lapse.
  const judged = rules.find((r) => r.id === e.award);
  const doc = judged ? documentOf(judged.document, documents) : undefined;
  return doc ? { ...e, document: doc.id } : e;
};
