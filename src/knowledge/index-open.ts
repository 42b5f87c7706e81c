/**
 * Opens the built index (index.json) for a start. The file is validated with zod the first time a process opens it;
 * its SHA-256 is then kept in the search snapshot, and a later start that finds the same bytes parses them without
 * validating every unit again (on 500 documents that check costs more than the parse). Different bytes — an edited,
 * rebuilt or damaged file — are validated as before, and a stale or invalid index is rebuilt from the sources.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIndex, hashSources, indexPath } from './policy-loader.ts';
import { indexSchema, type KnowledgeIndex } from './policy-schema.ts';

/** An opened index, with the digest of the file it came from (undefined when it was rebuilt in memory). */
export interface OpenedIndex {
  index: KnowledgeIndex;
  digest?: string;
}

/** SHA-256 of a file's bytes, hex. */
export function digestOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads index.json when it matches the sources (trusting it unvalidated only when its digest is `trusted`), else rebuilds. */
export function openIndex(dataDir: string, trusted?: string): OpenedIndex {
  const p = indexPath(dataDir);
  if (existsSync(p)) {
    try {
      const bytes = readFileSync(p);
      const digest = digestOf(bytes);
      const raw: unknown = JSON.parse(bytes.toString('utf8'));
      const index = digest === trusted ? (raw as KnowledgeIndex) : indexSchema.parse(raw);
      if (index.sourceHash === hashSources(join(dataDir, 'policies'))) return { index, digest };
    } catch {
      // A damaged or outdated index is rebuilt below.
    }
  }
  return { index: buildIndex(dataDir) };
}
