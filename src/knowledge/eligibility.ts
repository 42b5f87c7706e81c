/** Yes/no eligibility answers for the Kaiping award from facts stated in a question, using the pre-check's rules. */
import type { Citation } from '../core/types.ts';
import { evaluate } from '../dialogue/precheck-engine.ts';
import { extractAnswers } from '../dialogue/precheck-extract.ts';
import { formatAnswer, SLOT_ARTICLES, SLOTS, slotCondition, slotFails, slotLabel, type Slot } from '../dialogue/precheck-slots.ts';
import { extractEntities } from '../nlu/entities.ts';

/** An eligibility verdict to put first, with the clauses it rests on. */
export interface EligibilityFact {
  fact: string;
  citations: Citation[];
}

/** Judges the enterprise facts stated in a question ("注册两年了，可以申请吗") against 第五条; undefined if none are stated. */
export function eligibilityFromQuestion(question: string, now: Date): EligibilityFact | undefined {
  const answers = extractAnswers(question, now);
  // "在佛山注册的" names another place of registration, whatever else the sentence says about 开平.
  const elsewhere = extractEntities(question).otherPlaces.find((p) => new RegExp(`${p}[市县区省]?的?(注册|登记|成立)`).test(question));
  if (elsewhere) answers.registeredInKaiping = false;
  const stated = SLOTS.filter((s) => answers[s] !== undefined);
  // "开平优秀奖" or "水暖" in a question names the award's context, not facts about the enterprise.
  const contextOnly = stated.every((s) => (s === 'registeredInKaiping' || s === 'plumbingProducts') && answers[s] === true);
  if (!stated.length || contextOnly) return undefined;
  const failed = stated.filter((s) => slotFails(s, answers[s]!));
  const cite = (slots: Slot[]) => {
    const seen = new Set<string>();
    return slots.flatMap((s) => SLOT_ARTICLES[s]).filter((c) => !seen.has(c.article + c.title) && seen.add(c.article + c.title));
  };
  if (failed.length) {
    const why = failed.map((s) => `要求${slotCondition(s)}，而您的情况是“${slotLabel(s)}：${formatAnswer(s, answers[s]!)}”`).join('；');
    return { fact: `不可以。${why}`, citations: cite(failed) };
  }
  const missing = SLOTS.filter((s) => answers[s] === undefined);
  if (!missing.length) {
    const v = evaluate(answers, now);
    return { fact: `可以申报：您说的各项条件都符合，预计奖励${v.reward}元（每检验合格一次3000元）`, citations: cite(stated) };
  }
  return {
    fact: `就您提到的情况（${stated.map((s) => `${slotLabel(s)}：${formatAnswer(s, answers[s]!)}`).join('，')}）符合要求；但还须同时满足：${missing.map(slotCondition).join('；')}。可发送 /precheck 逐项核对`,
    citations: cite(stated),
  };
}
