import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/knowledge/policy-loader.ts';
import { extractEntities } from '../../src/nlu/entities.ts';
import { loadIntents } from '../../src/nlu/intent-classifier.ts';
import { normalizeText } from '../../src/nlu/normalize.ts';
import { createSegmenter } from '../../src/nlu/segmenter.ts';
import { knowledge } from '../helpers/knowledge.ts';

describe('segmenter with the corpus dictionary', () => {
  const dict = buildIndex().dictionary;
  const seg = createSegmenter(dict);

  it('keeps domain terms whole and lets 质量优秀奖 and 优秀奖 meet', () => {
    for (const t of ['水暖卫浴', '质量优秀奖', '监督抽查', '首席质量官', '管理体系认证']) expect(dict).toContain(t);
    expect(seg.words('水暖卫浴企业')).toContain('水暖卫浴');
    const long = seg.terms('质量优秀奖奖金多少');
    expect(long).toContain('质量优秀奖');
    expect(long).toContain('优秀奖');
    expect(seg.terms('优秀奖')).toContain('优秀奖');
  });
});

describe('intent training data', () => {
  it('has at least 15 intents with at least 20 examples each', () => {
    const intents = loadIntents();
    expect(intents.length).toBeGreaterThanOrEqual(15);
    for (const i of intents) expect(i.examples.length).toBeGreaterThanOrEqual(20);
  });

  it('reports a bad intent file by name and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'intents-'));
    writeFileSync(join(dir, 'greeting.json'), JSON.stringify({ intent: 'greeting', description: 'hello', examples: ['你好', 3] }));
    expect(() => loadIntents(dir)).toThrowError(/greeting\.json: examples\.1/);
  });

  it('classifies colloquial, Traditional and English questions', () => {
    const k = knowledge();
    const intent = (q: string) => k.classifier.classify(normalizeText(q)).intent;
    expect(intent('优秀奖奖金多少')).toBe('award_amount');
    expect(intent('優秀獎獎金多少')).toBe('award_amount');
    expect(intent('公示期几天')).toBe('publicity');
    expect(intent('我要订阅通知')).toBe('subscribe');
    expect(intent('中山首席质量官谁牵头')).toBe('department_lookup');
  });
});

describe('entities', () => {
  it('finds places named, counts and dates', () => {
    const e = extractEntities(normalizeText('江门质量管理体系认证，开平优秀奖合格五次，2024年3月1日获奖，注册3年'));
    expect(e.otherPlaces).toEqual(expect.arrayContaining(['江门', '开平']));
    expect(e.times).toBe(5);
    expect(e.years).toBe(3);
    expect(e.dates).toEqual(['2024-03-01']);
    expect(extractEntities('佛山有补贴吗').otherPlaces).toEqual(['佛山']);
  });

  it('tells places the loaded documents cover (also by a town they name) from places they do not', () => {
    const k = knowledge();
    expect(k.places.match('水口镇的企业能评奖吗').covered).toEqual(['开平市']);
    expect(k.places.match('成都有什么消费品质量提升任务').covered).toEqual(['四川省']);
    expect(k.places.match('佛山有没有质量奖').uncovered).toEqual(['佛山']);
    expect(k.places.match('Does Shenzhen give subsidies?').uncovered).toEqual(['深圳市']);
  });
});
