/** Builds the answering knowledge once: index, segmenter, search and intent classifier. */
import { join } from 'node:path';
import { loadClassifier, loadIntents, DEFAULT_INTENTS_DIR } from '../nlu/intent-classifier.ts';
import { createSegmenter, type Segmenter } from '../nlu/segmenter.ts';
import type { Knowledge } from './knowledge.ts';
import { readFileSync } from 'node:fs';
import { DEFAULT_DATA_DIR, indexPath } from './policy-loader.ts';
import { digestOf, openIndex } from './index-open.ts';
import type { KnowledgeIndex } from './policy-schema.ts';
import { loadGlossary, loadPlaces } from './glossary.ts';
import { PlaceMatcher } from './places.ts';
import { UnitSearch } from './search.ts';
import { readSnapshot, tablesFor, writeSnapshot } from './search-snapshot.ts';

/** Knowledge plus the segmenter it was built with. */
export interface LoadedKnowledge extends Knowledge {
  segmenter: Segmenter;
}

/** What a caller from a layer above adds to the knowledge: the pre-check's eligibility judge (dialogue/eligibility.ts). */
export type KnowledgeExtras = Pick<Knowledge, 'eligibility'>;

/** Loads the index (rebuilding it if stale), then trains the classifier. */
export function loadKnowledge(dataDir: string = DEFAULT_DATA_DIR, intentsDir: string = DEFAULT_INTENTS_DIR, extras: KnowledgeExtras = {}): LoadedKnowledge {
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
  const places = new PlaceMatcher(index.documents, loadPlaces(dataDir), (p) => search.knows(p), index.spellings);
  return { documents: index.documents, units: index.units, search, classifier, segmenter, glossary, places, ...extras };
}

/**
 * Cuts the units of a just-written, validated index into the search snapshot, so the next start opens it (`ingest`
 * calls this with the index `writeIndex` returned and the segmenter it trained the intent model with).
 */
export function writeSearchSnapshot(index: KnowledgeIndex, segmenter: Segmenter, dataDir: string = DEFAULT_DATA_DIR): boolean {
  const search = new UnitSearch(index.units, segmenter);
  return writeSnapshot(dataDir, index, search.snapshot(), digestOf(readFileSync(indexPath(dataDir))));
}

/** Path of the cached intent model written by `ingest`. */
export function modelPath(dataDir: string = DEFAULT_DATA_DIR): string {
  return join(dataDir, 'intent-model.json');
}
