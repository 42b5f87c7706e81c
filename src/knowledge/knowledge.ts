/** What the answerer reads, built once at start-up by loadKnowledge (knowledge-base.ts). */
import type { Glossary } from '../nlu/glossary.ts';
import type { Citation } from './answer-types.ts';
import type { IntentClassifier } from '../nlu/intent-classifier.ts';
import type { Segmenter } from '../nlu/segmenter.ts';
import type { PlaceMatcher } from './places.ts';
import type { PolicyDocument, Unit } from './policy-schema.ts';
import type { UnitSearch } from './search.ts';

/** Everything the answerer needs, built once at start-up. */
export interface Knowledge {
  segmenter?: Segmenter;
  documents: PolicyDocument[];
  units: Unit[];
  search: UnitSearch;
  classifier: IntentClassifier;
  glossary: Glossary;
  places: PlaceMatcher;
  /** Judges the enterprise facts a question states against an award's pre-check rules (see dialogue/eligibility.ts). */
  eligibility?: EligibilityJudge;
}

/** An eligibility verdict to put first, with the clauses it rests on and the document of the award judged. */
export interface EligibilityVerdict {
  fact: string;
  citations: Citation[];
  document: string;
}

/** Judges a question's stated facts against the rules of the awards set by the given documents; undefined when it cannot. */
export type EligibilityJudge = (question: string, now: Date, documents: { id: string; title: string }[]) => EligibilityVerdict | undefined;
