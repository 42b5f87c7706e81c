/**
 * The share of one who takes part rather than leads ("参与制定上述标准的，按主导制定奖励标准的30%给予奖励"): a
 * question asked as a participant ("我们只是参与的，能奖多少") is answered by the sentence of a close clause that states
 * the participant's share, not by the lead unit's full amount; when the question names the item and the clause gives its
 * full amount as a percentage's base, the share of it is worked out.
 */
import { questionPattern } from '../../nlu/glossary.ts';
import { citationOf, excerptOf, finish, period, sourceLines, tidyFact } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf } from '../corpus.ts';
import { numberOf, sentencesOf } from '../facts.ts';
import type { Unit } from '../policy-schema.ts';
import type { UnitSearch } from '../search.ts';
import { scoreSentence } from '../retrieval.ts';
import { articleInOwnScript } from '../own-script.ts';
import { familiesAsked } from '../stated.ts';

/** Yuan in words: "4.5万元" from ten thousand up, else "3000元". */
function inYuan(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 100) / 100}万元` : `${Math.round(n)}元`;
}

/** The share a sentence states, as a ratio with its own words: "30%", "百分之三十", "三分之一", "减半"/"一半". */
export function shareOf(text: string): { words: string; ratio: number } | undefined {
  const pct = /(\d+(?:\.\d+)?)\s*[%％]/.exec(text);
  if (pct) return { words: `${pct[1]}%`, ratio: Number(pct[1]) / 100 };
  const cnPct = /百分之([零〇一二两三四五六七八九十百]+)/.exec(text);
  const n = cnPct ? numberOf(cnPct[1]) : undefined;
  if (cnPct && n !== undefined) return { words: cnPct[0], ratio: n / 100 };
  const frac = /([一二两三四五六七八九十])分之([一二两三四五六七八九])/.exec(text);
  const [den, num] = frac ? [numberOf(frac[1]), numberOf(frac[2])] : [];
  if (frac && den && num && num < den) return { words: frac[0], ratio: num / den };
  const half = /减半|一半/.exec(text);
  return half ? { words: half[0], ratio: 0.5 } : undefined;
}

/**
 * The full amount the share is taken of, for the item the question names: of the clause's other amounts, the one whose
 * part of its sentence (between semicolons) matches the question best; a tie, or no match, computes nothing.
 */
function baseAmount(unit: Unit, skip: number, terms: Map<string, number>, search: UnitSearch): { text: string; value: number } | undefined {
  const sentences = sentencesOf(unit);
  const scored: { text: string; value: number; score: number }[] = [];
  for (const f of unit.facts ?? []) {
    if (f.type !== 'amount' || !f.value || f.bound || f.sentence === skip) continue;
    const part = (sentences[f.sentence] ?? '').split(/[；;]/).find((p) => p.includes(f.text));
    if (!part || scored.some((x) => x.text === part)) continue;
    scored.push({ text: part, value: f.value, score: scoreSentence(part, terms, search) });
  }
  scored.sort((a, b) => b.score - a.score);
  const [best, next] = scored;
  return best && best.score > 0 && (!next || best.score > next.score * 1.2) ? best : undefined;
}

/** Answers what one taking part (not leading) gets, from the sentence that states the participant's share. */
export const share: Answerer = {
  name: 'participant share',
  answer: (ctx) => {
    const { k, q, qt, question, intent, now, terms } = ctx;
    if (qt !== 'money' && qt !== 'quantity' && qt !== 'fact') return decline('asks no amount');
    if (!questionPattern(k.glossary, 'asksParticipant').test(q)) return decline('does not ask as one taking part rather than leading');
    const hits = ctx.clauses.hits;
    if (!hits[0]) return decline('no close clause');
    const shareRe = questionPattern(k.glossary, 'shareClause');
    const docId = hits[0].unit.docId;
    // The close clauses first; else the document's clause that states a share and matches the question best.
    const near = hits.slice(0, 3).filter((h) => h.unit.docId === docId).map((h) => h.unit);
    const found =
      near.map((unit) => ({ unit, i: sentencesOf(unit).findIndex((x) => shareRe.test(x)) })).find((x) => x.i >= 0) ??
      unitsOf(k, docId)
        .flatMap((unit) => sentencesOf(unit).map((x, i) => ({ unit, i, x })))
        .filter((x) => shareRe.test(x.x))
        .map((x) => ({ ...x, score: scoreSentence(x.x, terms, k.search) }))
        .sort((a, b) => b.score - a.score)[0];
    const doc = k.documents.find((d) => d.id === docId);
    if (found) {
      const { unit, i } = found;
      const sentences = sentencesOf(unit);
      const said = tidyFact(sentences[i]).replace(/[。；;]$/, '');
      const part = shareOf(said);
      // The item's full amount, from the same clause, and the share of it.
      const base = part ? baseAmount(unit, i, terms, k.search) : undefined;
      const worked = base && part ? `按此计算：${tidyFact(base.text).replace(/[。；;]$/, '')}，${/^[减一]/.test(part.words) ? '减半' : `其${part.words}`}为${inYuan(base.value * part.ratio)}` : undefined;
      const c = citationOf(unit, excerptOf(unit, i, []));
      return finish(k, question, intent, [period(said), ...(worked ? [period(worked)] : []), ...sourceLines(c)], [c], doc, now);
    }
    // The document states only the leader's amount ("主导制定国家标准的，每项奖励30万元") and says nothing of those
    // taking part: that is said, with no amount (the leader's is not the participant's).
    const moneyAsked = qt === 'money' || k.glossary.questionWords.money.some((w) => q.includes(w)) || familiesAsked(k, q).length > 0;
    const top = hits[0].unit;
    const role = questionPattern(k.glossary, 'leadRole');
    const sentences = sentencesOf(top);
    const at = (top.facts ?? []).find((f) => f.type === 'amount' && role.test(sentences[f.sentence] ?? ''))?.sentence;
    if (moneyAsked && at !== undefined && !questionPattern(k.glossary, 'asksParticipant').test(top.text)) {
      const leader = role.exec(sentences[at])![0];
      const c = citationOf(top, excerptOf(top, at, []));
      const lines = [period(`《${doc?.title ?? top.title}》${articleInOwnScript(top)}写的是${leader}一方的奖励，没有写明参与（非${leader}）一方能得多少`), ...sourceLines(c)];
      return finish(k, question, intent, lines, [c], doc, now);
    }
    return decline("no close clause states a participant's share");
  },
};
