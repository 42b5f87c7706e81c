/** "现在还能报吗": the application deadline the best document states, judged at the date of asking. */
import { questionPattern } from '../../nlu/glossary.ts';
import type { QuestionType } from '../../nlu/question.ts';
import type { PolicyAnswer } from '../answer-types.ts';
import { citationOf, excerptOf, sourceLines } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf, isoDay, cnDate } from '../corpus.ts';
import { dateConditionsOf } from '../date-condition.ts';
import type { Knowledge } from '../knowledge.ts';
import type { Hit } from '../search.ts';
import { userFacts } from './threshold.ts';

/** "现在还能报吗": the application deadline the best document states, judged at the date of asking. */
export function deadlineAnswer(k: Knowledge, question: string, intent: string, q: string, qt: QuestionType, hits: Hit[], now: Date): PolicyAnswer | undefined {
  if (!(qt === 'yesno' || qt === 'when') || !questionPattern(k.glossary, 'askingNow').test(q) || !questionPattern(k.glossary, 'applyingWords').test(q) || !hits[0]) return undefined;
  // "哪个时间段发布的标准可以报": the dates of what may be claimed are asked (a close clause bounds what is 发布), not
  // whether applications are still open.
  const dated = [...q.matchAll(/([\u4e00-\u9fff]{2})的/g)].map((m) => m[1]);
  if (dated.some((verb) => hits.slice(0, 5).some((h) => dateConditionsOf(h.unit, verb).length))) return undefined;
  // "注册刚两年，能报吗" states the user's own facts: whether they qualify is asked, which no deadline answers.
  if (userFacts(k, q).length) return undefined;
  const docId = hits[0].unit.docId;
  for (const u of unitsOf(k, docId)) {
    const f = (u.facts ?? []).find((x) => x.type === 'deadline' && /\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日/.test(x.text));
    if (!f) continue;
    // (An application window, "2026年5月15日至2026年6月19日", closes on its last day.)
    const m = [...f.text.matchAll(/(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/g)].pop()!;
    const day = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
    const today = isoDay(now);
    // A yes/no question gets its verdict; a "when" question gets the date, with no 可以/不能 it did not ask for.
    const lead =
      qt === 'yesno'
        ? today > day
          ? `不能了：申报已于${cnDate(day)}截止（按提问日期${cnDate(today)}）。`
          : `可以：申报截止时间为${cnDate(day)}（按提问日期${cnDate(today)}，还没有截止）。`
        : `申报截止时间为${cnDate(day)}（按提问日期${cnDate(today)}，${today > day ? '已经截止' : '还没有截止'}）。`;
    const c = citationOf(u, excerptOf(u, f.sentence, [f]));
    return { question, intent, found: true, answer: [lead, ...sourceLines(c)].join('\n'), citations: [c] };
  }
  return undefined;
}

/** Answers whether applications are still open. */
export const deadline: Answerer = {
  name: 'deadline',
  answer: ({ k, question, intent, q, qt, hits, now }) => deadlineAnswer(k, question, intent, q, qt, hits, now) ?? decline('does not ask whether one can still apply, or no dated deadline'),
};
