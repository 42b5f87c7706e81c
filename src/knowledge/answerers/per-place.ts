/** An award several places' documents set, with no place named: one short answer for each place. */
import { type QuestionType, firstPart } from '../../nlu/question.ts';
import type { Citation, PolicyAnswer } from '../answer-types.ts';
import { computed } from '../compose-clause.ts';
import { citationOf, excerptOf, period } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { cnDate, lapsed } from '../corpus.ts';
import type { Knowledge } from '../knowledge.ts';
import { chooseLead, leadText } from '../lead.ts';
import { rank } from '../retrieval.ts';

/** Answers for each place whose documents set the award named, one short line each. */
export function perPlace(k: Knowledge, question: string, intent: string, q: string, terms: Map<string, number>, qt: QuestionType, regions: string[], awardDocs: Set<string>, now: Date): PolicyAnswer {
  const lines = [`${regions.length}个地方的文件都有这个奖项，分别是：`];
  const citations: Citation[] = [];
  // One search over the award's documents, then the best clauses of each place (at most four places).
  const all = rank(k, q, terms, qt, (u) => awardDocs.has(u.docId), awardDocs, 12 * Math.min(4, regions.length));
  const places = [...new Set(all.map((h) => h.unit.region))].filter((r) => regions.includes(r)).slice(0, 4);
  for (const region of places) {
    const hits = all.filter((h) => h.unit.region === region);
    const lead = chooseLead(hits, terms, k, qt);
    if (!lead) continue;
    const doc = k.documents.find((d) => d.id === lead.unit.docId);
    const c = citationOf(lead.unit, excerptOf(lead.unit, lead.sentence, []));
    citations.push(c);
    const text = computed(k, q, qt, lead.unit, lead.sentence) ?? leadText(lead, qt, terms, k, firstPart(q, k.glossary));
    lines.push(`【${region}】${period(text)}（《${c.title}》${c.article}${lapsed(doc, now) ? `，已于${cnDate(doc!.expires!)}到期` : ''}）`);
  }
  lines.push('请告诉我是哪个地方，例如在问题里加上城市名。');
  return { question, intent, found: citations.length > 0, answer: lines.join('\n'), citations };
}

/** Answers for each place whose documents set the award named, when the question names no place. */
export const perPlaceAnswerer: Answerer = {
  name: 'per place',
  answer: ({ k, question, intent, q, terms, qt, covered, awards, awardDocs, now }) => {
    const regions = [...new Set(awards.flatMap((a) => a.docs.map((d) => d.region)))];
    if (covered.length || regions.length <= 1) return decline(covered.length ? 'a place is named' : 'the award named (if any) is one place\'s');
    return perPlace(k, question, intent, q, terms, qt, regions, awardDocs, now);
  },
};
