/** BM25 retrieval over citable units, with colloquial-to-corpus query expansion. */
import type { Segmenter } from '../nlu/segmenter.ts';
import type { Unit } from './policy-schema.ts';

/** A scored search hit. */
export interface Hit {
  unit: Unit;
  score: number;
  /** Query terms found in the unit. */
  matched: string[];
}

/** BM25 parameters: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.6;

/** A unit's text without its own document's title: a notice quoting it ("现将《…计划》印发给你们") is not about every word of it. */
export function withoutOwnTitle(text: string, title: string): string {
  return title.length >= 6 ? text.split(title).join(' ') : text;
}

/** The segmenter's terms of a text, remembered for texts that repeat (a document's title and headings recur in every unit). */
export function termCache(seg: Segmenter): (text: string) => string[] {
  const seen = new Map<string, string[]>();
  return (text) => {
    let terms = seen.get(text);
    if (!terms) {
      terms = seg.terms(text);
      if (seen.size > 10_000) seen.clear();
      seen.set(text, terms);
    }
    return terms;
  };
}

/** A unit's BM25 term weights: its text (without its own title) 1, its heading 0.5, its title 0.3, its field names 0.5. */
export function unitTermWeights(unit: Unit, cut: (text: string) => string[]): Map<string, number> {
  const tf = new Map<string, number>();
  const add = (terms: string[], w: number) => terms.forEach((t) => tf.set(t, (tf.get(t) ?? 0) + w));
  add(cut(withoutOwnTitle(unit.text, unit.title)), 1);
  add(cut(unit.heading), 0.5);
  add(cut(unit.title), 0.3);
  if (unit.fields) add(cut(Object.keys(unit.fields).join(' ')), 0.5);
  return tf;
}

/**
 * The BM25 index as flat tables: the vocabulary in order of first use, each term's units and weights in unit order
 * (one slice per term of `docs` and `tfCodes`, from `offsets[id]` to `offsets[id + 1]`), and each unit's length. A
 * weight is stored as its position in `tfValues`, the few distinct weights there are (sums of 1, 0.5 and 0.3), so a
 * posting takes 6 bytes and scores use the very same numbers. This is what the index file saves and opens
 * (index-file.ts), so a start builds no per-unit or per-posting objects.
 */
export interface SearchTables {
  vocabulary: string[];
  offsets: Int32Array;
  docs: Int32Array;
  tfCodes: Uint16Array;
  tfValues: Float64Array;
  lens: Float64Array;
}

/** One term's postings: the units holding it, ascending, and the codes of its weight in each. */
export interface PostingList {
  docs: Int32Array;
  tfCodes: Uint16Array;
}

/** Tables whose postings stay on disk and are read a term at a time when a search first needs them (index-file.ts). */
export interface OpenedTables extends Omit<SearchTables, 'docs' | 'tfCodes'> {
  postingsOf(id: number): PostingList;
}

/** Posting lists read from disk kept in memory, in bytes (the most recently used; a question needs a few dozen). */
const CACHED_POSTING_BYTES = 32 * 1024 * 1024;

/** The text `knows` looks terms up in: every unit's text without spaces, lowercased, one unit a line. */
export function corpusTextOf(units: readonly Unit[]): string {
  return units.map((u) => u.text.replace(/\s+/g, '')).join('\n').toLowerCase();
}

/** Bits in the table of hashed character pairs (2 MB: a few million distinct pairs leave most bits clear). */
const PAIR_BITS = 1 << 24;

/** A pair of UTF-16 code units hashed to a bit of the pair table. */
function pairHash(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) >>> 8;
}

/** Cuts every unit into weighted terms and lays them out as tables. */
export function buildTables(units: Unit[], seg: Segmenter): SearchTables {
  const cut = termCache(seg);
  const ids = new Map<string, number>();
  const vocabulary: string[] = [];
  // Every unit's terms and weights in one flat pair of lists (no object per posting), each unit's end in `ends`.
  const termIds: number[] = [];
  const weights: number[] = [];
  const ends = new Int32Array(units.length);
  const lens = new Float64Array(units.length);
  const df: number[] = [];
  units.forEach((unit, u) => {
    let len = 0;
    for (const [t, n] of unitTermWeights(unit, cut)) {
      len += n;
      let id = ids.get(t);
      if (id === undefined) {
        id = vocabulary.length;
        ids.set(t, id);
        vocabulary.push(t);
        df.push(0);
      }
      df[id]++;
      termIds.push(id);
      weights.push(n);
    }
    lens[u] = len;
    ends[u] = termIds.length;
  });
  const offsets = new Int32Array(vocabulary.length + 1);
  for (let id = 0; id < vocabulary.length; id++) offsets[id + 1] = offsets[id] + df[id];
  const fill = offsets.slice(0, vocabulary.length);
  const docs = new Int32Array(offsets[vocabulary.length]);
  const tfCodes = new Uint16Array(docs.length);
  const codes = new Map<number, number>();
  const values: number[] = [];
  let u = 0;
  for (let i = 0; i < termIds.length; i++) {
    while (i >= ends[u]) u++;
    const id = termIds[i];
    const tf = weights[i];
    let code = codes.get(tf);
    if (code === undefined) {
      code = values.length;
      if (code > 0xffff) throw new Error('more distinct term weights than a posting can name');
      codes.set(tf, code);
      values.push(tf);
    }
    docs[fill[id]] = u;
    tfCodes[fill[id]++] = code;
  }
  return { vocabulary, offsets, docs, tfCodes, tfValues: Float64Array.from(values), lens };
}

/** A BM25 index over units. */
export class UnitSearch {
  private readonly units: Unit[];
  /** Term → its id in the tables. */
  private readonly ids = new Map<string, number>();
  private readonly tables: SearchTables | OpenedTables;
  /** Posting lists read from disk, most recently used last, and their size in bytes. */
  private readonly lists = new Map<number, PostingList>();
  private listBytes = 0;
  /** BM25 length normalisation per unit: k1 · (1 − b + b · len / avgLen). */
  private norms = new Float64Array(0);
  private readonly known = new Map<string, boolean>();
  /** Scratch scores, one per unit, reset after each search. */
  private scores = new Float64Array(0);
  private readonly avgLen: number;
  /** The corpus text as UTF-8 (see corpusTextOf), read or made the first time a term is looked up in it. */
  private corpus?: Buffer;
  private corpusDecoded?: string;
  /** Characters and hashed character pairs of the corpus text (see mayHold). */
  private pairTable?: { chars: Uint32Array; pairs: Uint32Array };

  private readonly abbreviations = new Map<string, string[]>();
  /** Index terms by their first and by their last character, for abbreviation lookups. */
  private byEdge?: Map<string, string[]>;
  /** Glossary keys of several characters or words, matched inside the question text (the segmentation may split them). */
  private readonly phrases: { key: string; english?: RegExp; synonyms: string[] }[];

  /**
   * Indexes the units with the given segmenter; `synonyms` map colloquial words to the documents' own. `tables`, when
   * given, are these units' tables as `buildTables` made them (opened from the index file), and `corpusText` reads
   * their corpus text from it.
   */
  constructor(
    units: Unit[],
    private readonly seg: Segmenter,
    private readonly synonyms: Record<string, string[]> = {},
    tables?: SearchTables | OpenedTables,
    private readonly corpusText: () => Buffer = () => Buffer.from(corpusTextOf(units)),
  ) {
    this.units = units;
    this.tables = tables ?? buildTables(units, seg);
    this.tables.vocabulary.forEach((t, id) => this.ids.set(t, id));
    this.phrases = Object.entries(synonyms)
      .filter(([key]) => /^[\u4e00-\u9fff]{2,}$/.test(key) || /^[a-z][a-z ]*[a-z]$/.test(key))
      .map(([key, list]) => ({ key, english: /^[a-z]/.test(key) ? new RegExp(`(^|[^a-z])${key}([^a-z]|$)`) : undefined, synonyms: list }));
    this.avgLen = this.tables.lens.reduce((s, len) => s + len, 0) / Math.max(1, units.length);
    this.norms = this.tables.lens.map((len) => K1 * (1 - B + (B * len) / this.avgLen));
  }

  /** Number of units holding a term (0 for an unknown term). */
  private df(term: string): number {
    const id = this.ids.get(term);
    return id === undefined ? 0 : this.tables.offsets[id + 1] - this.tables.offsets[id];
  }

  /** The units holding a term and the codes of the term's weight in each, in unit order. */
  private postings(term: string): PostingList | undefined {
    const id = this.ids.get(term);
    return id === undefined ? undefined : this.list(id);
  }

  /** The posting list of a term id: a slice of the tables in memory, or read from disk and kept while recently used. */
  private list(id: number): PostingList {
    const t = this.tables;
    if ('docs' in t) return { docs: t.docs.subarray(t.offsets[id], t.offsets[id + 1]), tfCodes: t.tfCodes.subarray(t.offsets[id], t.offsets[id + 1]) };
    let list = this.lists.get(id);
    if (list) {
      this.lists.delete(id);
    } else {
      list = t.postingsOf(id);
      this.listBytes += list.docs.byteLength + list.tfCodes.byteLength;
      for (const [old, l] of this.lists) {
        if (this.listBytes <= CACHED_POSTING_BYTES) break;
        this.lists.delete(old);
        this.listBytes -= l.docs.byteLength + l.tfCodes.byteLength;
      }
    }
    this.lists.set(id, list);
    return list;
  }

  /** Whether a unit holds a term (a binary search of the term's units). */
  private holds(term: string, doc: number): boolean {
    const id = this.ids.get(term);
    if (id === undefined) return false;
    const { docs } = this.list(id);
    let lo = 0;
    let hi = docs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (docs[mid] === doc) return true;
      if (docs[mid] < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Inverse document frequency of a term; unknown terms get the highest value. */
  idf(term: string): number {
    const n = this.units.length;
    const df = this.df(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Whether the corpus contains the term at all, as a search term or inside its text. */
  knows(term: string): boolean {
    if (this.ids.has(term)) return true;
    let k = this.known.get(term);
    if (k === undefined) {
      // A term with a pair of neighbouring characters the corpus never has is not in it (no scan); otherwise a UTF-8 byte
      // match is a character match (no character's bytes occur inside another's).
      k = this.mayHold(term) && (this.corpus ??= this.corpusText()).includes(term);
      if (this.known.size > 50_000) this.known.clear();
      this.known.set(term, k);
    }
    return k;
  }

  /**
   * Whether the corpus may hold the term: every character and every pair of neighbouring characters of it occurs in the
   * corpus text. Pairs are hashed into a bit table built in one pass the first time (a collision only lets a term
   * through to the scan, never turns one away).
   */
  private mayHold(term: string): boolean {
    const { chars, pairs } = (this.pairTable ??= this.buildPairTable());
    for (let i = 0; i < term.length; i++) {
      const c = term.charCodeAt(i);
      if (!(chars[c >>> 5] & (1 << (c & 31)))) return false;
      if (i === 0) continue;
      const h = pairHash(term.charCodeAt(i - 1), c);
      if (!(pairs[h >>> 5] & (1 << (h & 31)))) return false;
    }
    return true;
  }

  /** The bit tables of mayHold, from one pass over the corpus text. */
  private buildPairTable(): { chars: Uint32Array; pairs: Uint32Array } {
    const text = this.corpusString();
    const chars = new Uint32Array(65536 / 32);
    const pairs = new Uint32Array(PAIR_BITS / 32);
    let prev = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      chars[c >>> 5] |= 1 << (c & 31);
      if (prev >= 0) {
        const h = pairHash(prev, c);
        pairs[h >>> 5] |= 1 << (h & 31);
      }
      prev = c;
    }
    return { chars, pairs };
  }

  /** The corpus text (see corpusTextOf) as a string, decoded once. */
  corpusString(): string {
    return (this.corpusDecoded ??= (this.corpus ??= this.corpusText()).toString('utf8'));
  }

  /**
   * The units whose text (spaces removed, lower-cased, as in corpusTextOf) the pattern matches, in order: one scan of
   * the corpus text, so no clause is read from disk that does not match.
   */
  unitsMatching(pattern: RegExp): Unit[] {
    const text = this.corpusString();
    const re = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g');
    const out: Unit[] = [];
    let line = 0;
    let lineEnd = text.indexOf('\n');
    for (const m of text.matchAll(re)) {
      while (lineEnd !== -1 && lineEnd < m.index!) {
        line++;
        lineEnd = text.indexOf('\n', lineEnd + 1);
      }
      if (out[out.length - 1] !== this.units[line]) out.push(this.units[line]);
    }
    return out;
  }

  /** Whether the term is one of the index's own terms (not only a run of characters somewhere in the text). */
  hasTerm(term: string): boolean {
    return this.ids.has(term);
  }

  /** Units holding any of the words as an index term, or undefined when one of them is not an index term. */
  unitsWith(words: string[]): Set<Unit> | undefined {
    const out = new Set<Unit>();
    for (const w of words) {
      const list = this.postings(w);
      if (!list) return undefined;
      for (const doc of list.docs) out.add(this.units[doc]);
    }
    return out;
  }

  /** The plain words of a text, as the segmenter cuts them. */
  wordsOf(text: string): string[] {
    return this.seg.words(text);
  }

  /** Whether a word is a modifying noun phrase (环境, 职业健康安全: nouns and adjectives only), not 获得 or 企业最少. */
  isNoun(word: string): boolean {
    const tags = this.seg.tagged(word);
    return tags.length > 0 && tags[0].tag.startsWith('n') && tags.every((x) => /^(n|a|j|l)/.test(x.tag));
  }

  /** The glossary's synonyms of a word. */
  synonymsOf(word: string): string[] {
    return this.synonyms[word] ?? [];
  }

  /**
   * Index terms that a short form abbreviates: they contain its characters in order, start or end like it, and are
   * the shortest such terms (质量官 → 首席质量官, 安全体系 → 职业健康安全管理体系).
   */
  expandAbbreviation(word: string): string[] {
    if (!/^[\u4e00-\u9fff]{2,6}$/.test(word) || this.ids.has(word)) return [];
    const cached = this.abbreviations.get(word);
    if (cached) return cached;
    const chars = [...word];
    const found: string[] = [];
    if (!this.byEdge) {
      this.byEdge = new Map();
      for (const term of this.tables.vocabulary) {
        for (const key of [`^${term[0]}`, `$${term[term.length - 1]}`]) {
          const list = this.byEdge.get(key);
          if (list) list.push(term);
          else this.byEdge.set(key, [term]);
        }
      }
    }
    const candidates = new Set([...(this.byEdge.get(`^${chars[0]}`) ?? []), ...(this.byEdge.get(`$${chars[chars.length - 1]}`) ?? [])]);
    for (const term of candidates) {
      if (term.length <= word.length || term.length > word.length * 3 + 2) continue;
      let k = 0;
      for (const ch of term) if (ch === chars[k]) k++;
      if (k === chars.length) found.push(term);
    }
    found.sort((a, b) => a.length - b.length || this.df(b) - this.df(a));
    // The shortest terms, and the longer ones that contain them (安全体系 → 安全管理体系, and 职业健康安全管理体系 that holds it).
    const shortest = found.filter((t) => t.length === found[0].length);
    const longer = found.filter((t) => t.length > found[0].length && shortest.some((s) => t.includes(s)));
    const best = [...shortest.slice(0, 3), ...longer.sort((a, b) => this.df(b) - this.df(a)).slice(0, 3)];
    this.abbreviations.set(word, best);
    return best;
  }

  /** Expands query text into weighted search terms: its words, their synonyms, and the longer terms they abbreviate. */
  queryTerms(text: string): Map<string, number> {
    const out = new Map<string, number>();
    const put = (t: string, w: number) => out.set(t, Math.max(out.get(t) ?? 0, w));
    // Glossary phrases the segmentation split ("出的钱" → 出 + 的 + 钱) and English phrases ("it companies"): the phrase's
    // synonyms stand for its words' own synonyms, which would pull towards another question (钱 → 元).
    const lower = text.toLowerCase();
    const consumed = new Set<string>();
    for (const p of this.phrases) {
      if (p.english ? !p.english.test(lower) : !lower.includes(p.key)) continue;
      for (const s of p.synonyms) for (const st of this.seg.terms(s)) put(st, 0.6);
      for (const w of this.seg.terms(p.key)) if (w !== p.key) consumed.add(w);
    }
    for (const t of this.seg.terms(text)) {
      put(t, 1);
      if (consumed.has(t)) continue;
      for (const s of this.synonymsOf(t)) {
        for (const st of this.seg.terms(s)) put(st, 0.6);
      }
      for (const a of this.expandAbbreviation(t)) put(a, 0.9);
    }
    // Index terms the segmentation split across ("质量管理体系认证" → 质量 + 管理体系认证 hides 质量管理体系).
    const plain = text.replace(/\s+/g, '');
    for (let i = 0; i < plain.length; i++) {
      for (let len = 4; len <= 8 && i + len <= plain.length; len++) {
        const sub = plain.slice(i, i + len);
        if (!out.has(sub) && this.ids.has(sub) && /^[\u4e00-\u9fff]+$/.test(sub)) put(sub, 0.9);
      }
    }
    // Two adjacent words may be one short form together ("安全" + "体系" → 职业健康安全管理体系); a stop word (的) is
    // never part of one ("的认证" is no short form).
    const words = this.seg.words(text).filter((w) => /^[\u4e00-\u9fff]+$/.test(w));
    for (let i = 0; i + 1 < words.length; i++) {
      if (!this.seg.terms(words[i]).length || !this.seg.terms(words[i + 1]).length) continue;
      const pair = words[i] + words[i + 1];
      if (pair.length >= 3 && pair.length <= 6) for (const a of this.expandAbbreviation(pair)) put(a, 0.9);
    }
    return out;
  }

  /** Ranks units for the query; `filter` restricts the candidates. */
  search(query: Map<string, number>, limit = 5, filter?: (u: Unit) => boolean, within?: readonly [number, number]): Hit[] {
    // Only the units holding a query term are scored (the inverted index), so the cost follows the matches, not the corpus.
    if (this.scores.length !== this.units.length) this.scores = new Float64Array(this.units.length);
    const scores = this.scores;
    const touched: number[] = [];
    const norms = this.norms;
    const tfValues = this.tables.tfValues;
    // The rarest, heaviest terms first: the units they touch first are the likely best, so the top list fills early and
    // most later units fail the cheap comparison before the filter is called.
    const ordered = [...query].sort((a, b) => b[1] * this.idf(b[0]) - a[1] * this.idf(a[0]));
    for (const [t, w] of ordered) {
      const list = this.postings(t);
      if (!list) continue;
      const weight = w * this.idf(t) * (K1 + 1);
      const { docs, tfCodes } = list;
      // (`within`, units [from, to): only that stretch of the sorted list is read, found by binary search.)
      let i = 0;
      let end = docs.length;
      if (within) {
        let hi = docs.length;
        while (i < hi) {
          const mid = (i + hi) >> 1;
          if (docs[mid] < within[0]) i = mid + 1;
          else hi = mid;
        }
        end = i;
        while (end < docs.length && docs[end] < within[1]) end++;
      }
      for (; i < end; i++) {
        const doc = docs[i];
        const f = tfValues[tfCodes[i]];
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] += (weight * f) / (f + norms[doc]);
      }
    }
    // The best `limit` units, kept in order as they are found (no sort of every touched unit).
    const ranked: { doc: number; score: number }[] = [];
    const before = (a: { doc: number; score: number }, b2: { doc: number; score: number }) => a.score > b2.score || (a.score === b2.score && a.doc < b2.doc);
    for (const doc of touched) {
      const score = scores[doc];
      scores[doc] = 0;
      if (score <= 0) continue;
      const entry = { doc, score };
      if (ranked.length >= limit && !before(entry, ranked[ranked.length - 1])) continue;
      if (filter && !filter(this.units[doc])) continue;
      let at = ranked.length;
      while (at > 0 && before(entry, ranked[at - 1])) at--;
      ranked.splice(at, 0, entry);
      if (ranked.length > limit) ranked.pop();
    }
    return ranked.map(({ doc, score }) => {
      return { unit: this.units[doc], score, matched: [...query.keys()].filter((t) => this.holds(t, doc)) };
    });
  }
}
