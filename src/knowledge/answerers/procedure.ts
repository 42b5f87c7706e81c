/** A procedural detail (截止日期, 网址, 几份, 电话, 科室, 获奖名单) that no close clause gives: said so, not pasted from a nearby clause. */
import { notCovered } from '../compose.ts';
import { decline, type Answerer } from '../context.ts';
import { procedureUnstated } from '../stated.ts';

/** Declines a procedural question whose detail the close clauses do not state. */
export const procedureNotStated: Answerer = {
  name: 'procedure not stated',
  answer: ({ k, q, question, intent, covered, clauses }) => {
    const units = clauses.hits.slice(0, 3).map((h) => h.unit);
    const detail = procedureUnstated(k, q, units);
    if (!detail) return decline('asks no procedural detail, or a close clause gives it');
    const region = covered[0] ?? k.documents.find((d) => d.id === units[0]?.docId)?.region;
    return notCovered(k, question, intent, `现有政策文件没有写明${detail}`, undefined, region);
  },
};
