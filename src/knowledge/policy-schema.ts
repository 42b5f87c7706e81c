/** Zod schemas for policy metadata, citable units and the built index. */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** Validity and identity fields shared by a document and each of its parts. */
const datedFields = {
  title: z.string().min(2),
  issued: isoDate.optional(),
  effective: isoDate.optional(),
  expires: isoDate.optional(),
  validityNote: z.string().optional(),
};

/** One document inside a file that holds several (as the Kaiping file does). */
export const partMetaSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  startsWith: z.string().min(2),
  ...datedFields,
});

/** Metadata of one policy file, from a sidecar `.meta.json` or an in-file header. */
export const policyMetaSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  issuer: z.string().optional(),
  docNumber: z.string().optional(),
  region: z.string().optional(),
  parts: z.array(partMetaSchema).optional(),
  ...datedFields,
}).strict();

/** Metadata of one policy file. */
export type PolicyMeta = z.infer<typeof policyMetaSchema>;

/** A citable unit: one clause, item or table row, with page-break damage mended. */
export const unitSchema = z.object({
  id: z.string(),
  docId: z.string(),
  title: z.string(),
  region: z.string(),
  article: z.string(),
  heading: z.string(),
  text: z.string().min(1),
  kind: z.enum(['notice', 'preamble', 'section', 'article', 'item', 'table-row', 'annex']),
  line: z.number().int().positive(),
  fields: z.record(z.string(), z.string()).optional(),
});

/** A citable unit. */
export type Unit = z.infer<typeof unitSchema>;

/** One document as the bot knows it: metadata plus its units. */
export const documentSchema = z.object({
  id: z.string(),
  file: z.string(),
  title: z.string(),
  issuer: z.string().optional(),
  docNumber: z.string().optional(),
  region: z.string(),
  issued: isoDate.optional(),
  effective: isoDate.optional(),
  expires: isoDate.optional(),
  validityNote: z.string().optional(),
});

/** One document's metadata. */
export type PolicyDocument = z.infer<typeof documentSchema>;

/** The built knowledge index written by `ingest`. */
export const indexSchema = z.object({
  version: z.literal(1),
  sourceHash: z.string(),
  documents: z.array(documentSchema),
  units: z.array(unitSchema),
  dictionary: z.array(z.string()),
});

/** The built knowledge index. */
export type KnowledgeIndex = z.infer<typeof indexSchema>;
