/**
 * Chinese word segmentation with jieba, extended by the corpus's domain dictionary.
 *
 * Parsing jieba's 349k-word dict.txt took about 0.2 s and 45 MB at every start. jieba's output for a text depends only
 * on the dictionary words that occur in that text (its DAG comes from prefix matches, cut-for-search looks up 2- and
 * 3-grams of words, the HMM step asks whether a buffered run is a word, tagging looks up each output word) and on the
 * sum of all frequencies (a route scores ln(freq) − ln(total)). So the lazy dictionary below starts jieba with only
 * the domain terms and one placeholder word that no text can contain, whose frequency makes up the full total; before
 * each text is cut, the words of the compact default dictionary (jieba-dictionary.ts) that occur in it and are not
 * loaded yet are loaded with their frequency and tag, and the placeholder is re-set so the total never changes. The
 * result is byte-identical to a jieba loaded with the whole dictionary (tests/nlu/segmenter-lazy.test.ts compares
 * every clause of the corpus and every eval question both ways).
 *
 * jieba-rs's `load_dict` keeps a word's first tag and its last frequency, and recomputes the total as the sum of every
 * record: the lines loaded here follow the same order as the full load (default entry first, domain term after).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Jieba } from '@node-rs/jieba';
import { z } from 'zod';
import { CACHE_DIR, type CompactDictionary, DamagedDictionary, defaultDictText, openDefaultDictionary, parseDictLine } from './jieba-dictionary.ts';

/** Words carrying no topic: question words, particles and punctuation. */
const STOP = new Set(
  ('的 了 吗 呢 吧 啊 呀 嘛 么 是 有 在 和 与 及 或 等 我 我们 你 你们 他们 咱 咱们 这 那 这个 那个 哪 哪个 哪些 什么 怎么 怎样 如何 多少 几 '
    + '请问 一下 想 要 能 能不能 可以 可不可以 会 就 都 也 还 又 对 给 被 把 从 到 为 个 些 之 其 中 上 下 不 没 没有 请 问 告诉 知道 '
    + 'the a an of to is are what how who which for in on do does can i we you it and or').split(' '),
);

/** A segmenter instance: cuts text into search terms. */
export interface Segmenter {
  /** Cuts text into overlapping search terms (long words and their parts), stop words removed. */
  terms(text: string): string[];
  /** Cuts text into plain words, keeping stop words (for classification). */
  words(text: string): string[];
  /** Cuts text into words with their part-of-speech tags (n noun, v verb, m numeral …). */
  tagged(text: string, hmm?: boolean): { word: string; tag: string }[];
}

/**
 * How the default dictionary is loaded: `full` parses all of it at once; `lazy` loads the words each text contains;
 * `auto` (the default) starts lazy and loads the whole dictionary once a great deal of new text has been cut (ingest,
 * or a start that must cut every unit), where one full load is cheaper than many lookups. All three cut alike.
 */
export type DictionaryMode = 'full' | 'lazy' | 'auto';

/** How a segmenter loads jieba's default dictionary. */
export interface SegmenterOptions {
  dictionary?: DictionaryMode;
  /** For `auto`: characters of new text looked up lazily before the whole dictionary is loaded (default 400,000). */
  fullAfter?: number;
}

/** The domain dictionary's lines, as the segmenter has always loaded them. */
function domainLines(domainTerms: string[]): string[] {
  return domainTerms.map((t) => `${t.replace(/\s+/g, '')} 2000 n`);
}

/** A jieba loaded with the whole default dictionary, then the domain terms. */
function fullJieba(domainTerms: string[]): Jieba {
  const jieba = Jieba.withDict(defaultDictText());
  if (domainTerms.length) jieba.loadDict(Buffer.from(domainLines(domainTerms).join('\n')));
  return jieba;
}

/** Never in any text jieba cuts into words: it starts with a control character outside every block jieba matches. */
const PLACEHOLDER = '\u0001jieba-total\u0001';
/** Texts already prepared, forgotten past this many (the words they loaded stay loaded). */
const SEEN_LIMIT = 20_000;

/** How the domain lines meet the default dictionary: what a full load's records and total would be. */
const domainSchema = z.object({
  key: z.string(),
  /** The full load's total: every default word, with the domain terms' frequencies replacing theirs, plus the new terms. */
  total: z.number().nonnegative(),
  /** The frequencies of the domain terms' records (each distinct term once, at its last line's frequency). */
  loadedSum: z.number().nonnegative(),
  /** Domain terms that are also default words: their index and default entry, loaded before the domain line. */
  found: z.array(z.tuple([z.number().int().nonnegative(), z.string()])),
});
type Domain = z.infer<typeof domainSchema>;

/**
 * The domain lines resolved against the default dictionary. Their records in a full load: the default entry first (its
 * tag stays), then the domain line (its frequency wins). Looking each term up reads a few hundred blocks of the
 * dictionary, so the result is kept in `.cache/` for the next start with the same terms.
 */
function resolveDomain(dict: CompactDictionary, lines: string[]): Domain {
  const key = createHash('sha256').update(`${dict.id}\n${lines.join('\n')}`).digest('hex').slice(0, 32);
  const file = join(CACHE_DIR, 'jieba-domain.json');
  try {
    const cached = domainSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (cached.key === key && cached.found.every(([i]) => i < dict.count)) return cached;
  } catch {
    // Missing, damaged or another corpus's: resolved below.
  }
  const freqs = new Map<string, number>();
  const found: [number, string][] = [];
  let total = dict.total;
  lines.forEach((line, n) => {
    const e = parseDictLine(line, n + 1);
    if (!e) return;
    if (!freqs.has(e.word)) {
      const i = dict.find(e.word);
      if (i >= 0) {
        found.push([i, dictEntry(dict, i)]);
        total -= dict.freq(i);
      }
    }
    freqs.set(e.word, e.freq);
  });
  let loadedSum = 0;
  for (const freq of freqs.values()) loadedSum += freq;
  const domain = { key, total: total + loadedSum, loadedSum, found };
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(domain));
    renameSync(tmp, file);
  } catch {
    // Not writable: resolved again at the next start.
  }
  return domain;
}

/** A default word's line as dict.txt gives it ("word freq tag", or "word freq" with no tag). */
function dictEntry(dict: CompactDictionary, i: number): string {
  const tag = dict.tag(i);
  return `${dict.word(i)} ${dict.freq(i)}${tag ? ` ${tag}` : ''}`;
}

/** A jieba whose default-dictionary words are loaded as the texts it cuts need them. */
class LazyJieba {
  readonly jieba = new Jieba();
  /** Characters of new text looked up so far. */
  lookedUp = 0;
  private readonly loaded: Uint8Array;
  private readonly seen = new Set<string>();
  /** Sum of the frequencies of the records loaded, the placeholder aside. */
  private loadedSum = 0;
  private readonly total: number;

  constructor(
    private readonly dict: CompactDictionary,
    domainTerms: string[],
  ) {
    this.loaded = new Uint8Array(dict.count);
    const lines = domainLines(domainTerms);
    const domain = resolveDomain(dict, lines);
    for (const [i] of domain.found) this.loaded[i] = 1;
    this.loadedSum = domain.loadedSum;
    this.total = domain.total;
    this.load([...domain.found.map(([, entry]) => entry), ...lines]);
  }

  /** Loads the dictionary words the text contains that are not loaded yet. */
  prepare(text: string): void {
    if (this.seen.has(text)) return;
    if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
    this.seen.add(text);
    this.lookedUp += text.length;
    const lines: string[] = [];
    this.dict.wordsIn(text, (i) => {
      if (this.loaded[i]) return;
      this.loaded[i] = 1;
      this.loadedSum += this.dict.freq(i);
      lines.push(dictEntry(this.dict, i));
    });
    if (lines.length) this.load(lines);
  }

  /** Loads lines, and the placeholder's frequency so that the sum of all records is the full total. */
  private load(lines: string[]): void {
    lines.push(`${PLACEHOLDER} ${this.total - this.loadedSum} x`);
    this.jieba.loadDict(Buffer.from(lines.join('\n')));
  }
}

/** Builds a segmenter whose dictionary includes the given domain terms. */
export function createSegmenter(domainTerms: string[], options: SegmenterOptions = {}): Segmenter {
  const { dictionary: mode = 'auto', fullAfter = 400_000 } = options;
  let lazy: LazyJieba | undefined;
  let full: Jieba | undefined;
  if (mode !== 'full') {
    try {
      lazy = new LazyJieba(openDefaultDictionary(), domainTerms);
    } catch {
      // No usable compact dictionary (an unreadable dict.txt fails below as well, with its own message).
    }
  }
  /** The jieba to cut this text with, its words loaded. */
  const jiebaFor = (text: string): Jieba => {
    if (full) return full;
    if (lazy) {
      try {
        lazy.prepare(text);
        if (mode === 'lazy' || lazy.lookedUp < fullAfter) return lazy.jieba;
      } catch (err) {
        // A damaged block of the cache file: the whole dictionary from dict.txt cuts alike (the file is rebuilt next start).
        if (!(err instanceof DamagedDictionary)) throw err;
      }
      lazy = undefined;
    }
    full = fullJieba(domainTerms);
    return full;
  };
  const clean = (ws: string[]) => ws.map((w) => w.trim().toLowerCase()).filter((w) => w && !/^[\p{P}\p{S}\s]+$/u.test(w));
  // A question's words, phrases and glossary words are cut many times while it is answered (the 90 eval questions: 1,795
  // cuts for search of 427 texts); a short text's cut is kept, and each caller gets its own copy.
  const terms = remembered((text: string) => clean(jiebaFor(text).cutForSearch(text, true)).filter((w) => !STOP.has(w)));
  const words = remembered((text: string) => clean(jiebaFor(text).cut(text, true)));
  const tagged = [false, true].map((hmm) => remembered((text: string) => jiebaFor(text).tag(text, hmm).map((w) => ({ word: w.word.toLowerCase(), tag: w.tag }))));
  return {
    terms: (text) => terms(text).slice(),
    words: (text) => words(text).slice(),
    tagged: (text, hmm = true) => tagged[hmm ? 1 : 0](text).map((w) => ({ ...w })),
  };
}

/** Cuts of texts up to 200 characters, remembered (up to 4,096 texts, then forgotten all at once). */
function remembered<T>(cut: (text: string) => T): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    if (text.length > 200) return cut(text);
    let out = kept.get(text);
    if (out === undefined) {
      if (kept.size >= 4096) kept.clear();
      kept.set(text, (out = cut(text)));
    }
    return out;
  };
}
