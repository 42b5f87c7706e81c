import { describe, expect, it } from 'vitest';
import { documentAmounts, normalizeDigits, parseChineseNumber } from '../../src/nlu/chinese-numbers.ts';

describe('parseChineseNumber', () => {
  it.each([
    ['零', 0],
    ['一', 1],
    ['两', 2],
    ['十', 10],
    ['十二', 12],
    ['二十', 20],
    ['二十五', 25],
    ['一百零五', 105],
    ['三百五十', 350],
    ['三百五', 350],
    ['两千五', 2500],
    ['一千零五十', 1050],
    ['三千', 3000],
    ['三千元', 3000],
    ['九千元', 9000],
    ['3千', 3000],
    ['1.5万', 15000],
    ['两万五', 25000],
    ['2万5千', 25000],
    ['十万', 100000],
    ['一亿二千万', 120000000],
    ['12', 12],
    ['3.5', 3.5],
    ['１２', 12],
    ['1,000元', 1000],
    ['二零一九', 2019],
    ['一二三', 123],
    ['二零', 20],
    ['人民币3千元', 3000],
  ])('%s → %d', (input, expected) => {
    expect(parseChineseNumber(input)).toBe(expected);
  });

  it.each(['', '元', '万', '三四', '五次', 'abc', '千', '三年'])('rejects %j', (input) => {
    expect(parseChineseNumber(input)).toBeUndefined();
  });
});

describe('normalizeDigits', () => {
  it('converts full-width digits and full stop to ASCII and keeps other text', () => {
    expect(normalizeDigits('注册６年，合格１２次，１．５万')).toBe('注册6年，合格12次，1.5万');
  });
});

describe('documentAmounts', () => {
  it('writes colloquial amounts as documents write them', () => {
    expect(documentAmounts('营收第一次过一个亿奖多少')).toBe('营收第一次过1亿元奖多少');
    expect(documentAmounts('五百万能报吗')).toBe('500万元能报吗');
    expect(documentAmounts('两千万的营收')).toBe('2000万元的营收');
    expect(documentAmounts('1个亿')).toBe('1亿元');
  });
  it('leaves amounts in digits and non-amounts alone', () => {
    expect(documentAmounts('能拿到200万吗')).toBe('能拿到200万吗');
    expect(documentAmounts('千万不要错过')).toBe('千万不要错过');
  });
});
