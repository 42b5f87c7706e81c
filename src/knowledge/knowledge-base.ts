/** Builds the answering knowledge once: index, segmenter, search and intent classifier. */
import { join } from 'node:path';
import { loadClassifier, loadIntents, DEFAULT_INTENTS_DIR } from '../nlu/intent-classifier.ts';
import { createSegmenter, type Segmenter } from '../nlu/segmenter.ts';
import type { Knowledge } from './knowledge.ts';
import { DEFAULT_DATA_DIR, fingerprint, hashSources, loadIndex, sourcesOf, type Fingerprint } from './policy-loader.ts';
import { indexFilePath, openIndexFile, writeIndexFile, IndexFile } from './index-file.ts';
import type { KnowledgeIndex, PolicyDocument, Unit } from './policy-schema.ts';
import { loadGlossary, loadPlaces } from './glossary.ts';
import { PlaceMatcher } from './places.ts';
import { buildTables, UnitSearch, type OpenedTables, type SearchTables } from './search.ts';

/** Knowledge plus the segmenter it was built with. */
export interface LoadedKnowledge extends Knowledge {
  segmenter: Segmenter;
}

/** What a caller from a layer above adds to the knowledge: the pre-check's eligibility judge (dialogue/eligibility.ts). */
export type KnowledgeExtras = Pick<Knowledge, 'eligibility'>;

/** The corpus as a start serves it: from the opened index file, or just built in memory. */
interface Served {
  documents: PolicyDocument[];
  units: Unit[];
  segmenter: Segmenter;
  tables: SearchTables | OpenedTables;
  corpusText?: () => Buffer;
  spellings: KnowledgeIndex['spellings'];
}

/**
 * Opens the index file (search-index.bin); when it is missing, stale or damaged, reads index.json (or, if that is stale
 * too, the policy files), serves that, and writes the index file for the next start. Then trains the classifier.
 */
export function loadKnowledge(dataDir: string = DEFAULT_DATA_DIR, intentsDir: string = DEFAULT_INTENTS_DIR, extras: KnowledgeExtras = {}): LoadedKnowledge {
  const glossary = loadGlossary(dataDir);
  const served = serve(dataDir);
  const { documents, units, segmenter } = served;
  const search = new UnitSearch(units, segmenter, glossary.synonyms, served.tables, served.corpusText);
  const classifier = loadClassifier(segmenter, loadIntents(intentsDir), modelPath(dataDir));
  const places = new PlaceMatcher(documents, loadPlaces(dataDir), (p) => search.knows(p), served.spellings);
  return { documents, units, search, classifier, segmenter, glossary, places, ...extras };
}

/** The opened index file, or the index rebuilt (and saved for next time). */
function serve(dataDir: string): Served {
  const opened = openIndexFile(dataDir);
  if (opened instanceof IndexFile) {
    return { documents: opened.documents, units: opened.units, segmenter: createSegmenter(opened.dictionary), tables: opened.tables, corpusText: () => opened.corpusText(), spellings: opened.spellings };
  }
  if (opened.reason === 'damaged') {
    process.stderr.write(`政策索引文件已损坏，正在从政策文件重建 / the index file is damaged and is being rebuilt: ${indexFilePath(dataDir)}: ${opened.detail}\n`);
  }
  // The sources' sizes and times before they are read: a file changed while it is read does not match them later.
  const before = fingerprint(dataDir);
  const index = loadIndex(dataDir);
  const segmenter = createSegmenter(index.dictionary);
  const tables = buildTables(index.units, segmenter);
  writeIndexFile(dataDir, index, tables, before);
  return { documents: index.documents, units: index.units, segmenter, tables, spellings: index.spellings };
}

/**
 * Writes the index file for a just-written, validated index, so the next start opens it (`ingest` calls this with the
 * index `writeIndex` returned and the segmenter it trained the intent model with).
 */
export function writeSearchSnapshot(index: KnowledgeIndex, segmenter: Segmenter, dataDir: string = DEFAULT_DATA_DIR): boolean {
  // Sizes and times stand for the contents only when taken before the sources were read, or checked against them now.
  let sources = sourcesOf(index);
  if (!sources) {
    const now: Fingerprint = fingerprint(dataDir);
    sources = hashSources(join(dataDir, 'policies')) === index.sourceHash ? now : {};
  }
  return writeIndexFile(dataDir, index, buildTables(index.units, segmenter), sources);
}

/** Path of the cached intent model written by `ingest`. */
export function modelPath(dataDir: string = DEFAULT_DATA_DIR): string {
  return join(dataDir, 'intent-model.json');
}
