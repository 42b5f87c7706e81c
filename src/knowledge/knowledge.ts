/** What the answerer reads, built once at start-up by loadKnowledge (knowledge-base.ts). */
import type { Glossary } from '../nlu/glossary.ts';
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
}
