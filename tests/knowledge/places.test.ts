import { describe, expect, it } from 'vitest';
import { PlaceMatcher } from '../../src/knowledge/places.ts';
import type { PolicyDocument } from '../../src/knowledge/policy-schema.ts';

// A small gazetteer of its own, so each rule of the scan is seen by itself: the longest name is taken first, a name
// inside a taken one is not counted again, English spellings match in any case and only as whole words, and a place
// whose name begins outside the Basic Multilingual Plane is found like any other.
const places = {
  provinces: ['湖北省', '广东省'],
  cities: { 武汉市: '湖北省', 佛山市: '广东省', 𠮷安市: '广东省' },
  english: { Wuhan: '武汉市', 'Foshan City': '佛山市' },
  national: ['全国'],
};
const documents = [{ region: '湖北省', aliases: ['鄂'] }] as unknown as PolicyDocument[];
const matcher = () => new PlaceMatcher(documents, places as never, () => false, { 𠮷安市: 'jian' });

describe('PlaceMatcher', () => {
  it('finds the places a question names, the longest name first', () => {
    const m = matcher();
    expect(m.match('武汉市的企业能评奖吗')).toEqual({ covered: ['湖北省'], uncovered: [] });
    expect(m.match('佛山市和武汉有什么补贴')).toEqual({ covered: ['湖北省'], uncovered: ['佛山市'] });
    expect(m.match('𠮷安市有质量奖吗').uncovered).toEqual(['𠮷安市']);
    expect(m.match('全国质量奖')).toEqual({ covered: [], uncovered: ['全国'] });
  });

  it('matches English spellings in any case and only as whole words', () => {
    const m = matcher();
    expect(m.match('Does WUHAN give subsidies?').covered).toEqual(['湖北省']);
    expect(m.match('Does wuhanese food count?').covered).toEqual([]);
    expect(m.match('awards in foshan city').uncovered).toEqual(['佛山市']);
    expect(m.match('awards in Foshan  City').uncovered).toEqual([]);
    expect(m.match('Ji An or JIAN?').uncovered).toEqual(['𠮷安市']);
    expect(m.spelledIn('Is Foshan City in scope?')).toEqual(['佛山']);
    expect(m.spelledIn('没有英文')).toEqual([]);
  });
});
