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
  /** Other names of the document's place (towns, districts) that questions may use. */
  aliases: z.array(z.string().min(2)).optional(),
  /** Awards the document sets or governs, when its title does not name them. */
  awards: z.array(z.string().min(2)).optional(),
  parts: z.array(partMetaSchema).optional(),
  ...datedFields,
}).strict();

/** Metadata of one policy file. */
export type PolicyMeta = z.infer<typeof policyMetaSchema>;

/** A typed fact of a clause (see facts.ts). */
export const factSchema = z.object({
  type: z.enum(['amount', 'duration', 'date', 'deadline', 'cadence', 'quota', 'threshold', 'percent', 'count', 'body', 'place', 'submit', 'prohibition', 'permission', 'contact']),
  text: z.string(),
  sentence: z.number().int().nonnegative(),
  clause: z.string(),
  value: z.number().optional(),
  per: z.string().optional(),
  bound: z.enum(['min', 'max']).optional(),
  relay: z.boolean().optional(),
  online: z.boolean().optional(),
});

/** A citable unit: one clause, item or table row, with page-break damage mended. */
export const unitSchema = z.object({
  id: z.string(),
  docId: z.string(),
  title: z.string(),
  region: z.string(),
  article: z.string(),
  heading: z.string(),
  text: z.string().min(1),
  /** The clause in the document's own script when ingest read it converted (a Traditional-character document). */
  original: z.string().optional(),
  kind: z.enum(['notice', 'preamble', 'section', 'article', 'item', 'table-row', 'annex']),
  line: z.number().int().positive(),
  fields: z.record(z.string(), z.string()).optional(),
  /** Typed facts found in the clause at ingest. */
  facts: z.array(factSchema).optional(),
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
  /** Names of the place that questions may use: the short name, towns, districts. */
  aliases: z.array(z.string()),
  /** Awards the document sets or governs (from its title and front matter). */
  awards: z.array(z.string()),
  issued: isoDate.optional(),
  effective: isoDate.optional(),
  expires: isoDate.optional(),
  validityNote: z.string().optional(),
  /** Where the validity was found: the article that states it, or the title's plan period. */
  validitySource: z.string().optional(),
});

/** One document's metadata. */
export type PolicyDocument = z.infer<typeof documentSchema>;

/** The built knowledge index written by `ingest`. */
export const indexSchema = z.object({
  version: z.literal(3),
  sourceHash: z.string(),
  documents: z.array(documentSchema),
  units: z.array(unitSchema),
  dictionary: z.array(z.string()),
  /** Pinyin of the places questions may name in English (documents' places and towns, the gazetteer): name → spelling. */
  spellings: z.record(z.string(), z.string().regex(/^[a-z]+$/)),
});

/** The built knowledge index. */
export type KnowledgeIndex = z.infer<typeof indexSchema>;
