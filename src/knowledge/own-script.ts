/**
 * A document's own script beside the Simplified text ingest reads: each line converted with the original kept
 * character for character, a clause's text laid back onto the original, and a quoted excerpt turned back into the
 * document's words. OpenCC's Traditional → Simplified conversion is one character for one almost always; where a
 * phrase converts to another length, that stretch of the line keeps its converted form on both sides.
 */
import { createRequire } from 'node:module';
import { simplify } from '../nlu/normalize.ts';
import type { Unit } from './policy-schema.ts';

/** One source line read in Simplified, with the original character at each position (both the same length). */
export interface AlignedLine {
  plain: string;
  own: string;
}

/** Runs of a line that convert on their own: text between punctuation or spaces, and the separators themselves. */
const RUN = /[^\s，。；：、,.;:（）()《》“”"'「」『』【】！？!?|｜]+|[\s\S]/g;

/** Converts a line to Simplified, keeping the original aligned with it character for character. */
export function alignLine(line: string): AlignedLine {
  const plain = simplify(line);
  if (plain.length === line.length) return { plain, own: line };
  // A phrase converted to another length: convert run by run, and keep a run's converted form where its length changed.
  let p = '';
  let o = '';
  for (const run of line.match(RUN) ?? []) {
    const c = simplify(run);
    p += c;
    o += c.length === run.length ? run : c;
  }
  return { plain: p, own: o };
}

/** How far ahead of the cursor a stretch of the clause is looked for in the source (skipped lines, table layout). */
const WINDOW = 800;

/**
 * The clause's text in the document's own script: each character of `text` is matched in order against `plain` (the
 * converted source from the clause's first line on) and replaced by the original character there. Characters ingest
 * added (a table's column bar, a joined line) stay as they are; source lines the clause skipped are jumped over.
 * Undefined when nothing differs.
 */
export function ownTextOf(text: string, plain: string, own: string): string | undefined {
  const pl = Array.from(plain);
  const ow = Array.from(own);
  const P: string[] = [];
  const O: string[] = [];
  for (let i = 0; i < pl.length; i++) {
    if (/\s/.test(pl[i])) continue;
    P.push(pl[i]);
    O.push(ow[i] ?? pl[i]);
  }
  const chars = [...text];
  let p = 0;
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (/\s/.test(c)) {
      out += c;
      continue;
    }
    if (P[p] !== c) {
      const key = chars.slice(i, i + 12).filter((x) => !/\s/.test(x)).slice(0, 6);
      const at = key.length >= 2 ? seek(P, key, p, p + WINDOW) : -1;
      if (at < 0) {
        out += c;
        continue;
      }
      p = at;
    }
    out += O[p++];
  }
  return out !== text && out.length === text.length ? out : undefined;
}

/**
 * A piece of a clause's text (an excerpt cut with …, its spaces collapsed) in the document's own script, when the
 * clause keeps its original; otherwise the piece as given.
 */
export function inOwnScript(text: string, original: string | undefined, piece: string): string {
  const t = Array.from(text);
  const o = Array.from(original ?? '');
  if (!original || o.length !== t.length) return piece;
  const T: string[] = [];
  const O: string[] = [];
  for (let i = 0; i < t.length; i++) {
    if (/\s/.test(t[i])) continue;
    T.push(t[i]);
    O.push(o[i]);
  }
  let from = 0;
  return piece
    .split('…')
    .map((part) => {
      const want = Array.from(part.replace(/\s+/g, ''));
      if (!want.length) return part;
      let at = seek(T, want, from);
      if (at < 0) at = seek(T, want, 0);
      if (at < 0) return part;
      from = at + want.length;
      let k = at;
      return Array.from(part).map((c) => (/\s/.test(c) ? c : O[k++])).join('');
    })
    .join('…');
}

/** Where `needle` first occurs in `hay` from `from` to `until`, by characters; -1 when it does not. */
function seek(hay: string[], needle: string[], from: number, until = hay.length): number {
  outer: for (let i = Math.max(0, from); i <= until && i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Simplified character → its usual Traditional form, from opencc-js's character table; loaded on first use. */
let traditional: Map<string, string> | undefined;

/**
 * The character table of opencc-js's Simplified → Traditional build (its one-character dictionary, first choice of
 * each). The build is required only when a clause in Traditional is cited, so a Simplified corpus never loads it.
 */
function traditionalTable(): Map<string, string> {
  const table = new Map<string, string>();
  const OpenCC = createRequire(import.meta.url)('opencc-js/cn2t') as { Locale?: { from?: Record<string, unknown> } };
  const strings: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === 'string') strings.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
  };
  walk(OpenCC.Locale?.from?.cn);
  for (const dict of strings) {
    for (const entry of dict.split('|')) {
      const [from, to] = entry.split(' ');
      if (from && to && Array.from(from).length === 1 && !table.has(from)) table.set(from, Array.from(to)[0]);
    }
  }
  return table;
}

/**
 * A clause's article label in the document's own script ("第七條" for a document in Traditional characters), so a
 * citation numbers the clause as the document does. Each character is spelled as the clause itself spells it where
 * it occurs there, else by the converter's table; a clause kept in Simplified keeps its label.
 */
export function articleInOwnScript(u: Pick<Unit, 'article' | 'text' | 'original'>): string {
  if (!u.original) return u.article;
  const t = Array.from(u.text);
  const o = Array.from(u.original);
  const own = new Map<string, string>();
  if (t.length === o.length) for (let i = 0; i < t.length; i++) if (t[i] !== o[i] && !own.has(t[i])) own.set(t[i], o[i]);
  traditional ??= traditionalTable();
  return Array.from(u.article).map((c) => own.get(c) ?? traditional!.get(c) ?? c).join('');
}
