import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, addYears, daysBetween, findDate, isDay, localDay } from '../../src/scheduling/dates.ts';
import {
  awardExpires,
  awardStages,
  awardText,
  publicityEnds,
  publicityEndText,
  publicityEndingText,
  publicityStages,
  publicityStartText,
  stepReminders,
  type ReminderStage,
} from '../../src/scheduling/reminders.ts';
import { reminderWords } from '../../src/scheduling/award-words.ts';

describe('local days in Asia/Shanghai', () => {
  it('turns at 16:00 UTC, which is midnight in Shanghai', () => {
    expect(localDay(new Date('2026-01-04T15:59:59Z'))).toBe('2026-01-04');
    expect(localDay(new Date('2026-01-04T16:00:00Z'))).toBe('2026-01-05');
    expect(localDay(new Date('2026-01-05T00:00:00+08:00'))).toBe('2026-01-05');
  });

  it('does calendar arithmetic across months and leap years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2026-01-05', '2026-01-14')).toBe(9);
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2024-02-29', 3)).toBe('2027-03-01');
    expect(isDay('2023-02-29')).toBe(false);
    expect(isDay('2024-02-29')).toBe(true);
  });

  it('finds dates written in several ways', () => {
    expect(findDate('我们2024年3月1日获得了优秀奖')?.day).toBe('2024-03-01');
    expect(findDate('2024-03-01拿的奖')?.day).toBe('2024-03-01');
    expect(findDate('获奖时间 2024/3/1')?.day).toBe('2024-03-01');
    expect(findDate('2024.03.01')?.day).toBe('2024-03-01');
    expect(findDate('二〇二四年三月一日获奖')?.day).toBe('2024-03-01');
    expect(findDate('二〇二三年十二月二十一号')?.day).toBe('2023-12-21');
    expect(findDate('2023年2月29日')).toEqual({ day: undefined, raw: '2023年2月29日', problem: 'nonexistent' });
    expect(findDate('去年5月拿的奖')).toBeUndefined();
  });
});

describe('publicity rules', () => {
  it('lasts ten calendar days counting the first', () => {
    expect(publicityEnds('2026-01-05')).toBe('2026-01-14');
    expect(publicityEnds('2024-02-25')).toBe('2024-03-05');
    expect(publicityEnds('2025-12-28')).toBe('2026-01-06');
  });

  it('reminds once in the last three days and once the day after', () => {
    const stages = publicityStages('2026-01-14');
    expect(stages.map((s) => [s.kind, s.dueOn])).toEqual([
      ['publicity_ending', '2026-01-12'],
      ['publicity_end', '2026-01-15'],
    ]);
    expect(stepReminders(stages, 'start', '2026-01-11').send).toBeUndefined();
    for (const day of ['2026-01-12', '2026-01-13', '2026-01-14']) {
      expect(stepReminders(stages, 'start', day).send?.kind).toBe('publicity_ending');
      expect(stepReminders(stages, 'ending', day).send).toBeUndefined();
    }
    expect(stepReminders(stages, 'ending', '2026-01-15').send?.kind).toBe('publicity_end');
  });

  it('sends only publicity_end when the bot was down through the whole ending window', () => {
    const step = stepReminders(publicityStages('2026-01-14'), 'start', '2026-01-20');
    expect(step.send?.kind).toBe('publicity_end');
    expect(step.skipped.map((s) => s.kind)).toEqual(['publicity_ending']);
    expect(step.nextReminderOn).toBeNull();
  });

  it('tells when and where to object', () => {
    const p = { title: '测试公示', starts: '2026-01-05', ends: '2026-01-14' };
    expect(publicityStartText(p, '2026-01-05')).toMatch(/2026年1月14日.*开平市市场监督管理局/s);
    expect(publicityStartText(p, '2026-01-05')).toContain('第六条（四）');
    expect(publicityEndingText(p, '2026-01-12')).toMatch(/2026年1月14日.*开平市市场监督管理局/s);
  });
});

describe('award rules', () => {
  it('is valid through the day before the third anniversary', () => {
    expect(awardExpires('2024-03-01')).toBe('2027-02-28');
    expect(awardExpires('2023-01-15')).toBe('2026-01-14');
    expect(awardExpires('2025-03-01')).toBe('2028-02-29');
    expect(awardExpires('2024-02-29')).toBe('2027-02-28');
    expect(awardExpires('2028-02-29')).toBe('2031-02-28');
  });

  it('reminds 90, 30 and 7 days before expiry and once after', () => {
    const stages = awardStages('2027-02-28');
    expect(stages.map((s) => [s.kind, s.dueOn])).toEqual([
      ['award_expiring', '2026-11-30'],
      ['award_expiring', '2027-01-29'],
      ['award_expiring', '2027-02-21'],
      ['award_expired', '2027-03-01'],
    ]);
  });

  it('sends only the latest overdue reminder after downtime', () => {
    const stages = awardStages('2027-02-28');
    const step = stepReminders(stages, null, '2027-02-25');
    expect(step.send?.stage).toBe('expiring-7');
    expect(step.skipped.map((s) => s.stage)).toEqual(['expiring-90', 'expiring-30']);
    expect(step.nextReminderOn).toBe('2027-03-01');
    const after = stepReminders(stages, null, '2027-06-01');
    expect(after.send?.kind).toBe('award_expired');
    expect(after.nextReminderOn).toBeNull();
  });

  it('finds nothing new on a second tick of the same day', () => {
    const stages = awardStages('2027-02-28');
    const first = stepReminders(stages, null, '2026-11-30');
    expect(first.send?.stage).toBe('expiring-90');
    const second = stepReminders(stages, first.lastStage, '2026-11-30');
    expect(second.send).toBeUndefined();
    expect(second.nextReminderOn).toBe(first.nextReminderOn);
  });

  it('explains how to re-apply', () => {
    const a = { awardedOn: '2024-03-01', expires: '2027-02-28' };
    for (const text of [awardText('award_expiring', a, '2026-11-30'), awardText('award_expired', a, '2027-03-01')]) {
      expect(text).toContain('第九条');
      expect(text).toContain('重新申报');
      expect(text).toContain('开平市市场监督管理局');
    }
    expect(awardText('award_expiring', a, '2026-11-30')).toContain('还有90天');
  });
});

describe('the words of the reminders come from the award rules file', () => {
  it('with no rules file describing the award, the texts name no award, document or authority, and cite nothing', () => {
    const w = reminderWords([]);
    const p = { title: '测试公示', starts: '2026-01-05', ends: '2026-01-14' };
    const a = { awardedOn: '2024-03-01', expires: '2027-02-28' };
    const texts = [publicityStartText(p, '2026-01-05', w), publicityEndingText(p, '2026-01-12', w), publicityEndText(p, w), awardText('award_expiring', a, '2026-11-30', w), awardText('award_expired', a, '2027-03-01', w)];
    for (const t of texts) {
      expect(t).not.toMatch(/开平|优秀奖|第.条|《/);
      expect(t).not.toContain('undefined');
    }
    expect(texts[0]).toContain('共10天');
    expect(texts[3]).toContain('还有90天到期');
    expect(w.validityYears).toBeUndefined();
  });

  it('a rules file sets the length of a publicity and the validity of an award', () => {
    const k = reminderWords();
    expect(k.publicityDays).toBe(10);
    expect(publicityEnds('2026-01-05', 7)).toBe('2026-01-11');
    expect(awardExpires('2024-03-01', 2)).toBe('2026-02-28');
    expect(publicityStartText({ title: 't', starts: '2026-01-05', ends: '2026-01-11' }, '2026-01-05', k)).toContain('共7天');
  });
});

describe('reminder schedule properties', () => {
  const dayArb = fc.integer({ min: 0, max: 365 * 12 }).map((n) => addDays('2018-01-01', n));

  /** Replays ticks on the given days and returns the stages sent. */
  function replay(stages: ReminderStage[], days: string[], initial: string | null): ReminderStage[] {
    let last = initial;
    let next: string | null = stages[0].dueOn;
    const sent: ReminderStage[] = [];
    for (const day of days) {
      if (next === null || next > day) continue; // the indexed scan only looks at rows due by `day`
      const step = stepReminders(stages, last, day);
      if (step.send) sent.push(step.send);
      last = step.lastStage;
      next = step.nextReminderOn;
      expect(next === null || next > day).toBe(true);
    }
    return sent;
  }

  it('a daily tick sends every award reminder exactly once, on its day', () => {
    fc.assert(
      fc.property(dayArb, (awardedOn) => {
        const stages = awardStages(awardExpires(awardedOn));
        const days = Array.from({ length: daysBetween(awardedOn, stages[3].dueOn) + 3 }, (_, i) => addDays(awardedOn, i));
        const twice = days.flatMap((d) => [d, d]);
        const sent = replay(stages, twice, null);
        expect(sent.map((s) => s.stage)).toEqual(stages.map((s) => s.stage));
      }),
      { numRuns: 60 },
    );
  });

  it('sparse ticks never repeat a reminder, never send one early, and always end with the expired one', () => {
    fc.assert(
      fc.property(dayArb, fc.array(fc.integer({ min: 0, max: 1400 }), { minLength: 1, maxLength: 12 }), (awardedOn, offsets) => {
        const stages = awardStages(awardExpires(awardedOn));
        const days = [...new Set(offsets.map((o) => addDays(awardedOn, o)))].sort();
        const sent = replay(stages, days, null);
        expect(new Set(sent.map((s) => s.stage)).size).toBe(sent.length);
        const lastDay = days[days.length - 1];
        if (lastDay >= stages[3].dueOn) expect(sent[sent.length - 1].kind).toBe('award_expired');
        for (const s of sent) expect(days.some((d) => d >= s.dueOn)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
