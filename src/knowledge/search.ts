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

/** A BM25 index over units. */
export class UnitSearch {
  private readonly docs: { unit: Unit; tf: Map<string, number>; len: number }[] = [];
  private readonly df = new Map<string, number>();
  /** Inverted index: term → the units holding it, with the term's weight in each. */
  private readonly postings = new Map<string, { doc: number; tf: number }[]>();
  /** The same postings packed for scoring: unit indexes and term weights. */
  private packed = new Map<string, { docs: Int32Array; tfs: Float64Array }>();
  /** BM25 length normalisation per unit: k1 · (1 − b + b · len / avgLen). */
  private norms = new Float64Array(0);
  private readonly known = new Map<string, boolean>();
  /** Scratch scores, one per unit, reset after each search. */
  private scores = new Float64Array(0);
  private readonly avgLen: number;
  private readonly corpusText: string;

  private readonly abbreviations = new Map<string, string[]>();
  /** Index terms by their first and by their last character, for abbreviation lookups. */
  private byEdge?: Map<string, string[]>;
  /** Glossary keys of several characters or words, matched inside the question text (the segmentation may split them). */
  private readonly phrases: { key: string; english?: RegExp; synonyms: string[] }[];

  /** Indexes the units with the given segmenter; `synonyms` map colloquial words to the documents' own. */
  constructor(units: Unit[], private readonly seg: Segmenter, private readonly synonyms: Record<string, string[]> = {}) {
    for (const unit of units) {
      const tf = new Map<string, number>();
      const add = (terms: string[], w: number) => terms.forEach((t) => tf.set(t, (tf.get(t) ?? 0) + w));
      add(seg.terms(withoutOwnTitle(unit.text, unit.title)), 1);
      add(seg.terms(unit.heading), 0.5);
      add(seg.terms(unit.title), 0.3);
      if (unit.fields) add(seg.terms(Object.keys(unit.fields).join(' ')), 0.5);
      let len = 0;
      const doc = this.docs.length;
      for (const [t, n] of tf) {
        len += n;
        this.df.set(t, (this.df.get(t) ?? 0) + 1);
        const list = this.postings.get(t);
        if (list) list.push({ doc, tf: n });
        else this.postings.set(t, [{ doc, tf: n }]);
      }
      this.docs.push({ unit, tf, len });
    }
    this.phrases = Object.entries(synonyms)
      .filter(([key]) => /^[\u4e00-\u9fff]{2,}$/.test(key) || /^[a-z][a-z ]*[a-z]$/.test(key))
      .map(([key, list]) => ({ key, english: /^[a-z]/.test(key) ? new RegExp(`(^|[^a-z])${key}([^a-z]|$)`) : undefined, synonyms: list }));
    this.corpusText = units.map((u) => u.text.replace(/\s+/g, '')).join('\n').toLowerCase();
    this.avgLen = this.docs.reduce((s, d) => s + d.len, 0) / Math.max(1, this.docs.length);
    this.norms = Float64Array.from(this.docs, (d) => K1 * (1 - B + (B * d.len) / this.avgLen));
    for (const [t, list] of this.postings) this.packed.set(t, { docs: Int32Array.from(list, (p) => p.doc), tfs: Float64Array.from(list, (p) => p.tf) });
  }

  /** Inverse document frequency of a term; unknown terms get the highest value. */
  idf(term: string): number {
    const n = this.docs.length;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Whether the corpus contains the term at all, as a search term or inside its text. */
  knows(term: string): boolean {
    if (this.df.has(term)) return true;
    let k = this.known.get(term);
    if (k === undefined) {
      k = this.corpusText.includes(term);
      if (this.known.size > 50_000) this.known.clear();
      this.known.set(term, k);
    }
    return k;
  }

  /** Whether the term is one of the index's own terms (not only a run of characters somewhere in the text). */
  hasTerm(term: string): boolean {
    return this.df.has(term);
  }

  /** Units holding any of the words as an index term, or undefined when one of them is not an index term. */
  unitsWith(words: string[]): Set<Unit> | undefined {
    const out = new Set<Unit>();
    for (const w of words) {
      const list = this.postings.get(w);
      if (!list) return undefined;
      for (const p of list) out.add(this.docs[p.doc].unit);
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
    if (!/^[\u4e00-\u9fff]{2,6}$/.test(word) || this.df.has(word)) return [];
    const cached = this.abbreviations.get(word);
    if (cached) return cached;
    const chars = [...word];
    const found: string[] = [];
    if (!this.byEdge) {
      this.byEdge = new Map();
      for (const term of this.df.keys()) {
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
    found.sort((a, b) => a.length - b.length || (this.df.get(b) ?? 0) - (this.df.get(a) ?? 0));
    // The shortest terms, and the longer ones that contain them (安全体系 → 安全管理体系, and 职业健康安全管理体系 that holds it).
    const shortest = found.filter((t) => t.length === found[0].length);
    const longer = found.filter((t) => t.length > found[0].length && shortest.some((s) => t.includes(s)));
    const best = [...shortest.slice(0, 3), ...longer.sort((a, b) => (this.df.get(b) ?? 0) - (this.df.get(a) ?? 0)).slice(0, 3)];
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
        if (!out.has(sub) && this.df.has(sub) && /^[\u4e00-\u9fff]+$/.test(sub)) put(sub, 0.9);
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
  search(query: Map<string, number>, limit = 5, filter?: (u: Unit) => boolean): Hit[] {
    // Only the units holding a query term are scored (the inverted index), so the cost follows the matches, not the corpus.
    if (this.scores.length !== this.docs.length) this.scores = new Float64Array(this.docs.length);
    const scores = this.scores;
    const touched: number[] = [];
    const norms = this.norms;
    // The rarest, heaviest terms first: the units they touch first are the likely best, so the top list fills early and
    // most later units fail the cheap comparison before the filter is called.
    const ordered = [...query].sort((a, b) => b[1] * this.idf(b[0]) - a[1] * this.idf(a[0]));
    for (const [t, w] of ordered) {
      const list = this.packed.get(t);
      if (!list) continue;
      const weight = w * this.idf(t) * (K1 + 1);
      const { docs, tfs } = list;
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i];
        const f = tfs[i];
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
      if (filter && !filter(this.docs[doc].unit)) continue;
      let at = ranked.length;
      while (at > 0 && before(entry, ranked[at - 1])) at--;
      ranked.splice(at, 0, entry);
      if (ranked.length > limit) ranked.pop();
    }
    return ranked.map(({ doc, score }) => {
      const d = this.docs[doc];
      return { unit: d.unit, score, matched: [...query.keys()].filter((t) => d.tf.has(t)) };
    });
  }
}
