/** When a document was issued, and by whom ("哪天印发的"), from its metadata. */
import type { PolicyAnswer } from '../answer-types.ts';
import { citationOf, validityWarning, excerptOf, sourceLines } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf, cnDate } from '../corpus.ts';
import { documentAsked } from '../documents-asked.ts';
import { sentencesOf } from '../facts.ts';
import type { Knowledge } from '../knowledge.ts';
import type { PolicyDocument } from '../policy-schema.ts';
import type { Hit } from '../search.ts';

/** Answers when a document was issued, from its metadata, citing its notice or opening. */
export function issuedAnswer(k: Knowledge, question: string, q: string, regions: string[], awards: { name: string; docs: PolicyDocument[] }[], hits: Hit[], now: Date): PolicyAnswer | undefined {
  const doc = documentAsked(k, q, regions, awards, hits);
  if (!doc?.issued) return undefined;
  const units = unitsOf(k, doc.id);
  // The clause that states the date is quoted where it is stated ("发布日期:2018年10月08日"), else the notice or opening.
  const [y, m, d] = doc.issued.split('-').map(Number);
  const dated = new RegExp(`${y}\\s*年\\s*0?${m}\\s*月\\s*0?${d}\\s*日|${doc.issued}`);
  const holder = units.find((u) => dated.test(u.text));
  const clause = holder ?? units.find((u) => u.kind === 'notice') ?? units.find((u) => u.kind === 'preamble') ?? units[0];
  const at = holder ? Math.max(0, sentencesOf(holder).findIndex((x) => dated.test(x))) : 0;
  const said = holder ? dated.exec(sentencesOf(holder)[at] ?? '')?.[0] : undefined;
  const c = citationOf(clause, excerptOf(clause, at, said ? [{ type: 'date', text: said, sentence: at, clause: said }] : []));
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
