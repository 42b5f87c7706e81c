/** Whether a document is still in force ("这个办法还有效吗"), judged at the date of asking. */
import { questionPattern } from '../../nlu/glossary.ts';
import type { PolicyAnswer } from '../answer-types.ts';
import { citationOf, contactOf, excerptOf, sourceLines } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf, isoDay, cnDate } from '../corpus.ts';
import { documentAsked } from '../documents-asked.ts';
import type { Knowledge } from '../knowledge.ts';
import type { PolicyDocument } from '../policy-schema.ts';
import type { Hit } from '../search.ts';
import { articleInOwnScript } from '../own-script.ts';

/** Answers whether a document is still in force, judged at the date of asking. */
export function policyValidity(k: Knowledge, question: string, q: string, regions: string[], awards: { name: string; docs: PolicyDocument[] }[], hits: Hit[], now: Date): PolicyAnswer | undefined {
  const doc = documentAsked(k, q, regions, awards, hits);
  if (!doc) return undefined;
  const today = isoDay(now);
  const units = unitsOf(k, doc!.id);
  const clause = units.find((u) => u.article === doc!.validitySource) ?? units.find((u) => u.kind === 'notice') ?? units.find((u) => u.kind === 'preamble') ?? units[0];
  let fact: string;
  if (doc.issued && today < doc.issued) {
    fact = `按提问日期${cnDate(today)}，《${doc.title}》尚未印发（印发日期为${cnDate(doc.issued)}）。`;
  } else if (doc.expires && today > doc.expires) {
    // The period as the document words it ("有效期5年"), where it states one.
    const term = /有效期(?:为)?\d+\s*(?:年|个月)/.exec(doc.validityNote ?? '')?.[0];
    fact = `已过有效期：《${doc.title}》${doc.effective ? `自${cnDate(doc.effective)}起施行，` : ''}${term ? `${term}，` : ''}已于${cnDate(doc.expires)}到期（按提问日期${cnDate(today)}）。现行规定请向${contactOf(doc)}确认。`;
  } else if (doc.expires) {
    fact = `仍在有效期内：《${doc.title}》有效期至${cnDate(doc.expires)}（按提问日期${cnDate(today)}）。`;
  } else {
    fact = `《${doc.title}》${doc.issued ? `于${cnDate(doc.issued)}印发，` : ''}${doc.effective ? `自${cnDate(doc.effective)}起施行，` : ''}文件没有写明有效期，是否仍在执行请向${contactOf(doc)}确认。`;
  }
  const c = citationOf(clause, doc.validityNote && doc.validitySource === clause.article ? doc.validityNote.replace(/^[^：]*：/, '') : excerptOf(clause, 0, []));
  const source = doc.validitySource === '标题' ? [`依据：《${doc.title}》标题（${doc.validityNote}）`] : sourceLines(c);
  const citations = [c];
  if (!doc.expires) {
    // With no validity of its own, the latest year the document's targets run to ("争取到2025年") is worth knowing.
    const horizon = units
      .flatMap((u) => (u.facts ?? []).filter((f) => f.type === 'date' && /^(到|至)\d{4}年(底)?$/.test(f.text)).map((f) => ({ u, f, year: Number(/\d{4}/.exec(f.text)![0]) })))
      .sort((a, b) => b.year - a.year)[0];
    if (horizon) {
      const c2 = citationOf(horizon.u, excerptOf(horizon.u, horizon.f.sentence, [horizon.f]));
      citations.push(c2);
      source.push(`文中目标期限：${horizon.f.text}（${articleInOwnScript(horizon.u)}）`, ...sourceLines(c2, '目标').slice(1));
    }
  }
  return { question, intent: 'policy_validity', found: true, answer: [fact, ...source].join('\n'), citations };
}

/** Answers whether a document is in force. */
export const validity: Answerer = {
  name: 'validity',
  answer: ({ k, frame, question, q, covered, awards, hits, now }) => {
    if (!frame.about.validity) return decline('does not ask whether a document is in force');
    // "申报啥时候截止": of a notice that dates its applications' deadline, the deadline is asked, not the notice's validity.
    const doc = questionPattern(k.glossary, 'applyingWords').test(q) ? documentAsked(k, q, covered, awards, hits) : undefined;
    if (doc && unitsOf(k, doc.id).some((u) => u.facts?.some((f) => f.type === 'deadline' && /\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日/.test(f.text)))) {
      return decline('asks when applications close, and the document dates its deadline');
    }
    return policyValidity(k, question, q, covered, awards, hits, now) ?? decline('no document found');
  },
};
