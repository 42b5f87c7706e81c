/** Builds the answering knowledge once: index, segmenter, search and intent classifier. */
import { join } from 'node:path';
import { loadClassifier, loadIntents, DEFAULT_INTENTS_DIR } from '../nlu/intent-classifier.ts';
import { createSegmenter, type Segmenter } from '../nlu/segmenter.ts';
import type { Knowledge } from './answer.ts';
import { DEFAULT_DATA_DIR } from './policy-loader.ts';
import { openIndex } from './index-open.ts';
import { loadGlossary, loadPlaces } from './glossary.ts';
import { PlaceMatcher } from './places.ts';
import { UnitSearch } from './search.ts';
import { readSnapshot, tablesFor, writeSnapshot } from './search-snapshot.ts';

/** Knowledge plus the segmenter it was built with. */
export interface LoadedKnowledge extends Knowledge {
  segmenter: Segmenter;
}

/** Loads the index (rebuilding it if stale), then trains the classifier. */
export function loadKnowledge(dataDir: string = DEFAULT_DATA_DIR, intentsDir: string = DEFAULT_INTENTS_DIR): LoadedKnowledge {
  // The snapshot holds the search tables and the digest of the index file last validated; see index-open.ts.
  const snapshot = readSnapshot(dataDir);
  const { index, digest } = openIndex(dataDir, snapshot?.indexDigest);
  const glossary = loadGlossary(dataDir);
  const segmenter = createSegmenter(index.dictionary);
  // The units' terms come from the snapshot when it matches; otherwise they are cut now and saved for next time.
  const saved = tablesFor(snapshot, index);
  const search = new UnitSearch(index.units, segmenter, glossary.synonyms, saved);
  if (!saved || snapshot?.indexDigest !== digest) writeSnapshot(dataDir, index, search.snapshot(), digest);
  const classifier = loadClassifier(segmenter, loadIntents(intentsDir), modelPath(dataDir));
  const places = new PlaceMatcher(index.documents, loadPlaces(dataDir), (p) => search.knows(p));
  return { documents: index.documents, units: index.units, search, classifier, segmenter, glossary, places };
}

/** Path of the cached intent model written by `ingest`. */
export function modelPath(dataDir: string = DEFAULT_DATA_DIR): string {
  return join(dataDir, 'intent-model.json');
}
