import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwardFile } from '../../src/dialogue/award-loader.ts';
import {
  extractAnswers,
  findSlotMention,
  isUnsure,
  parseCorrection,
  parseYesNo,
  readSlotAnswer,
  yearsSince,
} from '../../src/dialogue/precheck-extract.ts';
import { ROOT } from '../helpers/run-cli.ts';

/** The Kaiping award, from its rules file. */
const K = loadAwardFile(join(ROOT, 'data/awards/kaiping-excellence.json'));

const NOW = new Date('2026-11-22T10:00:00+08:00');

describe('extractAnswers (one-message profile)', () => {
  it('reads the example profile', () => {
    expect(extractAnswers(K, '开平注册6年的水暖企业，独立法人，能开缴税证明，抽检合格4次，无不合格', NOW)).toEqual({
      plumbingProducts: true,
      registeredInKaiping: true,
      yearsRegistered: 6,
      independentLegalPerson: true,
      taxCertificate: true,
      spotCheckPasses: 4,
      spotCheckFailed: false,
    });
  });

  it('reads a full profile with full-width digits and every condition', () => {
    expect(
      extractAnswers(K, 
        '我们是2018年在开平水口成立的卫浴公司，具有独立法人资格，有纳税证明，证照齐全，近３年省抽国抽合格５次，没有不合格记录，没被投诉也没有处罚',
        NOW,
      ),
    ).toEqual({
      plumbingProducts: true,
      registeredInKaiping: true,
      yearsRegistered: 8,
      independentLegalPerson: true,
      taxCertificate: true,
      compliant: true,
      spotCheckPasses: 5,
      spotCheckFailed: false,
      complaintsOrPenalties: false,
    });
  });

  it('reads disqualifying facts', () => {
    expect(extractAnswers(K, '在佛山注册的，注册不到3年，是分公司，开不了缴税证明，有过一次不合格，被投诉过', NOW)).toEqual({
      registeredInKaiping: false,
      yearsRegistered: 2,
      independentLegalPerson: false,
      taxCertificate: false,
      spotCheckFailed: true,
      complaintsOrPenalties: true,
    });
  });

  it('does not read the award name or the office name as facts', () => {
    expect(extractAnswers(K, '我想预检开平市水暖卫浴产品质量优秀奖，要找开平市市场监督管理局吗', NOW)).toEqual({});
    expect(extractAnswers(K, '预检', NOW)).toEqual({});
  });

  it('does not take "近3年" or "3年内" as registration years', () => {
    expect(extractAnswers(K, '近3年抽检合格4次', NOW)).toEqual({ spotCheckPasses: 4 });
    expect(extractAnswers(K, '3年内合格了3次', NOW)).toEqual({ spotCheckPasses: 3 });
  });

  it('does not take a count without a pass context as the pass count', () => {
    expect(extractAnswers(K, '注册5年，抽检5次，有1次不合格', NOW)).toEqual({ yearsRegistered: 5, spotCheckFailed: true });
  });

  it('does not read bare numbers or bare yes/no outside the current question', () => {
    expect(extractAnswers(K, '5', NOW)).toEqual({});
    expect(extractAnswers(K, '是', NOW)).toEqual({});
    expect(extractAnswers(K, '三年多', NOW)).toEqual({});
  });

  it('ignores statements inside questions', () => {
    expect(extractAnswers(K, '被投诉过还能申报吗？', NOW)).toEqual({});
  });

  it('treats "都合格" as no failed spot check', () => {
    expect(extractAnswers(K, '抽检3次都合格', NOW)).toEqual({ spotCheckPasses: 3, spotCheckFailed: false });
  });
});

describe('readSlotAnswer', () => {
  it('reads "5年" only as years and "5次" only as passes', () => {
    expect(readSlotAnswer(K, 'yearsRegistered', '5年', NOW)).toBe(5);
    expect(readSlotAnswer(K, 'yearsRegistered', '5次', NOW)).toBeUndefined();
    expect(readSlotAnswer(K, 'spotCheckPasses', '5次', NOW)).toBe(5);
    expect(readSlotAnswer(K, 'spotCheckPasses', '5年', NOW)).toBeUndefined();
  });

  it('does not read a failure count as passes', () => {
    expect(readSlotAnswer(K, 'spotCheckPasses', '有过一次不合格', NOW)).toBeUndefined();
    expect(readSlotAnswer(K, 'spotCheckFailed', '合格4次', NOW)).toBeUndefined();
  });

  it('ignores future registration years', () => {
    expect(readSlotAnswer(K, 'yearsRegistered', '2030年注册', NOW)).toBeUndefined();
  });
});

describe('parseYesNo', () => {
  it.each(['是', '对', '有', '嗯', '没错', '可以', '能', '是的', '有的', '对啊', '我们有', '没问题'])('%j → yes', (t) => {
    expect(parseYesNo(t)).toBe(true);
  });
  it.each(['没有', '不是', '无', '否', '不能', '没', '不', '我们没有'])('%j → no', (t) => {
    expect(parseYesNo(t)).toBe(false);
  });
  it.each(['不知道', '不清楚', '可能吧', '你好', ''])('%j → unknown', (t) => {
    expect(parseYesNo(t)).toBeUndefined();
  });
  it('recognises unsure replies', () => {
    expect(isUnsure('不太清楚')).toBe(true);
    expect(isUnsure('没有')).toBe(false);
  });
});

describe('yearsSince', () => {
  it('counts full years from 1 January when only a year is given', () => {
    expect(yearsSince(2019, undefined, undefined, new Date('2026-11-22'))).toBe(7);
    expect(yearsSince(2026, undefined, undefined, new Date('2026-11-22'))).toBe(0);
  });
  it('counts full years up to the given month and day', () => {
    expect(yearsSince(2023, 11, 22, NOW)).toBe(3);
    expect(yearsSince(2023, 11, 23, NOW)).toBe(2);
    expect(yearsSince(2027, 1, 1, NOW)).toBeUndefined();
  });
});

describe('corrections', () => {
  it('finds the slot a correction names', () => {
    expect(findSlotMention(K, '改一下注册年限')?.slot).toBe('yearsRegistered');
    expect(findSlotMention(K, '修改抽检次数')?.slot).toBe('spotCheckPasses');
    expect(findSlotMention(K, '不合格记录说错了')?.slot).toBe('spotCheckFailed');
    expect(findSlotMention(K, '投诉那题答错了')?.slot).toBe('complaintsOrPenalties');
    expect(findSlotMention(K, '法人资格')?.slot).toBe('independentLegalPerson');
  });

  it('parses corrections with and without a new value', () => {
    expect(parseCorrection(K, '改一下注册年限', NOW)).toEqual({ slot: 'yearsRegistered' });
    expect(parseCorrection(K, '注册年限说错了', NOW)).toEqual({ slot: 'yearsRegistered' });
    expect(parseCorrection(K, '注册年限改成5年', NOW)).toEqual({ slot: 'yearsRegistered', value: 5 });
    expect(parseCorrection(K, '注册年限说错了，是2019年注册的', NOW)).toEqual({ slot: 'yearsRegistered', value: 7 });
    expect(parseCorrection(K, '修改抽检次数为4次', NOW)).toEqual({ slot: 'spotCheckPasses', value: 4 });
    expect(parseCorrection(K, '独立法人改一下，不是', NOW)).toEqual({ slot: 'independentLegalPerson', value: false });
    expect(parseCorrection(K, '我刚才说错了', NOW)).toEqual({});
  });

  it('does not treat ordinary answers as corrections', () => {
    expect(parseCorrection(K, '没错', NOW)).toBeUndefined();
    expect(parseCorrection(K, '已经整改完成，都合规', NOW)).toBeUndefined();
    expect(parseCorrection(K, '5年', NOW)).toBeUndefined();
  });
});
