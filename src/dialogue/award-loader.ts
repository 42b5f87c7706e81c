/** Reads award rules files from a directory (data/awards/ by default, or AWARDS_DIR) and validates them with zod. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/**
 * The title a publicity gets when staff give none: the `publicity.title` of the one rules file that declares it;
 * undefined when no file or more than one does (staff must then give the title).
 */
export function defaultPublicityTitle(awards: readonly AwardRules[] = configuredAwards()): string | undefined {
  const titles = awards.flatMap((a) => (a.publicity ? [a.publicity.title] : []));
  return titles.length === 1 ? titles[0] : undefined;
}

/** One rules file as last seen: its stat signature and its last good rules (undefined when it was never good). */
interface Seen {
  sig: string;
  good?: AwardRules;
}

/** What one awards directory holds, file by file, with the error of each file that is bad now. */
interface DirState {
  files: Map<string, Seen>;
  awards: AwardRules[];
  /** The files that are bad now, with their error (their last good rules, if any, stay in use). */
  problems: DataError[];
}

const cache = new Map<string, DirState>();

/** Where problems with a changed rules file are reported (stderr by default; the bot's logger once it runs). */
let reportProblem: (err: DataError) => void = (err) => process.stderr.write(`award rules: ${err.message}; the last good rules stay in use\n`);

/** Routes reports of bad rules files found while the bot runs (file and field, the last good rules kept). */
export function onAwardProblem(report: (err: DataError) => void): void {
  reportProblem = report;
}

/** The `*.json` files of a directory with a cheap change signature each (mtime and size). */
function listFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    try {
      const st = statSync(join(dir, f));
      if (st.isFile()) out.set(f, `${st.mtimeMs}:${st.size}`);
    } catch {
      // Removed between the listing and the stat: treated as removed.
    }
  }
  return out;
}

/**
 * The configured awards, kept in step with the directory: every call compares each file's mtime and size with what
 * was loaded (a directory listing and one stat a file), and reloads only what changed. A file added is loaded, one
 * edited is reloaded, one removed is dropped. At the first load a bad file throws (naming file and field), so the bot
 * does not start on broken rules; later, a bad edit is reported by file and field and that file's last good rules stay
 * in use (a new file that is bad is left out until it is fixed).
 */
export function configuredAwards(dir: string = awardsDir()): AwardRules[] {
  const prev = cache.get(dir);
  const now = listFiles(dir);
  if (prev && now.size === prev.files.size && [...now].every(([f, sig]) => prev.files.get(f)?.sig === sig)) return prev.awards;
  const files = new Map<string, Seen>();
  const problems = (prev?.problems ?? []).filter((p) => now.get(p.file) === prev?.files.get(p.file)?.sig);
  for (const [f, sig] of now) {
    const old = prev?.files.get(f);
    if (old && old.sig === sig) {
      files.set(f, old);
      continue;
    }
    try {
      files.set(f, { sig, good: loadAwardFile(join(dir, f)) });
    } catch (err) {
      if (!prev || !(err instanceof DataError)) throw err;
      reportProblem(err);
      problems.push(err);
      files.set(f, { sig, good: old?.good });
    }
  }
  const awards = [...files.values()].flatMap((s) => (s.good ? [s.good] : []));
  const state = { files, problems, awards: prev && sameAwards(prev.awards, awards) ? prev.awards : awards };
  cache.set(dir, state);
  return state.awards;
}

/** The rules files of a directory that are bad now (each error names its file and field); their last good rules stay in use. */
export function awardProblems(dir: string = awardsDir()): readonly DataError[] {
  configuredAwards(dir);
  return cache.get(dir)?.problems ?? [];
}

/** Whether two award lists hold the very same rules objects (so callers keep an unchanged list by identity). */
function sameAwards(a: readonly AwardRules[], b: readonly AwardRules[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
