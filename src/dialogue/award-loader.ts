/** Reads award rules files from a directory (data/awards/ by default, or AWARDS_DIR) and validates them with zod. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.ts';
import { awardRulesSchema, type AwardRules } from './award-rules.ts';

/** Default directory of the rules files, relative to the project root. */
export const DEFAULT_AWARDS_DIR = new URL('../../data/awards', import.meta.url).pathname;

/** The configured awards directory: AWARDS_DIR when set (validated as a non-empty path), else data/awards/. */
export function awardsDir(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.AWARDS_DIR?.trim();
  if (!raw) return DEFAULT_AWARDS_DIR;
  const r = z.string().min(1).safeParse(raw);
  if (!r.success) throw new DataError('AWARDS_DIR', 'env', 'expected a directory path');
  return r.data;
}

/** Formats the path of a zod issue as "criteria.2.read.mentions.0". */
function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/** Loads and validates one rules file; throws DataError naming the file and the field path. */
export function loadAwardFile(path: string): AwardRules {
  const file = basename(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DataError(file, 'json', (e as Error).message);
  }
  const r = awardRulesSchema.safeParse(raw);
  if (!r.success) {
    const [first, ...rest] = r.error.issues;
    const more = rest.map((i) => `; ${issuePath(i.path)}: ${i.message}`).join('');
    throw new DataError(file, issuePath(first?.path ?? []), `${first?.message ?? 'invalid'}${more}`);
  }
  if (`${r.data.id}.json` !== file) throw new DataError(file, 'id', `the id "${r.data.id}" must match the file name (${r.data.id}.json)`);
  return r.data;
}

/** Loads every `*.json` rules file in a directory, in file-name order; a missing directory means no awards. */
export function loadAwards(dir: string = awardsDir()): AwardRules[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadAwardFile(join(dir, f)));
}

const cache = new Map<string, AwardRules[]>();

/** The configured awards, loaded once per directory. */
export function configuredAwards(dir: string = awardsDir()): AwardRules[] {
  let awards = cache.get(dir);
  if (!awards) {
    awards = loadAwards(dir);
    cache.set(dir, awards);
  }
  return awards;
}
