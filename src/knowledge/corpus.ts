/** The loaded corpus seen by document: its units, its whole text, its award names, and its dates. */
import type { Knowledge } from './knowledge.ts';
import type { PolicyDocument, Unit } from './policy-schema.ts';

/** Each document's units and whole text, grouped once per loaded corpus. */
export const BY_DOC = new WeakMap<Unit[], Map<string, { units: Unit[]; text?: string }>>();

/** The units of one document. */
export function unitsOf(k: Knowledge, docId: string): Unit[] {
  return groupOf(k, docId).units;
}

/** The group of one document, built on first use. */
export function groupOf(k: Knowledge, docId: string): { units: Unit[]; text?: string } {
  let groups = BY_DOC.get(k.units);
  if (!groups) {
    BY_DOC.set(k.units, (groups = new Map()));
    for (const u of k.units) {
      const g = groups.get(u.docId);
      if (g) g.units.push(u);
      else groups.set(u.docId, { units: [u] });
    }
  }
  return groups.get(docId) ?? { units: [] };
}

/** The whole text of a document, from the corpus's units. */
export function documentText(k: Knowledge, docId: string): string {
  const g = groupOf(k, docId);
  g.text ??= g.units.map((u) => u.text).join(' ');
  return g.text;
}

/** Every award name the loaded documents set, computed once per corpus. */
export const AWARD_NAMES = new WeakMap<PolicyDocument[], string[]>();

/** The loaded documents' award names. */
export function awardNames(k: Knowledge): string[] {
  let a = AWARD_NAMES.get(k.documents);
  if (!a) AWARD_NAMES.set(k.documents, (a = [...new Set(k.documents.flatMap((d) => d.awards))]));
  return a;
}

/** The date as YYYY-MM-DD in the given time zone. */
export function isoDay(d: Date, timeZone = 'Asia/Shanghai'): string {
  // From 1992 (Asia/Shanghai's last daylight-saving summer was 1991) to year 9999 the zone is UTC+8 all year: the day
  // by arithmetic, without loading ICU's time-zone data at a start that answers (as scheduling/dates.ts's localDay).
  const t = d.getTime();
  if (timeZone === 'Asia/Shanghai' && t >= FIXED_FROM && t < FIXED_UNTIL) return new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
  let f = DAY_FORMATS.get(timeZone);
  if (!f) DAY_FORMATS.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(d);
}

const FIXED_FROM = Date.UTC(1991, 11, 31, 16);
const FIXED_UNTIL = Date.UTC(9999, 11, 31, 16);

/** One date formatter per time zone (building one costs more than formatting). */
export const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Formats YYYY-MM-DD as a Chinese date. */
export function cnDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Whether a document has lapsed at the given date. */
export function lapsed(doc: PolicyDocument | undefined, now: Date): boolean {
  return Boolean(doc?.expires && isoDay(now) > doc.expires);
}
