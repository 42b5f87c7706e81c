/**
 * jieba's default dictionary (dict.txt, 349k words) in a compact sorted binary form that is opened, not parsed: the
 * distinct words in string order (UTF-16), in blocks of 64 with their frequencies and tags, and a directory of each block's
 * first word. Opening reads the directory (about 100 KB); a lookup binary-searches the directory, then reads and keeps
 * the one block it needs. The file is built from dict.txt on first use into `.cache/` and rebuilt when missing, damaged
 * or made from another dict.txt.
 *
 * Entries are resolved as jieba-rs's `load_dict` resolves them: a repeated word keeps its first tag and its last
 * frequency; a missing frequency is 0, a missing tag "". `total` is the sum of the resolved frequencies, which is the
 * total jieba computes after loading the file.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Bumped whenever the layout below changes, so an older cache is rebuilt. */
const FORMAT = 4;
const MAGIC = 'JBDC';

/** Rust's `char::is_whitespace` (Unicode White_Space), which `split_whitespace` uses in jieba-rs's dictionary reader. */
export const RUST_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** One dictionary line as jieba-rs reads it: word, frequency (0 when absent), tag ("" when absent); undefined for a blank line. */
export function parseDictLine(line: string, lineNo: number): { word: string; freq: number; tag: string } | undefined {
  const tokens = line.split(RUST_WHITESPACE).filter((t) => t !== '');
  if (!tokens.length) return undefined;
  const [word, f, tag = ''] = tokens;
  if (f !== undefined && !/^\+?\d+$/.test(f)) throw new Error(`jieba dictionary line ${lineNo}: frequency ${f} is not a valid integer`);
  const freq = f === undefined ? 0 : Number(f);
  if (!Number.isSafeInteger(freq)) throw new Error(`jieba dictionary line ${lineNo}: frequency ${f} is too large`);
  return { word, freq, tag };
}

/** Where the default dictionary comes from, and what makes a cache of it current. */
interface Source {
  path: string;
  size: number;
  mtimeMs: number;
  version: string;
}

const headerSchema = z.object({
  format: z.literal(FORMAT),
  source: z.object({ size: z.number(), mtimeMs: z.number(), version: z.string() }),
  count: z.number().int().nonnegative(),
  total: z.number().nonnegative(),
  tags: z.array(z.string()),
  block: z.number().int().positive(),
  blocks: z.number().int().nonnegative(),
  dirAt: z.number().int().nonnegative().multipleOf(8),
  dirBytes: z.number().int().nonnegative(),
  /** FNV-1a of the directory's bytes. */
  dirSum: z.number().int().nonnegative(),
  blocksAt: z.number().int().nonnegative().multipleOf(8),
  blocksBytes: z.number().int().nonnegative(),
});
type Header = z.infer<typeof headerSchema>;

/** The compact dictionary: sorted distinct words with their resolved frequency and tag. */
export interface CompactDictionary {
  /** What the dictionary was built from (its format and source), for keys of what is derived from it. */
  readonly id: string;
  /** Number of distinct words. */
  readonly count: number;
  /** Sum of the resolved frequencies (jieba's total after loading dict.txt). */
  readonly total: number;
  /** Index of a word, or -1. */
  find(word: string): number;
  /** The word at an index. */
  word(i: number): string;
  /** Resolved frequency of the word at an index. */
  freq(i: number): number;
  /** Tag of the word at an index ("" when dict.txt gives none). */
  tag(i: number): string;
  /** Calls `visit` with the index of every dictionary word that occurs in the text (a word may be visited more than once). */
  wordsIn(text: string, visit: (i: number) => void): void;
}

/** The installed jieba package's dict.txt and what identifies it. */
function defaultSource(): Source {
  const pkg = createRequire(import.meta.url).resolve('@node-rs/jieba/package.json');
  const path = join(dirname(pkg), 'dict.txt');
  const st = statSync(path);
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '';
  return { path, size: st.size, mtimeMs: st.mtimeMs, version };
}

/** jieba's default dict.txt, read alone (the package's dict.js also reads its 6 MB idf table, which is never used here). */
export function defaultDictText(): Buffer {
  return readFileSync(defaultSource().path);
}

/** The checkout's cache of files derived from installed packages (ignored by git). */
export const CACHE_DIR = fileURLToPath(new URL('../../.cache/', import.meta.url));
const CACHE_FILE = join(CACHE_DIR, 'jieba-dict.bin');

/** Compares two ranges of UTF-16 code units lexicographically: the order of JavaScript's string comparison. */
function compareUnits(a: Uint16Array, as: number, ae: number, b: Uint16Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let k = 0; k < n; k++) {
    const d = a[as + k] - b[bs + k];
    if (d) return d;
  }
  return ae - as - (be - bs);
}

/** A text's UTF-16 code units, lone surrogates replaced by U+FFFD as its UTF-8 form for jieba replaces them. */
function unitsOf(text: string): Uint16Array {
  const t = text.replace(/\p{Cs}/gu, '\uFFFD');
  const units = new Uint16Array(t.length);
  for (let k = 0; k < t.length; k++) units[k] = t.charCodeAt(k);
  return units;
}

/** FNV-1a (32-bit) of bytes: each block's and the directory's check against a damaged file. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < bytes.length; k++) h = Math.imul(h ^ bytes[k], 0x01000193);
  return h >>> 0;
}

/** A block of the cache file that no longer matches its checksum (found when the block is first read). */
export class DamagedDictionary extends Error {}

/** Words per block: a lookup reads one block of about 1.2 KB. */
const BLOCK = 64;

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Resolves dict.txt's entries as jieba-rs does; the words come back in string order. */
function resolveEntries(dictText: Uint8Array): { words: string[]; entries: Map<string, { freq: number; tag: string }> } {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(dictText);
  const entries = new Map<string, { freq: number; tag: string }>();
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const e = parseDictLine(line, lineNo);
    if (!e) continue;
    const seen = entries.get(e.word);
    if (seen) seen.freq = e.freq;
    else entries.set(e.word, { freq: e.freq, tag: e.tag });
  }
  return { words: [...entries.keys()].sort(), entries };
}

/**
 * Builds the binary form of a dict.txt. Layout (little-endian): "JBDC", the header's length (u32) and the header (JSON);
 * at `dirAt` the directory: each block's offset from `blocksAt` in bytes (u32, one more than the blocks), the offsets of
 * each block's first word in code units (u32, likewise), each block's FNV-1a (u32, likewise) and those first words
 * (UTF-16); at `blocksAt` the blocks, each 8-byte
 * aligned: the word count n (u32, then 4 bytes of padding), the frequencies (f64 × n), the words' offsets in code units
 * (u32 × n + 1), their tag numbers (u16 × n) and the words (UTF-16 code units), in JavaScript's string order.
 */
export function buildCompact(dictText: Uint8Array, source: Omit<Source, 'path'>): Buffer {
  const { words, entries } = resolveEntries(dictText);
  const count = words.length;
  const tagIds = new Map<string, number>();
  let total = 0;
  const blocks: Uint8Array[] = [];
  for (let b = 0; b * BLOCK < count; b++) {
    const part = words.slice(b * BLOCK, (b + 1) * BLOCK);
    const n = part.length;
    const units = part.reduce((sum, w) => sum + w.length, 0);
    const buf = new ArrayBuffer(align8(8 + n * 8 + (n + 1) * 4 + n * 2 + units * 2));
    new Uint32Array(buf, 0, 1)[0] = n;
    const freqs = new Float64Array(buf, 8, n);
    const starts = new Uint32Array(buf, 8 + n * 8, n + 1);
    const tags = new Uint16Array(buf, 8 + n * 12 + 4, n);
    const chars = new Uint16Array(buf, 8 + n * 14 + 4, units);
    let pos = 0;
    part.forEach((w, i) => {
      const e = entries.get(w)!;
      if (!tagIds.has(e.tag)) tagIds.set(e.tag, tagIds.size);
      if (tagIds.size > 0xffff) throw new Error('jieba dictionary: too many distinct tags');
      total += e.freq;
      freqs[i] = e.freq;
      starts[i] = pos;
      tags[i] = tagIds.get(e.tag)!;
      for (let k = 0; k < w.length; k++) chars[pos + k] = w.charCodeAt(k);
      pos += w.length;
    });
    starts[n] = pos;
    blocks.push(new Uint8Array(buf));
  }
  const nBlocks = blocks.length;
  const firstWords = blocks.map((_, b) => words[b * BLOCK]);
  const keyUnits = firstWords.reduce((sum, w) => sum + w.length, 0);
  const dir = new ArrayBuffer((nBlocks + 1) * 12 + keyUnits * 2);
  const blockOffsets = new Uint32Array(dir, 0, nBlocks + 1);
  const keyOffsets = new Uint32Array(dir, (nBlocks + 1) * 4, nBlocks + 1);
  const sums = new Uint32Array(dir, (nBlocks + 1) * 8, nBlocks + 1);
  const keys = new Uint16Array(dir, (nBlocks + 1) * 12, keyUnits);
  blocks.forEach((block, b) => {
    sums[b] = fnv1a(block);
  });
  let blockPos = 0;
  let keyPos = 0;
  for (let b = 0; b <= nBlocks; b++) {
    blockOffsets[b] = blockPos;
    keyOffsets[b] = keyPos;
    if (b === nBlocks) break;
    blockPos += blocks[b].length;
    for (let k = 0; k < firstWords[b].length; k++) keys[keyPos + k] = firstWords[b].charCodeAt(k);
    keyPos += firstWords[b].length;
  }
  const headerOf = (dirAt: number): Header => ({
    format: FORMAT, source, count, total, tags: [...tagIds.keys()], block: BLOCK, blocks: nBlocks,
    dirAt, dirBytes: dir.byteLength, dirSum: fnv1a(new Uint8Array(dir)), blocksAt: align8(dirAt + dir.byteLength), blocksBytes: blockPos,
  });
  // The header's length depends on the offsets it holds: grow the room for it until it fits.
  let dirAt = 8;
  for (;;) {
    const need = align8(8 + Buffer.byteLength(JSON.stringify(headerOf(dirAt))));
    if (need <= dirAt) break;
    dirAt = need;
  }
  const header = headerOf(dirAt);
  const file = Buffer.alloc(header.blocksAt + blockPos);
  file.write(MAGIC, 0, 'latin1');
  const json = Buffer.from(JSON.stringify(header));
  file.writeUInt32LE(json.length, 4);
  json.copy(file, 8);
  file.set(new Uint8Array(dir), dirAt);
  let at = header.blocksAt;
  for (const block of blocks) {
    file.set(block, at);
    at += block.length;
  }
  return file;
}

/** Reads a byte range of the dictionary into a fresh (so aligned) array. */
type ReadAt = (pos: number, length: number) => Uint8Array;

/** A reader over a file descriptor, and the file's size. */
function fileReader(fd: number): { read: ReadAt; size: number } {
  return {
    size: fstatSync(fd).size,
    read(pos, length) {
      const out = new Uint8Array(length);
      if (readSync(fd, out, 0, length, pos) !== length) throw new Error('jieba dictionary cache: short read');
      return out;
    },
  };
}

/** Opens a binary form through a reader; undefined when it is damaged or was built from another source. */
export function openCompact(read: ReadAt, size: number, source?: Omit<Source, 'path'>, onDamage?: () => void): CompactDictionary | undefined {
  if (size < 8) return undefined;
  const start = read(0, 8);
  if (Buffer.from(start.buffer, 0, 4).toString('latin1') !== MAGIC) return undefined;
  const jsonLength = new DataView(start.buffer).getUint32(4, true);
  if (8 + jsonLength > size) return undefined;
  let header: Header;
  try {
    header = headerSchema.parse(JSON.parse(Buffer.from(read(8, jsonLength)).toString('utf8')));
  } catch {
    return undefined;
  }
  if (source && (header.source.size !== source.size || header.source.mtimeMs !== source.mtimeMs || header.source.version !== source.version)) return undefined;
  const { count, blocks, block, dirAt, dirBytes, blocksAt, blocksBytes } = header;
  if (blocks !== Math.ceil(count / block) || dirAt < 8 + jsonLength || dirAt + dirBytes > blocksAt || blocksAt + blocksBytes !== size) return undefined;
  if (dirBytes < (blocks + 1) * 12 || (dirBytes - (blocks + 1) * 12) % 2) return undefined;
  const dir = read(dirAt, dirBytes);
  if (fnv1a(dir) !== header.dirSum) return undefined;
  const blockOffsets = new Uint32Array(dir.buffer, 0, blocks + 1);
  const keyOffsets = new Uint32Array(dir.buffer, (blocks + 1) * 4, blocks + 1);
  const sums = new Uint32Array(dir.buffer, (blocks + 1) * 8, blocks + 1);
  const keys = new Uint16Array(dir.buffer, (blocks + 1) * 12, (dirBytes - (blocks + 1) * 12) / 2);
  if (blockOffsets[blocks] !== blocksBytes || keyOffsets[blocks] !== keys.length) return undefined;
  return compactDictionary(header, read, blockOffsets, keyOffsets, sums, keys, onDamage);
}

/** One block, read on first use. */
interface Block {
  n: number;
  freqs: Float64Array;
  starts: Uint32Array;
  tags: Uint16Array;
  chars: Uint16Array;
}

function compactDictionary(header: Header, read: ReadAt, blockOffsets: Uint32Array, keyOffsets: Uint32Array, sums: Uint32Array, keys: Uint16Array, onDamage?: () => void): CompactDictionary {
  const { count, total, tags, block: size, blocks: nBlocks, blocksAt } = header;
  const cache: (Block | undefined)[] = new Array(nBlocks);
  const blockAt = (b: number): Block => {
    let bl = cache[b];
    if (!bl) {
      const raw = read(blocksAt + blockOffsets[b], blockOffsets[b + 1] - blockOffsets[b]);
      const n = new DataView(raw.buffer).getUint32(0, true);
      const expected = b < nBlocks - 1 ? size : count - b * size;
      if (n !== expected || fnv1a(raw) !== sums[b]) {
        onDamage?.();
        throw new DamagedDictionary(`jieba dictionary cache: block ${b} is damaged`);
      }
      const starts = new Uint32Array(raw.buffer, 8 + n * 8, n + 1);
      bl = { n, freqs: new Float64Array(raw.buffer, 8, n), starts, tags: new Uint16Array(raw.buffer, 8 + n * 12 + 4, n), chars: new Uint16Array(raw.buffer, 8 + n * 14 + 4, starts[n]) };
      cache[b] = bl;
    }
    return bl;
  };
  /** First index whose word is ≥ key[s, e) (count when none is). */
  const lowerBound = (key: Uint16Array, s: number, e: number): number => {
    // The last block whose first word is ≤ the key, then the first word ≥ the key inside it.
    let lo = 0;
    let hi = nBlocks;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareUnits(keys, keyOffsets[mid], keyOffsets[mid + 1], key, s, e) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const b = lo - 1;
    if (b < 0) return 0;
    const bl = blockAt(b);
    let l = 0;
    let h = bl.n;
    while (l < h) {
      const mid = (l + h) >>> 1;
      if (compareUnits(bl.chars, bl.starts[mid], bl.starts[mid + 1], key, s, e) < 0) l = mid + 1;
      else h = mid;
    }
    return b * size + l;
  };
  /** 1 when the word at i equals key[s, e), 0 when it only starts with it, -1 otherwise. */
  const prefixOf = (i: number, key: Uint16Array, s: number, e: number): number => {
    const bl = blockAt(Math.floor(i / size));
    const j = i % size;
    const ws = bl.starts[j];
    const wl = bl.starts[j + 1] - ws;
    if (wl < e - s) return -1;
    for (let k = 0; k < e - s; k++) if (bl.chars[ws + k] !== key[s + k]) return -1;
    return wl === e - s ? 1 : 0;
  };
  return {
    id: JSON.stringify({ format: header.format, source: header.source }),
    count,
    total,
    find(word) {
      const key = unitsOf(word);
      const i = lowerBound(key, 0, key.length);
      return i < count && prefixOf(i, key, 0, key.length) === 1 ? i : -1;
    },
    word(i) {
      const bl = blockAt(Math.floor(i / size));
      const j = i % size;
      return String.fromCharCode(...bl.chars.subarray(bl.starts[j], bl.starts[j + 1]));
    },
    freq: (i) => blockAt(Math.floor(i / size)).freqs[i % size],
    tag: (i) => tags[blockAt(Math.floor(i / size)).tags[i % size]],
    wordsIn(text, visit) {
      const key = unitsOf(text);
      const n = key.length;
      for (let s = 0; s < n; s++) {
        // Extend the substring one code unit at a time while some word still starts with it (a word is well formed,
        // so it never ends between the halves of a surrogate pair).
        for (let e = s + 1; e <= n; e++) {
          const i = lowerBound(key, s, e);
          if (i === count) break;
          const p = prefixOf(i, key, s, e);
          if (p < 0) break;
          if (p === 1) visit(i);
        }
      }
    },
  };
}

/** The cache file's current form: opened when it matches the installed dict.txt, otherwise rebuilt and written. */
export function openDefaultDictionary(cacheFile: string = CACHE_FILE): CompactDictionary {
  const source = defaultSource();
  const { path, ...identity } = source;
  try {
    // The descriptor stays open for the process's life: blocks are read from it as texts need them, and a rebuild
    // by another process (a rename) leaves this file whole.
    const fd = openSync(cacheFile, 'r');
    const { read, size } = fileReader(fd);
    // A block found damaged later removes the file, so the next start builds it again.
    const opened = openCompact(read, size, identity, () => rmSync(cacheFile, { force: true }));
    if (opened) return opened;
    closeSync(fd);
  } catch {
    // Missing or unreadable: rebuilt below.
  }
  const built = buildCompact(readFileSync(path), identity);
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, built);
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only checkout still works: the dictionary is used from memory and built again at the next start.
    try {
      rmSync(`${cacheFile}.${process.pid}.tmp`, { force: true });
    } catch {
      // Nothing was written.
    }
  }
  return openCompact((pos, length) => new Uint8Array(built.subarray(pos, pos + length)), built.length)!;
}
