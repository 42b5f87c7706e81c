/** Date conditions on what may be claimed, judged against the date a user states of their own thing. */
import { describe, expect, it } from 'vitest';
import { dateConditionsOf, decideByDate, meets, statedDate } from '../../src/knowledge/date-condition.ts';

const clause = (text: string) => ({ text });

describe('date conditions', () => {
  it('reads the date a user gives their own thing, as a span', () => {
    expect(statedDate('2023年发布的标准还能报吗')).toEqual({ from: '2023-01-01', to: '2023-12-31', verb: '发布' });
    expect(statedDate('2024年3月取得的证书算不算')).toEqual({ from: '2024-03-01', to: '2024-03-31', verb: '取得' });
    expect(statedDate('2026年还能申报吗')).toBeUndefined();
  });

  it('reads after, before and between bounds, with or without the day itself', () => {
    expect(dateConditionsOf(clause('申报的标准，其发布时间应在2024年1月1日之后（含当日）。'), '发布')).toEqual([{ sentence: 0, from: '2024-01-01' }]);
    expect(dateConditionsOf(clause('标准须在2024年1月1日以后发布。'), '发布')).toEqual([{ sentence: 0, from: '2024-01-02' }]);
    expect(dateConditionsOf(clause('资助范围为2024年1月1日至2024年12月31日期间正式发布的标准。'), '发布')).toEqual([{ sentence: 0, from: '2024-01-01', to: '2024-12-31' }]);
    expect(dateConditionsOf(clause('于2025年7月15日前将申报材料报送。'), '发布')).toEqual([]);
  });

  it('says yes inside the bound, no outside it, and nothing when the user’s span straddles it', () => {
    expect(meets({ from: '2023-01-01', to: '2023-12-31' }, { from: '2024-01-01' })).toBe(false);
    expect(meets({ from: '2024-03-01', to: '2024-03-31' }, { from: '2024-01-01' })).toBe(true);
    expect(meets({ from: '2024-01-01', to: '2024-12-31' }, { from: '2024-06-01' })).toBeUndefined();
  });

  it('picks the close clause that decides, not the first one', () => {
    const units = [clause('《某市标准化补助申请表》；'), clause('申报补助的标准，其发布时间应在2024年1月1日之后（含当日）；2023年及以前发布的标准不予补助。')];
    expect(decideByDate('2023年发布的标准还能申请补助吗', units)).toEqual({ index: 1, sentence: 0, ok: false });
    expect(decideByDate('2024年5月发布的标准能申请补助吗', units)).toEqual({ index: 1, sentence: 0, ok: true });
  });
});
