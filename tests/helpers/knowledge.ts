/** Shared test fixture: the real knowledge base, loaded once per test file. */
import { precheckEligibility } from '../../src/dialogue/eligibility.ts';
import { loadKnowledge, type LoadedKnowledge } from '../../src/knowledge/knowledge-base.ts';

let cached: LoadedKnowledge | undefined;

/** The project's real knowledge base (data/ and intents/). */
export function knowledge(): LoadedKnowledge {
  cached ??= loadKnowledge(undefined, undefined, { eligibility: precheckEligibility });
  return cached;
}

/** A fixed date of asking, after the Kaiping rules lapsed. */
export const ASKED = new Date('2026-11-22T10:00:00+08:00');
