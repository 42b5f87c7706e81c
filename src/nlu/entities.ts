/** Entity extraction: places named (by the gazetteer), counts, years, dates and numbers. */
import { loadPlaces, shortPlace } from './glossary.ts';
import { parseChineseNumber } from './chinese-numbers.ts';

/** Short names of every place in the gazetteer (data/places.json), longest first, read once. */
let gazetteer: string[] | undefined;

/** The gazetteer's place names, loaded lazily from the project's data directory. */
function placeNames(): string[] {
  if (!gazetteer) {
    const places = loadPlaces();
    const names = new Set<string>();
    for (const full of [...places.provinces, ...Object.keys(places.cities)]) names.add(shortPlace(full));
    gazetteer = [...names].sort((a, b) => b.length - a.length);
  }
  return gazetteer;
}

/** Entities found in one message. */
export interface Entities {
  /** Places named (short names from the gazetteer, such as 佛山); which of them the corpus covers is the answerer's call. */
  otherPlaces: string[];
  /** A count of passed inspections or times ("5次"). */
  times?: number;
  /** Years mentioned as a duration ("3年"). */
  years?: number;
  /** Calendar dates mentioned, as YYYY-MM-DD. */
  dates: string[];
  /** Plain numbers in the text. */
  numbers: number[];
}

const NUM = '(\\d+|[零〇一二两三四五六七八九十百]+)';

/** Extracts entities from normalised (Simplified, half-width) text. */
export function extractEntities(text: string): Entities {
  const otherPlaces = placeNames().filter((p) => text.includes(p));
  const timesM = new RegExp(`${NUM}\\s*(次|回)`).exec(text) ?? /(\d+)\s*(times?|spot checks?|inspections?|passes|checks?)\b/i.exec(text) ?? /passed\s+(\d+)/i.exec(text);
  const yearsM = new RegExp(`${NUM}\\s*年(?!\\d|底|月)`).exec(text.replace(/\d{4}\s*年/g, ''));
  const dates: string[] = [];
  for (const m of text.matchAll(/(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?/g)) {
    dates.push(`${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`);
  }
  const numbers = [...text.matchAll(/\d+(\.\d+)?/g)].map((m) => Number(m[0]));
  return {
    otherPlaces,
    times: timesM ? parseChineseNumber(timesM[1]) : undefined,
    years: yearsM ? parseChineseNumber(yearsM[1]) : undefined,
    dates,
    numbers,
  };
}
