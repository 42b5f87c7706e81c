/** The amount of an award no loaded document sets ("省政府质量奖奖金多少"): declined rather than guessed. */
import { questionPattern } from '../../nlu/glossary.ts';
import { extractEntities } from '../../nlu/entities.ts';
import { simplify } from '../../nlu/normalize.ts';
import { notCovered } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { sentencesOf } from '../facts.ts';
import type { Knowledge } from '../knowledge.ts';
import type { Unit } from '../policy-schema.ts';
import { holdsType } from '../retrieval.ts';

/**
 * Whether a clause in scope grants money for winning the award ("首次获得河北省政府质量奖的，一次性奖励50万元"): the
 * sentence names the award after a winning word and states an amount. A place the question puts before the name
 * ("河北省政府质量奖") must be the one the sentence puts there.
 */
export function grantsForWinning(k: Knowledge, q: string, name: string, regions: string[]): boolean {
  const winning = questionPattern(k.glossary, 'winningWords');
  const money = /\d+(?:\.\d+)?\s*(?:千|万|亿)?元/;
  const docs = new Set(k.documents.filter((d) => !regions.length || regions.includes(d.region)).map((d) => d.id));
  const end = q.indexOf(name) + name.length;
  for (const u of unitsNaming(k, name)) {
    if (!docs.has(u.docId) || !holdsType(u, ['amount'])) continue;
    for (const raw of sentencesOf(u)) {
      if (!money.test(raw) || !/[奖獎]/.test(raw)) continue;
      const s = simplify(raw);
      // The longest tail of the name as the question writes it that the sentence uses ("到衡水市市长质量奖" → 衡水市市长质量奖).
      // (Never shorter than five characters: 质量奖 alone would match any award's clause.)
      let tail = name;
      while (tail.length > Math.min(5, name.length) && !s.includes(tail)) tail = tail.slice(1);
      if (!s.includes(tail)) continue;
      const before = q.slice(Math.max(0, end - tail.length - 6), end - tail.length);
      const places = extractEntities(before).otherPlaces.filter((p) => new RegExp(`${p}(省|市|县|区)?$`).test(before));
      for (let i = s.indexOf(tail); i >= 0; i = s.indexOf(tail, i + 1)) {
        const lead = s.slice(Math.max(0, i - 16), i);
        if (!winning.test(lead)) continue;
        if (places.length && !places.some((p) => lead.includes(p))) continue;
        return true;
      }
    }
  }
  return false;
}

/**
 * The units whose text holds the shortest tail of the name grantsForWinning accepts (its last five characters): a
 * superset of the clauses it can match, found in one scan of the corpus text and remembered per tail, so no clause is
 * read from disk that cannot name the award.
 */
function unitsNaming(k: Knowledge, name: string): Unit[] {
  const tail = simplify(name.slice(-Math.min(5, name.length))).replace(/\s+/g, '').toLowerCase();
  let byTail = NAMING.get(k.search);
  if (!byTail) NAMING.set(k.search, (byTail = new Map()));
  let units = byTail.get(tail);
  if (!units) {
    units = k.search.unitsMatching(new RegExp(tail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    if (byTail.size >= NAMING_LIMIT) byTail.delete(byTail.keys().next().value!);
    byTail.set(tail, units);
  }
  return units;
}

/** Units naming each tail, per search index (a few hundred tails at most, the oldest dropped first). */
const NAMING = new WeakMap<object, Map<string, Unit[]>>();
const NAMING_LIMIT = 256;

/** Declines the amount of an award the corpus does not set, unless a clause grants money for winning it. */
export const unknownAwardAmount: Answerer = {
  name: 'unknown award',
  answer: ({ k, frame, question, intent, qt, awards, covered, q }) => {
    const strange = frame.unknownAward;
    if (!strange || awards.length || qt !== 'money') return decline(strange ? 'not an amount question about it alone' : 'no unknown award named');
    if (grantsForWinning(k, q, strange, covered)) return decline(`a clause grants money for winning ${strange}`);
    return notCovered(k, question, intent, `现有政策文件没有写明${strange}的奖励金额`, undefined, covered[0]);
  },
};
