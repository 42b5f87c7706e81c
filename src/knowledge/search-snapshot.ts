/**
 * The search index saved next to index.json, so a start opens it instead of cutting every unit into terms again
 * (that is most of a start's time on a large corpus). One binary file, written by `ingest` and, when missing or stale,
 * by the first start: the vocabulary, then each term's units and weights and each unit's length as typed arrays (node's
 * v8 serializer reads a typed array as one block). A key over the index, the dictionary and the code that cuts and weighs terms makes a
 * snapshot from other sources or other code count as stale; a stale or damaged file is rebuilt, never trusted.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { z } from 'zod';
import type { KnowledgeIndex } from './policy-schema.ts';
import type { SearchTables } from './search.ts';

/** Format version of the file; a change makes every older snapshot stale. */
const FORMAT = 1;

/** Code whose change changes the terms and weights. */
const CODE = ['./search.ts', './search-snapshot.ts', '../nlu/segmenter.ts'].map((f) => new URL(f, import.meta.url));

/** The file as stored. */
const snapshotSchema = z.object({
  format: z.literal(FORMAT),
  key: z.string(),
  /** SHA-256 of the index.json bytes that were validated when this snapshot was written, if they were. */
  indexDigest: z.string().optional(),
  vocabulary: z.array(z.string()),
  offsets: z.instanceof(Int32Array),
  docs: z.instanceof(Int32Array),
  tfs: z.instanceof(Float64Array),
  lens: z.instanceof(Float64Array),
});

/** Path of the snapshot in a data directory. */
export function snapshotPath(dataDir: string): string {
  return join(dataDir, 'search-index.bin');
}

/** The key a snapshot must carry to serve this index with this code. */
export function snapshotKey(index: KnowledgeIndex): string {
  const h = createHash('sha256').update(`${FORMAT}\n${index.sourceHash}\n${index.units.length}\n`).update(index.dictionary.join('\n'));
  for (const f of CODE) if (existsSync(f)) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/** Whether the tables are consistent with themselves and with a corpus of `units` units. */
function consistent(t: SearchTables, units: number): boolean {
  const terms = t.vocabulary.length;
  if (t.offsets.length !== terms + 1 || t.offsets[0] !== 0 || t.offsets[terms] !== t.docs.length) return false;
  if (t.tfs.length !== t.docs.length || t.lens.length !== units) return false;
  for (let id = 0; id < terms; id++) {
    if (t.offsets[id + 1] < t.offsets[id]) return false;
    // Each term's units ascend: a unit is looked up in them by binary search.
    for (let i = t.offsets[id]; i < t.offsets[id + 1]; i++) if (t.docs[i] < 0 || t.docs[i] >= units || (i > t.offsets[id] && t.docs[i] <= t.docs[i - 1])) return false;
  }
  return true;
}

/** A saved snapshot as read, before it is matched to an index. */
export type Snapshot = z.infer<typeof snapshotSchema>;

/** The saved snapshot of a data directory, or undefined when there is none or it is damaged. */
export function readSnapshot(dataDir: string): Snapshot | undefined {
  const path = snapshotPath(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    return snapshotSchema.parse(deserialize(readFileSync(path)));
  } catch {
    return undefined;
  }
}

/** The snapshot's search tables when they were made from this index with this code, else undefined. */
export function tablesFor(s: Snapshot | undefined, index: KnowledgeIndex): SearchTables | undefined {
  return s && s.key === snapshotKey(index) && consistent(s, index.units.length) ? s : undefined;
}

/** Writes the search tables (atomically: a reader sees the old file or the new one); false if it could not. */
export function writeSnapshot(dataDir: string, index: KnowledgeIndex, tables: SearchTables, indexDigest?: string): boolean {
  const path = snapshotPath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const { vocabulary, offsets, docs, tfs, lens } = tables;
    writeFileSync(tmp, serialize({ format: FORMAT, key: snapshotKey(index), indexDigest, vocabulary, offsets, docs, tfs, lens }));
    renameSync(tmp, path);
    return true;
  } catch {
    // A read-only or full data directory: the next start cuts the units again, nothing else is lost.
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}
