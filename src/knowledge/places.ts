/** Places a question names, judged against the gazetteer and the places the loaded documents come from. */
import type { Places } from './glossary.ts';
import { shortPlace } from '../nlu/glossary.ts';
import type { PolicyDocument } from './policy-schema.ts';

/** Places named in a question: corpus regions it points to, and places no loaded document comes from. */
export interface PlaceMention {
  /** Regions of loaded documents that the question names (directly, by a town, or by a city of a province). */
  covered: string[];
  /** Places named that no loaded document comes from, as written in the question. */
  uncovered: string[];
}

/** A matcher built once per corpus. */
export class PlaceMatcher {
  private readonly aliases: [string, string][] = [];
  private readonly gazetteer: [string, string][] = [];
  /** Each English spelling's pattern, its place, and the spelling itself when a match must contain it (lower case). */
  private readonly english: [RegExp, string, string | undefined][] = [];
  private notPlain: [RegExp, string, string | undefined][] = [];
  private aliasesByChar!: FirstChars;
  private gazetteerByChar!: FirstChars;
  /** English spellings of places (lower case) and the place each stands for: the english map, then derived pinyin. */
  readonly spellings: [string, string][] = [];
  private readonly regions: Set<string>;

  /** Builds the matcher from the documents (their regions and aliases) and the gazetteer. */
  constructor(documents: PolicyDocument[], private readonly places: Places, private readonly knows: (phrase: string) => boolean, pinyin: Record<string, string> = {}) {
    this.regions = new Set(documents.map((d) => d.region).filter(Boolean));
    for (const d of documents) {
      if (!d.region) continue;
      for (const a of [d.region, shortPlace(d.region), ...d.aliases]) this.aliases.push([a, d.region]);
    }
    const add = (full: string) => {
      this.gazetteer.push([full, full]);
      const s = shortPlace(full);
      if (s !== full) this.gazetteer.push([s, full]);
    };
    places.provinces.forEach(add);
    Object.keys(places.cities).forEach(add);
    for (const n of places.national) this.gazetteer.push([n, n]);
    for (const [en, zh] of Object.entries(places.english)) this.spellings.push([en.toLowerCase(), zh]);
    // The pinyin of each loaded document's place and towns and of the gazetteer's places ("Quanzhou" → 泉州市), spelled
    // at ingest (knowledge/spellings.ts); the english map wins.
    const spelled = new Set(this.spellings.map(([en]) => en));
    const named: [string, string][] = [...this.aliases.map(([a, region]): [string, string] => [a, region]), ...[...places.provinces, ...Object.keys(places.cities)].map((p): [string, string] => [p, p])];
    for (const [name, full] of named) {
      const en = pinyin[name];
      if (!en || spelled.has(en)) continue;
      spelled.add(en);
      this.spellings.push([en, full]);
    }
    for (const [en, zh] of this.spellings) this.english.push([new RegExp(`\\b${en}\\b`, 'i'), zh, /^[a-z0-9 ]+$/.test(en) ? en : undefined]);
    const byLength = (a: [string, string], b: [string, string]) => b[0].length - a[0].length;
    this.aliases.sort(byLength);
    this.gazetteer.sort(byLength);
    this.notPlain = this.english.filter(([, , plain]) => plain === undefined);
    this.aliasesByChar = byFirstChar(this.aliases);
    this.gazetteerByChar = byFirstChar(this.gazetteer);
  }

  /** The corpus region a full place name stands for: itself, or the province of a city with no document of its own. */
  private regionFor(full: string): string | undefined {
    if (this.regions.has(full)) return full;
    const province = this.places.cities[full];
    return province && this.regions.has(province) ? province : undefined;
  }

  private readonly cache = new Map<string, PlaceMention>();

  /** Finds the places a (normalised) question names; results are remembered (the same words recur across questions). */
  match(q: string): PlaceMention {
    let m = this.cache.get(q);
    if (!m) {
      if (this.cache.size > 20_000) this.cache.clear();
      this.cache.set(q, (m = this.scan(q)));
    }
    return m;
  }

  /**
   * The Chinese short names of places inside a document's region that a question spells in English ("Wuhan" → 武汉 in
   * a 湖北 notice), as the documents write them. A document's own place is left out: every clause of it is about that
   * place, and place matching already chose the document.
   */
  spelledIn(q: string): string[] {
    if (!/[a-z]/i.test(q)) return [];
    const lower = q.toLowerCase();
    return [...new Set(this.english.filter(([re, zh, plain]) => (plain === undefined || lower.includes(plain)) && re.test(q) && !this.regions.has(zh)).map(([, zh]) => shortPlace(zh)))];
  }

  /** The body of match. */
  private scan(q: string): PlaceMention {
    const covered = new Set<string>();
    const uncovered: string[] = [];
    const taken: boolean[] = [];
    const free = (at: number, len: number) => !taken.slice(at, at + len).some(Boolean);
    const take = (at: number, len: number) => {
      for (let i = at; i < at + len; i++) taken[i] = true;
    };
    for (const [alias, region] of candidates(this.aliases, this.aliasesByChar, q)) {
      for (let at = q.indexOf(alias); at >= 0; at = q.indexOf(alias, at + 1)) {
        if (!free(at, alias.length)) continue;
        take(at, alias.length);
        covered.add(region);
      }
    }
    for (const [name, full] of candidates(this.gazetteer, this.gazetteerByChar, q)) {
      for (let at = q.indexOf(name); at >= 0; at = q.indexOf(name, at + 1)) {
        if (!free(at, name.length)) continue;
        take(at, name.length);
        const region = this.regionFor(full);
        if (region) covered.add(region);
        // "广东省政府质量奖" names an award the documents know, "品字标浙江制造" a brand: not a place to answer for.
        else if (![2, 3].some((n) => this.knows(q.slice(at, at + name.length + n).replace(/\s+/g, '')))) uncovered.push(name);
      }
    }
    // A spelling of plain ASCII letters matches, case aside, only where the lower-cased question contains it: testing
    // that first spares compiling and running hundreds of patterns per question.
    // Most questions have no Latin letter or digit: then only spellings that are not plain (none in the shipped
    // gazetteer) are looked at. An indexed loop: destructuring hundreds of entries per question costs more than the test.
    const lower = /[a-z0-9]/i.test(q) ? q.toLowerCase() : '';
    const english = lower ? this.english : this.notPlain;
    for (let i = 0; i < english.length; i++) {
      const re = english[i][0];
      const zh = english[i][1];
      const plain = english[i][2];
      if (plain !== undefined && !lower.includes(plain)) continue;
      if (!re.test(q)) continue;
      const region = this.regionFor(zh);
      if (region) covered.add(region);
      else uncovered.push(zh);
    }
    return { covered: [...covered], uncovered: [...new Set(uncovered)] };
  }
}

/** Where a list's names start: the positions of the names beginning with each UTF-16 unit, and of empty names. */
interface FirstChars {
  byChar: Map<string, number[]>;
  empty: number[];
}

function byFirstChar(list: [string, string][]): FirstChars {
  const byChar = new Map<string, number[]>();
  const empty: number[] = [];
  list.forEach(([name], i) => {
    if (!name) return void empty.push(i);
    const at = byChar.get(name[0]);
    if (at) at.push(i);
    else byChar.set(name[0], [i]);
  });
  return { byChar, empty };
}

/**
 * The entries of a list whose names can occur in a text (their first character does), in the list's own order, so that
 * a scan over them takes the same places in the same order as a scan over the whole list.
 */
function candidates(list: [string, string][], index: FirstChars, text: string): [string, string][] {
  const at = [...index.empty];
  const units = new Set<string>();
  for (let i = 0; i < text.length; i++) units.add(text[i]);
  for (const u of units) for (const i of index.byChar.get(u) ?? []) at.push(i);
  return at.sort((a, b) => a - b).map((i) => list[i]);
}
