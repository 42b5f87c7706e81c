/**
 * Date conditions on what may be claimed ("发布时间应在2024年1月1日之后（含当日）", "2024年1月1日至2024年12月31日期间
 * 正式发布的"), judged against the date a user states of their own thing ("2023年发布的标准还能报吗").
 */
import { sentencesOf } from './facts.ts';
import type { Unit } from './policy-schema.ts';

/** A span of days, as YYYY-MM-DD, either end open. */
export interface DaySpan {
  from?: string;
  to?: string;
}

/** A date bound one sentence of a clause sets, and the word it bounds (发布, 取得 …). */
export interface DateCondition extends DaySpan {
  sentence: number;
}

/** What a question states of the user's own thing: its date span and the verb that dates it ("2023年发布的" → 发布). */
export interface StatedDate extends DaySpan {
  verb: string;
}

const pad = (n: string | number) => String(n).padStart(2, '0');
const day = (y: string, m: string, d: string) => `${y}-${pad(m)}-${pad(d)}`;
const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const dayAfter = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const DATE = '(\\d{4})年(\\d{1,2})月(\\d{1,2})日';

/** The date the question gives its own thing: "2023年发布的", "2024年3月取得的", "去年" is not read (no clock here). */
export function statedDate(q: string): StatedDate | undefined {
  const m = /(\d{4})年(?:(\d{1,2})月)?(?:(\d{1,2})日)?(及以前|以前|之前|前|及以后|以后|之后|后)?([\u4e00-\u9fff]{2})的/.exec(q.replace(/\s+/g, ''));
  if (!m) return undefined;
  const [, y, mo, d, side, verb] = m;
  const from = d ? day(y, mo, d) : mo ? day(y, mo, '1') : `${y}-01-01`;
  const to = d ? from : mo ? new Date(Date.UTC(Number(y), Number(mo), 0)).toISOString().slice(0, 10) : `${y}-12-31`;
  if (side && /前/.test(side)) return { to, verb };
  if (side && /后/.test(side)) return { from, verb };
  return { from, to, verb };
}

/** The date bounds a clause's sentences set on things dated by `verb`. */
export function dateConditionsOf(u: Pick<Unit, 'text' | 'fields'>, verb: string): DateCondition[] {
  const out: DateCondition[] = [];
  sentencesOf(u).forEach((raw, sentence) => {
    const s = raw.replace(/\s+/g, '');
    if (!s.includes(verb)) return;
    const range = new RegExp(`${DATE}(?:至|到|—|－|-)${DATE}`).exec(s);
    if (range) return void out.push({ sentence, from: day(range[1], range[2], range[3]), to: day(range[4], range[5], range[6]) });
    const after = new RegExp(`${DATE}(?:[（(]含(?:当日|当天)?[）)])?(之后|以后|后|起)([（(]含(?:当日|当天)?[）)])?`).exec(s);
    if (after) {
      const d = day(after[1], after[2], after[3]);
      const inclusive = after[4] === '起' || /含/.test(after[0]);
      return void out.push({ sentence, from: inclusive ? d : dayAfter(d) });
    }
    const before = new RegExp(`${DATE}(?:[（(]含(?:当日|当天)?[）)])?(之前|以前|前)([（(]含(?:当日|当天)?[）)])?`).exec(s);
    if (before) {
      const d = day(before[1], before[2], before[3]);
      out.push({ sentence, to: /含/.test(before[0]) ? d : dayBefore(d) });
    }
  });
  return out;
}

/** Whether the stated span lies wholly inside the condition (true), wholly outside it (false), or partly (undefined). */
export function meets(stated: DaySpan, cond: DaySpan): boolean | undefined {
  const lo = stated.from ?? '0000-01-01';
  const hi = stated.to ?? '9999-12-31';
  const cLo = cond.from ?? '0000-01-01';
  const cHi = cond.to ?? '9999-12-31';
  if (hi < cLo || lo > cHi) return false;
  if (lo >= cLo && hi <= cHi) return true;
  return undefined;
}

/** Among a question's close clauses, the first whose date condition decides the user's stated date, with the verdict. */
export function decideByDate(q: string, units: Pick<Unit, 'text' | 'fields'>[]): { index: number; sentence: number; ok: boolean } | undefined {
  const stated = statedDate(q);
  if (!stated) return undefined;
  for (let i = 0; i < units.length; i++) {
    for (const c of dateConditionsOf(units[i], stated.verb)) {
      const ok = meets(stated, c);
      if (ok !== undefined) return { index: i, sentence: c.sentence, ok };
    }
  }
  return undefined;
}
