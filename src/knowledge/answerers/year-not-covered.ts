/** A plan year the place's documents do not cover ("2019年计划"): declined, listing what is loaded. */
import { notCovered } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import type { Knowledge } from '../knowledge.ts';

/** A reason to decline when the question names a plan year the region's documents do not cover. */
export function missingYear(k: Knowledge, q: string, regions: string[]): string | undefined {
  const m = /((?:19|20)\d{2})\s*年?.{0,10}(计划|方案|办法|文件|政策)/.exec(q);
  if (!m || regions.length !== 1) return undefined;
  const year = m[1];
  const docs = k.documents.filter((d) => d.region === regions[0]);
  const covered = docs.some((d) => d.title.includes(year) || (d.effective && d.expires && d.effective.slice(0, 4) <= year && year <= d.expires.slice(0, 4)) || d.issued?.startsWith(year) || (d.expires && d.issued && d.issued.slice(0, 4) <= year && year <= d.expires.slice(0, 4)));
  if (covered || !docs.length) return undefined;
  return `现有政策库没有${regions[0]}${year}年的相关文件（已收录：${docs.map((d) => `《${d.title}》`).join('、')}）`;
}

/** Declines a question about a year no document of the place named covers. */
export const yearNotCovered: Answerer = {
  name: 'year not covered',
  answer: ({ k, q, question, intent, covered }) => {
    const reason = missingYear(k, q, covered);
    return reason ? notCovered(k, question, intent, reason, undefined, covered[0]) : decline('no uncovered plan year named');
  },
};
