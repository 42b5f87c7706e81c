/**
 * Documents a loaded document repeals ("《某某办法》（某政办发〔2021〕66号）自本细则施行之日起同时废止", "2019年印发的《…》
 * 同时废止"), read from its clauses, and whether a question names one of them: by its number, or by its title (with
 * its year when a loaded document has the same title).
 */
import { questionPattern } from '../nlu/glossary.ts';
import { sentencesOf } from './facts.ts';
import type { Knowledge } from './knowledge.ts';
import type { Unit } from './policy-schema.ts';

/** A document a loaded clause says is repealed. */
export interface Repeal {
  title: string;
  /** Its number as written ("沭政办发〔2021〕66号"), when the clause gives it. */
  number?: string;
  /** The year it was issued (from its number or "2019年印发的"). */
  year?: string;
  /** The clause saying so, and the sentence. */
  unit: Unit;
  sentence: number;
}

const CACHE = new WeakMap<object, Repeal[]>();

/** Every repeal the loaded clauses state (one per title; read once per knowledge). */
export function repealsOf(k: Knowledge): Repeal[] {
  let found = CACHE.get(k.units);
  if (found) return found;
  found = [];
  const words = questionPattern(k.glossary, 'repealWords');
  const seen = new Set<string>();
  // (Only the clauses holding a repeal word are read: one scan of the corpus text finds them.)
  for (const unit of k.search.unitsMatching(words)) {
    sentencesOf(unit).forEach((s, sentence) => {
      if (!words.test(s)) return;
      for (const m of s.matchAll(/(?:((?:19|20)\d{2})\s*年\s*(?:印发|发布|出台|制定)的)?《([^》]{4,60})》\s*(?:[（(]([^（()）]*?[〔［\[(（]((?:19|20)\d{2})[〕］\])）]\s*\d+\s*号)[）)])?/g)) {
        const title = m[2];
        const key = `${unit.docId}/${title}/${m[3] ?? ''}`;
        // (The document doing the repealing is named in 《》 too: only a title the loaded documents do not carry, or one dated apart from them.)
        if (seen.has(key) || (!m[3] && !m[1] && k.documents.some((d) => d.title === title))) continue;
        // Only the titles the repeal words follow or precede closely are what is repealed, not 《本细则》 named elsewhere.
        const after = s.slice(m.index! + m[0].length);
        if (!words.test(after.slice(0, 24)) && !/[、和及与]\s*$|^\s*[、和及与]/.test(after.slice(0, 2))) continue;
        seen.add(key);
        found.push({ title, number: m[3], year: m[4] ?? m[1], unit, sentence });
      }
    });
  }
  CACHE.set(k.units, found);
  return found;
}

/** Length of the longest run of characters two texts share. */
function commonRun(a: string, b: string): number {
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let n = 0;
      while (i + n < a.length && j + n < b.length && a[i + n] === b[j + n]) n++;
      if (n > best) best = n;
    }
  }
  return best;
}

/** The repealed document a question names, if any: by number, or by title closer than any loaded document's title. */
export function repealNamed(k: Knowledge, q: string, regions: string[]): Repeal | undefined {
  const plain = q.replace(/\s+/g, '');
  for (const r of repealsOf(k)) {
    if (regions.length && !regions.includes(r.unit.region)) continue;
    const no = r.number && /(\d+)\s*号$/.exec(r.number)?.[1];
    if (r.year && no && new RegExp(`${r.year}\\D{0,4}?0*${no}号`).test(plain)) return r;
    const own = commonRun(plain, r.title);
    const loaded = Math.max(0, ...k.documents.filter((d) => d.region === r.unit.region).map((d) => commonRun(plain, d.title)));
    const dated = Boolean(r.year && plain.includes(r.year));
    if (own >= 4 && (own > loaded || (own === loaded && dated)) && (dated || own >= Math.min(r.title.length, 8))) return r;
  }
  return undefined;
}
