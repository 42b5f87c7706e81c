/** When a document was issued, and by whom ("哪天印发的"), from its metadata. */
import type { PolicyAnswer } from '../answer-types.ts';
import { citationOf, validityWarning, excerptOf, sourceLines } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf, cnDate } from '../corpus.ts';
import { documentAsked } from '../documents-asked.ts';
import type { Knowledge } from '../knowledge.ts';
import type { PolicyDocument } from '../policy-schema.ts';
import type { Hit } from '../search.ts';

/** Answers when a document was issued, from its metadata, citing its notice or opening. */
export function issuedAnswer(k: Knowledge, question: string, q: string, regions: string[], awards: { name: string; docs: PolicyDocument[] }[], hits: Hit[], now: Date): PolicyAnswer | undefined {
  const doc = documentAsked(k, q, regions, awards, hits);
  if (!doc?.issued) return undefined;
  const units = unitsOf(k, doc.id);
  const clause = units.find((u) => u.kind === 'notice') ?? units.find((u) => u.kind === 'preamble') ?? units[0];
  const c = citationOf(clause, excerptOf(clause, 0, []));
  const lines = [`《${doc.title}》于${cnDate(doc.issued)}印发${doc.issuer ? `（${doc.issuer}${doc.docNumber ? `，${doc.docNumber}` : ''}）` : ''}。`, ...sourceLines(c)];
  const warn = validityWarning(doc, now);
  if (warn) lines.unshift(warn);
  return { question, intent: 'policy_validity', found: true, answer: lines.join('\n'), citations: [c] };
}

/** Answers when and by whom a document was issued. */
export const issuance: Answerer = {
  name: 'issuance',
  answer: ({ k, frame, question, q, covered, awards, hits, now }) => {
    if (!frame.about.issuance) return decline('does not ask when a document was issued');
    return issuedAnswer(k, question, q, covered, awards, hits, now) ?? decline('the document has no issue date');
  },
};
