/** Slot look-ups across the configured awards, for callers that know a slot name but not its award. */
import { configuredAwards } from './award-loader.ts';
import { criterionOf, isFreeAnswer, type AwardRules, type Criterion } from './award-rules.ts';

/** A pre-check slot name, as declared in a rules file. */
export type Slot = string;

/** The criterion of a slot in the given awards (the configured ones by default); undefined when no award has it. */
export function findCriterion(slot: Slot, awards: readonly AwardRules[] = configuredAwards()): Criterion | undefined {
  for (const a of awards) {
    const c = criterionOf(a, slot);
    if (c) return c;
  }
  return undefined;
}

/** Tells whether a slot is answered with free text (a number or a date) rather than with choices. */
export function isNumericSlot(slot: Slot, awards?: readonly AwardRules[]): boolean {
  const c = findCriterion(slot, awards);
  return c !== undefined && isFreeAnswer(c);
}

/** The question asked to fill a slot, in plain Simplified Chinese; empty when no award has the slot. */
export function precheckQuestion(slot: Slot, awards?: readonly AwardRules[]): string {
  return findCriterion(slot, awards)?.question ?? '';
}
