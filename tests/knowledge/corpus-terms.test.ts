import { describe, expect, it } from 'vitest';
import type { Unit } from '../../src/knowledge/policy-schema.ts';
import { UnitSearch } from '../../src/knowledge/search.ts';
import { createSegmenter } from '../../src/nlu/segmenter.ts';

const unit = (id: string, text: string, line: number): Unit => ({ id, docId: 'd', title: '示例通知', region: '示例市', article: '', heading: '', text, kind: 'article', line });

describe('whether the corpus uses a run of characters (knows)', () => {
  const units = [unit('a', '首次获得省政府质量奖的企业，一次性奖励50万元。', 1), unit('b', '通过 ISO9001 质量管理体系认证的，给予补助。', 2)];
  const search = new UnitSearch(units, createSegmenter([]));

  it('finds a run inside a clause, across word boundaries, spaces and case as the corpus text keeps them', () => {
    for (const run of ['政府质量奖', '奖的企业', '奖励50万', 'iso9001质量', '补助', '励']) expect(search.knows(run), run).toBe(true);
  });

  it('does not find a run whose characters each occur but never next to each other, nor one spanning two clauses', () => {
    for (const run of ['奖励60万', '质量补助', '企业认证', '万元。通过', '鑫']) expect(search.knows(run), run).toBe(false);
  });

  it('gives the same verdict when asked again', () => {
    expect(search.knows('奖励60万')).toBe(false);
    expect(search.knows('奖励50万')).toBe(true);
  });
});
