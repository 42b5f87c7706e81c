import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../src/nlu/segmenter.ts';

// A short text's cut is remembered: a repeated cut must equal a fresh segmenter's, and a caller changing the words it
// got back must not change what the next caller gets.
describe('segmenter: remembered cuts', () => {
  const texts = ['质量优秀奖奖金多少', '首席质量官', 'How much is the Kaiping quality award?', '开平水暖卫浴产品质量优秀奖', '出的钱'];

  it('cuts a text the same the second time as a fresh segmenter does the first', () => {
    const seg = createSegmenter(['首席质量官', '质量优秀奖']);
    for (const t of texts) seg.terms(t), seg.words(t), seg.tagged(t), seg.tagged(t, false);
    const fresh = createSegmenter(['首席质量官', '质量优秀奖']);
    for (const t of texts) {
      expect(seg.terms(t)).toEqual(fresh.terms(t));
      expect(seg.words(t)).toEqual(fresh.words(t));
      expect(seg.tagged(t)).toEqual(fresh.tagged(t));
      expect(seg.tagged(t, false)).toEqual(fresh.tagged(t, false));
    }
  });

  it('gives every caller its own words', () => {
    const seg = createSegmenter([]);
    const first = seg.words('质量优秀奖奖金多少');
    const expected = [...first];
    first.reverse().push('改动');
    const tags = seg.tagged('质量优秀奖奖金多少');
    tags[0].word = '改动';
    const terms = seg.terms('质量优秀奖奖金多少');
    terms.length = 0;
    expect(seg.words('质量优秀奖奖金多少')).toEqual(expected);
    expect(seg.tagged('质量优秀奖奖金多少')[0].word).not.toBe('改动');
    expect(seg.terms('质量优秀奖奖金多少').length).toBeGreaterThan(0);
  });
});
