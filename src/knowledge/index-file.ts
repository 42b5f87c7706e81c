/**
 * The index file (data/search-index.bin): what a start opens instead of parsing index.json. One binary file written
 * by `ingest` (and by a start that finds it missing, stale or damaged), laid out so that a start reads only what
 * retrieval needs and leaves clause bodies on disk:
 *
 *   prefix (24 bytes): magic, format, where the header is and how long
 *   hot sections, read at once: where each term's postings start, each unit's length, its metadata as indexes into a
 *     string table, which kinds of fact it holds and whether it has a body, where its text and its body start, the
 *     vocabulary and the string table
 *   cold sections, read when needed: each term's postings (unit ids, and codes of the few distinct weights), read a
 *     term at a time when a search first needs it; each unit's text (UTF-8); each unit's body (original script, table
 *     fields, facts) as a small JSON array; and the corpus text `knows` looks terms up in
 *   header (JSON, validated with zod): documents, dictionary, counts, section places, and the sources it was built from
 *
 * Search filters look at many candidate units (whether it states an amount, its text), so the kinds of fact stay in
 * memory and texts are kept in a large cache; what only the few units answered from need is left on disk.
 *
 * A file from other code (format or key), other sources (a changed policy file or glossary) or whose bytes do not hold
 * together is not used; the caller rebuilds it. The file stays open while its knowledge is in use, so a file replaced
 * by a later ingest or a console upload does not change under a running process.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.ts';
import { fingerprint, hashSources, INGEST_CODE, sameFingerprint, type Fingerprint } from './policy-loader.ts';
import { documentSchema, factSchema, indexSchema, unitSchema, type KnowledgeIndex, type PolicyDocument, type Unit } from './policy-schema.ts';
import { corpusTextOf, type OpenedTables, type PostingList, type SearchTables } from './search.ts';
import { StoredUnit, type UnitBody } from './stored-unit.ts';

/** "PZIX" read as a little-endian 32-bit number. */
const MAGIC = 0x58495a50;
/** Format version; a change makes every older file stale. */
const FORMAT = 3;
const PREFIX = 24;
/** Unit bodies kept decoded, the most recently used (a question reads a few dozen). */
const CACHED_BODIES = 4096;

/** Code whose change changes what the file holds: the terms and weights, and this layout. */
const CODE = ['./search.ts', './index-file.ts', './stored-unit.ts', '../nlu/segmenter.ts'].map((f) => new URL(f, import.meta.url));

const SECTIONS = ['offsets', 'lens', 'unitMeta', 'textAt', 'extras', 'bodyAt', 'vocabulary', 'strings', 'texts', 'docs', 'tfCodes', 'bodies', 'corpus'] as const;
type Section = (typeof SECTIONS)[number];
/** Sections read at open; the rest are read when needed. */
const HOT: readonly Section[] = SECTIONS.slice(0, 8);
/** Unit texts kept decoded, the most recently used (a search filter may read a few thousand). */
const CACHED_TEXTS = 16_384;
/** Fields of a unit's metadata row: six string-table indexes, then the kind's index and the line. */
const META_FIELDS = 8;
const KINDS = unitSchema.shape.kind.options;

const headerSchema = z.object({
  format: z.literal(FORMAT),
  key: z.string(),
  sourceHash: z.string(),
  sources: z.record(z.string(), z.tuple([z.number(), z.number()])),
  documents: z.array(documentSchema),
  dictionary: z.array(z.string()),
  spellings: indexSchema.shape.spellings,
  units: z.number().int().nonnegative(),
  terms: z.number().int().nonnegative(),
  postings: z.number().int().nonnegative(),
  strings: z.number().int().nonnegative(),
  tfValues: z.array(z.number().positive()),
  sections: z.object(Object.fromEntries(SECTIONS.map((s) => [s, z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])])) as Record<Section, z.ZodTuple<[z.ZodNumber, z.ZodNumber]>>),
});
type Header = z.infer<typeof headerSchema>;

const FACT_TYPES = new Set<string>(factSchema.shape.type.options);

/**
 * Whether a body read from the file has the stored shape (original, fields and facts, 0 when absent). A hand check of
 * what index.json's zod schema checked at ingest: zod costs 80 µs a unit here, and a question may read dozens.
 */
function isBody(x: unknown): x is UnitBody {
  if (!Array.isArray(x) || x.length !== 3 || (x[0] !== 0 && typeof x[0] !== 'string')) return false;
  const [, fields, facts] = x as unknown[];
  if (fields !== 0 && (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.values(fields).some((v) => typeof v !== 'string'))) return false;
  if (facts === 0) return true;
  return Array.isArray(facts) && facts.every((f: Record<string, unknown>) => typeof f === 'object' && f !== null && FACT_TYPES.has(f.type as string) && typeof f.text === 'string' && Number.isInteger(f.sentence) && typeof f.clause === 'string' && (f.value === undefined || typeof f.value === 'number') && (f.per === undefined || typeof f.per === 'string') && (f.bound === undefined || f.bound === 'min' || f.bound === 'max'));
}

/** Path of the index file in a data directory. */
export function indexFilePath(dataDir: string): string {
  return join(dataDir, 'search-index.bin');
}

/** The key a file must carry to be read by this code. */
function codeKey(): string {
  const h = createHash('sha256').update(`${FORMAT}\n`);
  for (const f of [...CODE, ...INGEST_CODE]) if (existsSync(f)) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/** Bytes of a section's contents, aligned so a typed array can be laid over them. */
function align(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * Writes the index file for an index and its search tables (atomically: a reader sees the old file or the new one).
 * `sources` is the fingerprint of the source files the index was built from, taken before they were read; when it is
 * left out the file is checked against the sources' contents at every start. False if the file could not be written.
 */
export function writeIndexFile(dataDir: string, index: KnowledgeIndex, tables: SearchTables, sources: Fingerprint = {}): boolean {
  const path = indexFilePath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    const { units } = index;
    const strings: string[] = [];
    const stringIds = new Map<string, number>();
    const str = (s: string) => {
      let id = stringIds.get(s);
      if (id === undefined) {
        if (s.includes('\0')) throw new Error('a string holds a NUL character');
        stringIds.set(s, (id = strings.length));
        strings.push(s);
      }
      return id;
    };
    const unitMeta = new Int32Array(units.length * META_FIELDS);
    const bodyAt = new Float64Array(units.length + 1);
    const textAt = new Float64Array(units.length + 1);
    const extras = new Uint32Array(units.length);
    const texts = new Appender();
    const bodies = new Appender();
    units.forEach((u, i) => {
      unitMeta.set([str(u.id), str(u.docId), str(u.title), str(u.region), str(u.article), str(u.heading), KINDS.indexOf(u.kind), u.line], i * META_FIELDS);
      textAt[i + 1] = texts.append(u.text);
      extras[i] = extrasOf(u);
      bodyAt[i + 1] = extras[i] & HAS_BODY ? bodies.append(JSON.stringify([u.original ?? 0, u.fields ?? 0, u.facts ?? 0] satisfies UnitBody)) : bodyAt[i];
    });
    if (tables.vocabulary.some((t) => t.includes('\0'))) throw new Error('a term holds a NUL character');
    const contents: Record<Section, Uint8Array> = {
      offsets: bytesOf(tables.offsets),
      docs: bytesOf(tables.docs),
      tfCodes: bytesOf(tables.tfCodes),
      lens: bytesOf(tables.lens),
      unitMeta: bytesOf(unitMeta),
      textAt: bytesOf(textAt),
      extras: bytesOf(extras),
      bodyAt: bytesOf(bodyAt),
      vocabulary: Buffer.from(tables.vocabulary.join('\0')),
      strings: Buffer.from(strings.join('\0')),
      texts: texts.bytes(),
      bodies: bodies.bytes(),
      corpus: Buffer.from(corpusTextOf(units)),
    };
    let at = PREFIX;
    const sections = {} as Header['sections'];
    for (const s of SECTIONS) {
      sections[s] = [at, contents[s].length];
      at = align(at + contents[s].length);
    }
    const header: Header = {
      format: FORMAT,
      key: codeKey(),
      sourceHash: index.sourceHash,
      sources,
      documents: index.documents,
      dictionary: index.dictionary,
      spellings: index.spellings,
      units: units.length,
      terms: tables.vocabulary.length,
      postings: tables.docs.length,
      strings: strings.length,
      tfValues: [...tables.tfValues],
      sections,
    };
    const headerBytes = Buffer.from(JSON.stringify(header));
    const prefix = Buffer.alloc(PREFIX);
    prefix.writeUInt32LE(MAGIC, 0);
    prefix.writeUInt32LE(FORMAT, 4);
    prefix.writeDoubleLE(at, 8);
    prefix.writeUInt32LE(headerBytes.length, 16);
    fd = openSync(tmp, 'w');
    writeSync(fd, prefix, 0, PREFIX, 0);
    for (const s of SECTIONS) writeSync(fd, contents[s], 0, contents[s].length, sections[s][0]);
    writeSync(fd, headerBytes, 0, headerBytes.length, at);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    return true;
  } catch {
    // A read-only or full data directory: the next start builds it again, nothing else is lost.
    try {
      if (fd !== undefined) closeSync(fd);
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

/** Bits of a unit's `extras`: one per kind of fact it holds (FACT_BITS), and whether it has each part of a body. */
const FACT_BITS = new Map(factSchema.shape.type.options.map((t, k) => [t as string, 1 << k]));
const HAS_ORIGINAL = 1 << 20;
const HAS_FIELDS = 1 << 21;
const HAS_FACTS = 1 << 22;
const HAS_BODY = HAS_ORIGINAL | HAS_FIELDS | HAS_FACTS;

/** A unit's `extras` bits. */
function extrasOf(u: Unit): number {
  let bits = (u.original !== undefined ? HAS_ORIGINAL : 0) | (u.fields !== undefined ? HAS_FIELDS : 0) | (u.facts !== undefined ? HAS_FACTS : 0);
  for (const f of u.facts ?? []) bits |= FACT_BITS.get(f.type) ?? 0;
  return bits;
}

/** Texts encoded as UTF-8 one after another into one buffer, grown when full (no buffer per text). */
class Appender {
  private buf = Buffer.allocUnsafe(1 << 20);
  private length = 0;

  /** Appends a text; returns the length so far, in bytes. */
  append(text: string): number {
    if (this.length + text.length * 3 > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + text.length * 3));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    this.length += this.buf.write(text, this.length);
    return this.length;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** The bytes of a typed array. */
function bytesOf(a: Int32Array | Uint16Array | Uint32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Why an index file was not opened: there is none, it was made from other sources or code, or it is damaged. */
export type NotOpened = { reason: 'missing' | 'stale' } | { reason: 'damaged'; detail: string };

/** An opened index file: documents, units and search tables, with clause bodies read from disk as they are needed. */
export class IndexFile {
  readonly documents: PolicyDocument[];
  readonly dictionary: string[];
  readonly spellings: Record<string, string>;
  readonly units: Unit[];
  readonly tables: OpenedTables;
  private readonly bodyAt: Float64Array;
  private readonly textAt: Float64Array;
  private readonly extras: Uint32Array;
  private readonly texts = new Map<number, string>();
  private readonly cache = new Map<number, UnitBody>();
  private reported = false;

  constructor(
    private readonly fd: number,
    private readonly path: string,
    private readonly header: Header,
    hot: Buffer,
  ) {
    const h = header;
    const view = <T>(s: Section, make: (buffer: ArrayBufferLike, at: number, length: number) => T, bytes: number) => make(hot.buffer, hot.byteOffset + h.sections[s][0], h.sections[s][1] / bytes);
    const text = (s: Section) => hot.toString('utf8', h.sections[s][0], h.sections[s][0] + h.sections[s][1]);
    const offsets = view('offsets', (b, a, n) => new Int32Array(b, a, n), 4);
    const lens = view('lens', (b, a, n) => new Float64Array(b, a, n), 8);
    const meta = view('unitMeta', (b, a, n) => new Int32Array(b, a, n), 4);
    this.bodyAt = view('bodyAt', (b, a, n) => new Float64Array(b, a, n), 8);
    this.textAt = view('textAt', (b, a, n) => new Float64Array(b, a, n), 8);
    this.extras = view('extras', (b, a, n) => new Uint32Array(b, a, n), 4);
    const vocabulary = h.terms ? text('vocabulary').split('\0') : [];
    const strings = h.strings ? text('strings').split('\0') : [];
    this.tables = { vocabulary, offsets, tfValues: Float64Array.from(h.tfValues), lens, postingsOf: (id) => this.postingsOf(id) };
    const problem = checkTables(h, this.tables, meta, strings, this.bodyAt, this.textAt, this.extras);
    if (problem) throw new DataError(path, problem, 'the index file does not hold together');
    this.documents = h.documents;
    this.dictionary = h.dictionary;
    this.spellings = h.spellings;
    this.units = new Array<Unit>(h.units);
    for (let i = 0; i < h.units; i++) {
      const m = i * META_FIELDS;
      this.units[i] = new StoredUnit(strings[meta[m]], strings[meta[m + 1]], strings[meta[m + 2]], strings[meta[m + 3]], strings[meta[m + 4]], strings[meta[m + 5]], KINDS[meta[m + 6]], meta[m + 7], this, i);
    }
  }

  /** One term's postings, read from disk and checked: its units ascend and exist, its weight codes name weights. */
  postingsOf(id: number): PostingList {
    const { offsets } = this.tables;
    const from = offsets[id];
    const n = offsets[id + 1] - from;
    const docs = new Int32Array(n);
    const tfCodes = new Uint16Array(n);
    this.readInto(Buffer.from(docs.buffer), this.header.sections.docs[0] + from * 4);
    this.readInto(Buffer.from(tfCodes.buffer), this.header.sections.tfCodes[0] + from * 2);
    const units = this.header.units;
    const weights = this.header.tfValues.length;
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const d = docs[i];
      if (d <= prev || d >= units || tfCodes[i] >= weights) throw this.damaged(`postings of term ${id}`);
      prev = d;
    }
    return { docs, tfCodes };
  }

  /** The text of unit `i`, read from disk the first time and kept while it is among the recently used. */
  text(i: number): string {
    let text = this.texts.get(i);
    if (text !== undefined) {
      this.texts.delete(i);
    } else {
      text = this.read(this.header.sections.texts[0] + this.textAt[i], this.textAt[i + 1] - this.textAt[i]).toString('utf8');
      if (this.texts.size >= CACHED_TEXTS) this.texts.delete(this.texts.keys().next().value!);
    }
    this.texts.set(i, text);
    return text;
  }

  /** Whether unit `i` holds a fact of one of the types (no body is read). */
  holdsFactOf(i: number, types: readonly string[]): boolean {
    const bits = this.extras[i];
    return types.some((t) => (bits & (FACT_BITS.get(t) ?? 0)) !== 0);
  }

  /** The stored body of unit `i`, read from disk the first time and kept while it is among the recently used. */
  body(i: number): UnitBody {
    if ((this.extras[i] & HAS_BODY) === 0) return NO_BODY;
    let body = this.cache.get(i);
    if (body) {
      this.cache.delete(i);
    } else {
      const [at] = this.header.sections.bodies;
      const bytes = this.read(at + this.bodyAt[i], this.bodyAt[i + 1] - this.bodyAt[i]);
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (!isBody(parsed)) throw this.damaged(`unit ${i}`);
      body = parsed;
      if (this.cache.size >= CACHED_BODIES) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(i, body);
    return body;
  }

  /**
   * The error for a part of the file found damaged while in use. The first one is reported on stderr and the file is
   * removed (if it is still the one this process opened), so the next start rebuilds it; the question gets the polite
   * reply of a failed answer, never a wrong one.
   */
  private damaged(where: string): DataError {
    const err = new DataError(this.path, where, 'the index file is damaged; it is rebuilt at the next start (or run `npm run cli -- ingest`)');
    if (!this.reported) {
      this.reported = true;
      process.stderr.write(`政策索引文件已损坏，下次启动时重建 / ${err.message}\n`);
      try {
        if (statSync(this.path).ino === fstatSync(this.fd).ino) unlinkSync(this.path);
      } catch {
        // already replaced or removed
      }
    }
    return err;
  }

  /** The corpus text, read from disk (see corpusTextOf). */
  corpusText(): Buffer {
    const [at, length] = this.header.sections.corpus;
    return this.read(at, length);
  }

  private read(at: number, length: number): Buffer {
    return this.readInto(Buffer.allocUnsafe(length), at);
  }

  /** Fills a buffer from the file at a position. */
  private readInto(buf: Buffer, at: number): Buffer {
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, at + done);
      if (n === 0) throw this.damaged(`byte ${at + done}`);
      done += n;
    }
    return buf;
  }
}

/** The body of a unit with no original, fields or facts. */
const NO_BODY: UnitBody = [0, 0, 0];

/** Closes a file once the knowledge using it is gone. */
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/** What is wrong with the opened tables, or undefined when they hold together. */
function checkTables(h: Header, t: OpenedTables, meta: Int32Array, strings: string[], bodyAt: Float64Array, textAt: Float64Array, extras: Uint32Array): string | undefined {
  if (t.vocabulary.length !== h.terms || strings.length !== h.strings) return 'vocabulary';
  if (t.offsets.length !== h.terms + 1 || h.sections.docs[1] !== h.postings * 4 || h.sections.tfCodes[1] !== h.postings * 2 || t.lens.length !== h.units) return 'tables';
  if (t.offsets[0] !== 0 || t.offsets[h.terms] !== h.postings) return 'offsets';
  // (Each term's postings are checked when they are read.)
  for (let id = 0; id < h.terms; id++) if (t.offsets[id + 1] < t.offsets[id]) return 'offsets';
  if (meta.length !== h.units * META_FIELDS) return 'unitMeta';
  for (let i = 0; i < h.units; i++) {
    const m = i * META_FIELDS;
    for (let f = 0; f < 6; f++) if (meta[m + f] < 0 || meta[m + f] >= h.strings) return 'unitMeta';
    if (meta[m + 6] < 0 || meta[m + 6] >= KINDS.length || meta[m + 7] < 1) return 'unitMeta';
  }
  if (bodyAt.length !== h.units + 1 || bodyAt[0] !== 0 || bodyAt[h.units] !== h.sections.bodies[1]) return 'bodyAt';
  if (textAt.length !== h.units + 1 || textAt[0] !== 0 || textAt[h.units] !== h.sections.texts[1]) return 'textAt';
  if (extras.length !== h.units) return 'extras';
  for (let i = 0; i < h.units; i++) {
    if (!(textAt[i + 1] > textAt[i])) return 'textAt';
    // A unit with a body has bytes of it; one with none has none.
    if ((extras[i] & HAS_BODY) === 0 ? bodyAt[i + 1] !== bodyAt[i] : !(bodyAt[i + 1] > bodyAt[i])) return 'bodyAt';
  }
  return undefined;
}

/** Whether the sources are those the file was made from (unreadable sources: not; the rebuild then says why). */
function fromSources(dataDir: string, header: Header): boolean {
  try {
    return sameFingerprint(fingerprint(dataDir), header.sources) || hashSources(join(dataDir, 'policies')) === header.sourceHash;
  } catch {
    return false;
  }
}

/**
 * Opens the index file of a data directory when it was made by this code from the sources there now: sources whose
 * sizes and times match the file's fingerprint are taken as unchanged, others are hashed and compared.
 */
export function openIndexFile(dataDir: string): IndexFile | NotOpened {
  const path = indexFilePath(dataDir);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { reason: 'missing' };
  }
  const fail = (r: NotOpened): NotOpened => {
    closeSync(fd);
    return r;
  };
  try {
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(PREFIX);
    const got = readSync(fd, prefix, 0, PREFIX, 0);
    // The search snapshot this file replaced (node's v8 serializer, which writes 0xff first) is an older format.
    if (got > 0 && prefix[0] === 0xff) return fail({ reason: 'stale' });
    if (got !== PREFIX || prefix.readUInt32LE(0) !== MAGIC) return fail({ reason: 'damaged', detail: 'not an index file' });
    if (prefix.readUInt32LE(4) !== FORMAT) return fail({ reason: 'stale' });
    const headerAt = prefix.readDoubleLE(8);
    const headerLength = prefix.readUInt32LE(16);
    if (!Number.isSafeInteger(headerAt) || headerAt + headerLength !== size) return fail({ reason: 'damaged', detail: 'its length is not the length written' });
    const headerBytes = Buffer.alloc(headerLength);
    if (readSync(fd, headerBytes, 0, headerLength, headerAt) !== headerLength) return fail({ reason: 'damaged', detail: 'its header cannot be read' });
    const parsed = headerSchema.safeParse(JSON.parse(headerBytes.toString('utf8')));
    if (!parsed.success) return fail({ reason: 'damaged', detail: `header ${parsed.error.issues[0]?.path.join('.') || ''}: ${parsed.error.issues[0]?.message ?? ''}` });
    const header = parsed.data;
    if (header.key !== codeKey()) return fail({ reason: 'stale' });
    if (!fromSources(dataDir, header)) return fail({ reason: 'stale' });
    let end = PREFIX;
    for (const s of SECTIONS) {
      const [at, length] = header.sections[s];
      if (at < end || at % 8 !== 0 || at + length > headerAt) return fail({ reason: 'damaged', detail: `section ${s} is out of place` });
      end = at + length;
    }
    const hotEnd = Math.max(...HOT.map((s) => header.sections[s][0] + header.sections[s][1]));
    // One read of every section a start needs, into a buffer of its own so typed arrays can be laid over it as they are.
    const hot = Buffer.from(new ArrayBuffer(hotEnd));
    let done = PREFIX;
    while (done < hotEnd) {
      const n = readSync(fd, hot, done, hotEnd - done, done);
      if (n === 0) return fail({ reason: 'damaged', detail: 'it ends early' });
      done += n;
    }
    const file = new IndexFile(fd, path, header, hot);
    closer.register(file, fd);
    return file;
  } catch (e) {
    return fail({ reason: 'damaged', detail: e instanceof DataError ? e.message : (e as Error).message });
  }
}
