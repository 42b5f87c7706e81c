/** Reads policy files from `data/policies/`, validates their metadata and builds the knowledge index. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ZodError } from 'zod';
import { DataError } from '../errors.ts';
import { splitPart, type SourceLine } from './ingest.ts';
import { readMetadata, readSignature, squash } from './metadata.ts';
import { simplify } from '../nlu/normalize.ts';
import { alignLine, ownTextOf } from './own-script.ts';
import { buildDictionary } from './dictionary.ts';
import { spellPlaces } from './spellings.ts';
import { deriveAliases, deriveAwards, deriveValidity } from './derive.ts';
import { extractFacts, sentencesOf } from './facts.ts';
import { loadGlossary, loadPlaces, shortPlace, type Places } from './glossary.ts';
import {
  indexSchema,
  policyMetaSchema,
  unitSchema,
  type KnowledgeIndex,
  type PolicyDocument,
  type PolicyMeta,
  type Unit,
} from './policy-schema.ts';

/** Default location of the knowledge base, relative to the project root. */
export const DEFAULT_DATA_DIR = process.env.POLICY_DATA_DIR || new URL('../../data', import.meta.url).pathname;

/** Lists the policy text files in a directory, in name order. */
export function listPolicyFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
}

/** Source files whose code shapes the index; a change to them makes a built index stale too. */
export const INGEST_CODE = ['./ingest.ts', './own-script.ts', './metadata.ts', './dictionary.ts', './policy-schema.ts', './derive.ts', './facts.ts', './policy-loader.ts', './spellings.ts'].map((f) => new URL(f, import.meta.url));

/** Hash of every policy source file and of the ingest code, so a stale index can be detected. */
export function hashSources(dir: string): string {
  const h = createHash('sha256');
  for (const f of INGEST_CODE) if (existsSync(f)) h.update(readFileSync(f));
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.txt') || f.endsWith('.meta.json')).sort()) {
    h.update(f).update(readFileSync(join(dir, f)));
  }
  // The glossary shapes the dictionary; the gazetteer's places are spelled into the index.
  for (const data of ['glossary.json', 'places.json']) {
    const f = join(dir, '..', data);
    if (existsSync(f)) h.update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

/** Size and modification time of each source file hashSources reads, by path relative to the data directory. */
export type Fingerprint = Record<string, [number, number]>;

/** Size and modification time of every source file now (the policy files and the glossary). */
export function fingerprint(dataDir: string): Fingerprint {
  const out: Fingerprint = {};
  const files = readdirSync(join(dataDir, 'policies')).filter((f) => f.endsWith('.txt') || f.endsWith('.meta.json')).sort().map((f) => `policies/${f}`);
  for (const f of [...files, ...['glossary.json', 'places.json'].filter((d) => existsSync(join(dataDir, d)))]) {
    const s = statSync(join(dataDir, f));
    out[f] = [s.size, s.mtimeMs];
  }
  return out;
}

/** Whether two fingerprints name the same files with the same sizes and times. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && a[k][0] === b[k][0] && a[k][1] === b[k][1]);
}

/** The fingerprint of the sources each built index was read from, taken before they were read. */
const READ_FROM = new WeakMap<KnowledgeIndex, Fingerprint>();

/** The fingerprint of the sources an index was built from in this process, if it was. */
export function sourcesOf(index: KnowledgeIndex): Fingerprint | undefined {
  return READ_FROM.get(index);
}

/** Formats a zod error as "field: message" pairs. */
function describeZod(err: ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses the optional `---` metadata header of a policy file; returns the metadata and the first body line index. */
function parseHeader(file: string, lines: string[]): { meta: Record<string, unknown>; bodyStart: number } {
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (lines[i]?.trim() !== '---') return { meta: {}, bodyStart: 0 };
  const meta: Record<string, unknown> = {};
  for (let j = i + 1; j < lines.length; j++) {
    const t = lines[j].trim();
    if (t === '---') return { meta, bodyStart: j + 1 };
    if (!t || t.startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*[:：]\s*(.*)$/.exec(t);
    if (!m) throw new DataError(file, `line ${j + 1}`, `metadata header line must be "key: value", got "${t.slice(0, 40)}"`);
    meta[m[1]] = m[2].trim();
  }
  throw new DataError(file, `line ${i + 1}`, 'metadata header opened with "---" is never closed');
}

/** Derives the region (city or province) a title names. */
export function regionOf(title: string): string {
  const m = /^(.{2,6}?(?:省|自治区|市|州|县|区))/.exec(title.replace(/^[《“"]/, ''));
  return m ? m[1] : '';
}

/** The first place of the gazetteer a text names, as its full name ("关于组织申报2025年度绍兴市…" → 绍兴市). */
export function placeNamed(text: string, places: Places): string {
  let best: { at: number; full: string } | undefined;
  for (const full of [...places.provinces, ...Object.keys(places.cities)]) {
    for (const name of [full, shortPlace(full)]) {
      const at = text.indexOf(name);
      if (at >= 0 && (!best || at < best.at || (at === best.at && full.length > best.full.length))) best = { at, full };
    }
  }
  return best?.full ?? '';
}

/** The place a title or an issuer names: a gazetteer place first, else the leading "…市/省/县/区" (after "关于开展2026年度"). */
function placeOf(text: string, places: Places): string | undefined {
  return placeNamed(text, places) || regionOf(text) || regionOf(text.replace(NOTICE_OPENING, '')) || undefined;
}

/** The words a notice's title opens with before the place it concerns: "关于开展2026年度", "关于组织申报2025年". */
const NOTICE_OPENING = /^关于(?:组织|开展|做好|印发|转发|下达|公布|公示|申报|征集|推荐|评选|启动)*(?:\d{4}|[〇零一二三四五六七八九]{4})?(?:年度|年)?/;

/** Turns a file name into a document id. */
function idFromFile(file: string): string {
  const slug = basename(file, '.txt').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return slug || `doc-${createHash('sha1').update(file).digest('hex').slice(0, 8)}`;
}

/** Loads one policy file into documents and units; throws DataError naming the file and line or field. */
export function loadPolicyFile(dir: string, file: string, places: Places = loadPlaces(join(dir, '..'))): { documents: PolicyDocument[]; units: Unit[] } {
  const path = join(dir, file);
  const buf = readFileSync(path);
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  const badAt = text.indexOf('\uFFFD');
  if (badAt >= 0) {
    throw new DataError(file, `line ${text.slice(0, badAt).split('\n').length}`, 'not valid UTF-8 text');
  }
  if (text.includes('\u0000')) {
    throw new DataError(file, `line ${text.slice(0, text.indexOf('\u0000')).split('\n').length}`, 'contains a NUL byte; not a text file');
  }
  const rawLines = text.split(/\r?\n/);
  const { meta: headerMeta, bodyStart } = parseHeader(file, rawLines);
  const sidecar = join(dir, file.replace(/\.txt$/, '.meta.json'));
  let metaInput: Record<string, unknown> = { ...headerMeta };
  let metaFile = file;
  if (existsSync(sidecar)) {
    metaFile = basename(sidecar);
    try {
      metaInput = { ...JSON.parse(readFileSync(sidecar, 'utf8')), ...headerMeta };
    } catch (e) {
      throw new DataError(metaFile, 'json', (e as Error).message);
    }
  }
  const body: SourceLine[] = rawLines.slice(bodyStart).map((t, k) => ({ no: bodyStart + k + 1, text: t }));
  const firstLine = body.find((l) => l.text.trim() !== '');
  if (!firstLine) throw new DataError(file, `line ${bodyStart + 1}`, 'the document has no text');
  // What the text says about itself, read in Simplified characters; front matter or a sidecar only corrects it.
  const aligned = body.map((l) => alignLine(l.text));
  const plain = body.map((l, k) => ({ no: l.no, text: aligned[k].plain }));
  const read = readMetadata(plain);
  const fileId = idFromFile(file);
  metaInput.title ??= read.title;
  metaInput.id ??= fileId;
  let meta: PolicyMeta;
  try {
    meta = policyMetaSchema.parse(metaInput);
  } catch (e) {
    if (e instanceof ZodError) throw new DataError(metaFile, e.issues[0]?.path.join('.') || 'metadata', describeZod(e));
    throw e;
  }
  const tail = readSignature(plain);
  // A publication line's short source ("来源：区市场监管局") gives way to the signature that names the place in full.
  const bare = read.issuer && tail.issuer && !placeOf(read.issuer, places) && placeOf(tail.issuer, places);
  const issuer = meta.issuer ?? (bare ? tail.issuer : read.issuer) ?? tail.issuer;
  const title = simplify(meta.title);
  const region = meta.region ?? placeOf(title, places) ?? placeOf(issuer ?? '', places) ?? '';
  const derivedParts = read.parts.map((p, k) => ({ id: k === 0 ? meta.id : `${meta.id}-${k + 1}`, title: k === 0 ? title : p.title, start: p.start }));
  // Only a document whose text changed when read in Simplified characters has clauses in another script to keep.
  const converted = plain.some((l, k) => l.text !== body[k].text);
  const parts = meta.parts?.length
    ? meta.parts.map((p, k) => {
        const at = k === 0 && !p.startsWith ? 0 : plain.findIndex((l) => squash(l.text) === squash(simplify(p.startsWith)) || (squash(l.text).startsWith(squash(simplify(p.startsWith))) && squash(l.text).length <= squash(p.startsWith).length + 2));
        if (at < 0) throw new DataError(metaFile, `parts.${k}.startsWith`, `no line "${p.startsWith}" found in ${file}`);
        return { ...p, title: simplify(p.title), start: k === 0 ? 0 : at };
      })
    : derivedParts;
  const documents: PolicyDocument[] = [];
  const units: Unit[] = [];
  parts.forEach((p, k) => {
    const pm = p as Partial<PolicyMeta> & { id: string; title: string; start: number };
    const end = parts[k + 1]?.start ?? body.length;
    const lines = plain.slice(p.start, end);
    const partUnits = splitPart({ docId: pm.id, title: pm.title, region, lines }, { title: pm.title });
    // The part's converted text and its original, aligned, for laying each unit back onto the document's own script.
    // (Each unit reads a bounded stretch from its first line on, so a long document costs linear time.)
    const ownLines = aligned.slice(p.start, end);
    const converted = ownLines.some((a) => a.plain !== a.own);
    const plainStream = ownLines.map((a) => a.plain).join('\n');
    const ownStream = ownLines.map((a) => a.own).join('\n');
    const offsets = new Map<number, number>();
    ownLines.reduce((off, a, k) => (offsets.set(body[p.start + k].no, off), off + a.plain.length + 1), 0);
    const stretch = (u: Unit): [string, string] | undefined => {
      const off = offsets.get(u.line);
      if (off === undefined) return undefined;
      const until = off + 3 * u.text.length + 2000;
      return [plainStream.slice(off, until), ownStream.slice(off, until)];
    };
    for (const u of partUnits) {
      const facts = extractFacts(sentencesOf(u));
      if (facts.length) u.facts = facts;
      const span = converted ? stretch(u) : undefined;
      const original = span ? ownTextOf(u.text, span[0], span[1]) : undefined;
      if (original) u.original = original;
      const check = unitSchema.safeParse(u);
      if (!check.success) throw new DataError(file, `line ${u.line}`, describeZod(check.error));
      // The validated copy is what the index keeps, so the whole index needs no second pass over its units.
      units.push(check.data);
    }
    // Validity comes from the document's own words; front matter only adds to or corrects it.
    const derived = deriveValidity(pm.title, partUnits);
    const own = meta.parts ? pm : meta;
    const sign = readSignature(lines);
    const doc: PolicyDocument = {
      id: pm.id,
      file,
      title: pm.title,
      issuer: issuer ?? sign.issuer,
      docNumber: meta.docNumber ?? read.docNumber,
      region,
      aliases: [...new Set([...(meta.aliases ?? []), ...deriveAliases(region, partUnits)])],
      awards: [...new Set([...(meta.awards ?? []), ...deriveAwards(pm.title, region, partUnits)])],
      issued: pm.issued ?? meta.issued ?? read.issued ?? tail.issued ?? sign.issued,
      effective: own.effective ?? derived.effective,
      expires: own.expires ?? derived.expires,
      validityNote: own.validityNote ?? derived.note,
      validitySource: own.expires ? 'front matter' : derived.source,
    };
    documents.push(doc);
  });
  if (units.length === 0) throw new DataError(file, `line ${firstLine.no}`, 'no citable text found');
  return { documents, units };
}

/** Builds the whole knowledge index from a data directory, validating every file. */
export function buildIndex(dataDir: string = DEFAULT_DATA_DIR): KnowledgeIndex {
  const before = fingerprint(dataDir);
  const places = loadPlaces(dataDir);
  const dir = join(dataDir, 'policies');
  const documents: PolicyDocument[] = [];
  const units: Unit[] = [];
  const seen = new Set<string>();
  for (const file of listPolicyFiles(dir)) {
    const loaded = loadPolicyFile(dir, file, places);
    for (const d of loaded.documents) {
      if (seen.has(d.id)) throw new DataError(file, 'id', `document id "${d.id}" is used twice`);
      seen.add(d.id);
    }
    documents.push(...loaded.documents);
    units.push(...loaded.units);
  }
  const terms = loadGlossary(dataDir).terms;
  const named = [...documents.flatMap((d) => (d.region ? [d.region, ...d.aliases] : [])), ...places.provinces, ...Object.keys(places.cities)];
  // Every unit was validated as its file was read; the rest of the index is validated here, the units not twice.
  const checked = indexSchema.parse({ version: 3, sourceHash: hashSources(dir), documents, units: [], dictionary: buildDictionary(units, documents, terms), spellings: spellPlaces(named) });
  const index: KnowledgeIndex = { version: checked.version, sourceHash: checked.sourceHash, documents: checked.documents, units, dictionary: checked.dictionary, spellings: checked.spellings };
  READ_FROM.set(index, before);
  return index;
}

/** Path of the built index file. */
export function indexPath(dataDir: string = DEFAULT_DATA_DIR): string {
  return join(dataDir, 'index.json');
}

/** Rebuilds the index and writes it next to the policies. */
export function writeIndex(dataDir: string = DEFAULT_DATA_DIR): KnowledgeIndex {
  const index = buildIndex(dataDir);
  const tmp = `${indexPath(dataDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(index));
  renameSync(tmp, indexPath(dataDir));
  WRITTEN.set(indexPath(dataDir), new WeakRef(index));
  return index;
}

/**
 * The index this process last wrote to each index.json, while it is still in memory: a console upload writes the index
 * and loads the knowledge at once, and need not read and validate again what it has just built.
 */
const WRITTEN = new Map<string, WeakRef<KnowledgeIndex>>();

/** Loads the built index when it matches the sources, otherwise rebuilds it in memory. */
export function loadIndex(dataDir: string = DEFAULT_DATA_DIR): KnowledgeIndex {
  const p = indexPath(dataDir);
  const written = WRITTEN.get(p)?.deref();
  const readFrom = written && READ_FROM.get(written);
  if (written && readFrom && existsSync(p) && sameFingerprint(readFrom, fingerprint(dataDir))) return written;
  if (existsSync(p)) {
    try {
      const parsed = indexSchema.parse(JSON.parse(readFileSync(p, 'utf8')));
      if (parsed.sourceHash === hashSources(join(dataDir, 'policies'))) return parsed;
    } catch {
      // A damaged or outdated index is rebuilt below.
    }
  }
  return buildIndex(dataDir);
}
