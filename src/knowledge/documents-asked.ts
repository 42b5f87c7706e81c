/** The document a question about a document itself (its validity, its issuance) is about. */
import type { Knowledge } from './knowledge.ts';
import type { PolicyDocument } from './policy-schema.ts';
import type { Hit } from './search.ts';

/** The document a question about a document's own dates is about: the award's, the place's only one, or the best hit's. */
export function documentAsked(k: Knowledge, q: string, regions: string[], awards: { name: string; docs: PolicyDocument[] }[], hits: Hit[]): PolicyDocument | undefined {
  let doc: PolicyDocument | undefined = awards[0]?.docs[0];
  const inRegion = regions.length ? k.documents.filter((d) => regions.includes(d.region)) : k.documents;
  if (!doc && inRegion.length === 1) doc = inRegion[0];
  if (!doc) {
    const kind = /(办法|方案|计划|通知|规定)/.exec(q)?.[1];
    const byKind = kind ? inRegion.filter((d) => d.title.includes(kind)) : [];
    doc = byKind.length === 1 ? byKind[0] : k.documents.find((d) => d.id === hits[0]?.unit.docId);
  }
  return doc;
}
