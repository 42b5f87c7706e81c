import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as OpenCC from 'opencc-js/t2cn';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/knowledge/policy-loader.ts';
import { mayChange, normalizeText, simplify } from '../../src/nlu/normalize.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

describe('Traditional → Simplified without building the converter for text that has nothing to convert', () => {
  const reference = OpenCC.Converter({ from: 'hk', to: 'cn' });
  const index = buildIndex();
  const evalTexts = readdirSync(root('eval')).filter((f) => f.endsWith('.jsonl')).flatMap((f) =>
    readFileSync(root(`eval/${f}`), 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
      const item = JSON.parse(l) as { question?: string; turns?: { text?: string }[] };
      return [item.question ?? '', ...(item.turns ?? []).map((t) => t.text ?? '')];
    }));
  const cjk = Array.from({ length: 0x9fff - 0x3400 + 1 }, (_, i) => String.fromCodePoint(0x3400 + i));
  const texts = [...cjk, ...index.units.map((u) => u.text), ...evalTexts, '優秀獎獎金多少', '开平優秀奖', '乾隆', '髮', '后台'];

  it('leaves unchanged every text in which no dictionary key occurs, as the full converter does', () => {
    const skipped = texts.filter((t) => !mayChange(t));
    expect(skipped.length).toBeGreaterThan(10_000);
    expect(skipped.filter((t) => reference(t) !== t)).toEqual([]);
  });

  it('converts Traditional text, and every text, as the full converter does', () => {
    expect(simplify('優秀獎獎金多少')).toBe('优秀奖奖金多少');
    expect(normalizeText('開平抽檢不合格還能評獎嗎')).toBe('开平抽检不合格还能评奖吗');
    expect(texts.filter((t) => simplify(t) !== reference(t))).toEqual([]);
  });
});
