import { describe, expect, it } from 'vitest';
import { isoDay } from '../../src/knowledge/corpus.ts';
import { fixedOffsetDay, localDay } from '../../src/scheduling/dates.ts';

/** The day as the time-zone database gives it. */
const zone = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
const zoneDay = (at: Date) => zone.format(at);

describe('the Asia/Shanghai day of an instant, without the time-zone database where UTC+8 holds all year', () => {
  it('matches the time-zone database around every midnight, and across leap days, from 1985 to 2100', () => {
    const differing: string[] = [];
    for (let year = 1985; year <= 2100; year++) {
      for (const [m, d] of [[1, 1], [2, 28], [2, 29], [3, 1], [4, 14], [6, 30], [9, 14], [9, 15], [12, 31]]) {
        const midnight = Date.UTC(year, m - 1, d) - 8 * 3_600_000;
        for (const delta of [-3_600_001, -1, 0, 1, 3_599_999, 3_600_000, 43_200_000]) {
          const at = new Date(midnight + delta);
          if (localDay(at) !== zoneDay(at) || isoDay(at) !== zoneDay(at)) differing.push(at.toISOString());
        }
      }
    }
    expect(differing).toEqual([]);
  });

  it('leaves the daylight-saving summers before 1992 and the years past 9999 to the time-zone database', () => {
    // 1991-06-30 23:30 UTC+8 was 00:30 the next day under daylight saving.
    const summer = new Date('1991-06-30T15:30:00Z');
    expect(fixedOffsetDay(summer)).toBeUndefined();
    expect(localDay(summer)).toBe('1991-07-01');
    expect(fixedOffsetDay(new Date('1992-01-01T00:00:00+08:00'))).toBe('1992-01-01');
    expect(fixedOffsetDay(new Date(Date.UTC(10000, 0, 1)))).toBeUndefined();
    expect(localDay(new Date('2026-11-22T23:59:59+08:00'))).toBe('2026-11-22');
  });
});
