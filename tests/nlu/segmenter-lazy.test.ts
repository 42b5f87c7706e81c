import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Jieba } from '@node-rs/jieba';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/knowledge/policy-loader.ts';
import { buildCompact, CACHE_DIR, DamagedDictionary, openCompact, openDefaultDictionary } from '../../src/nlu/jieba-dictionary.ts';
import { createSegmenter, type Segmenter } from '../../src/nlu/segmenter.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** Every question and dialogue turn of the eval sets. */
function evalTexts(): string[] {
  const texts: string[] = [];
  for (const f of readdirSync(root('eval')).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(root(`eval/${f}`), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const item = JSON.parse(line) as { question?: string; turns?: { text?: string }[] };
      if (item.question) texts.push(item.question);
      for (const t of item.turns ?? []) if (t.text) texts.push(t.text);
    }
  }
  return texts;
}

/** Texts that reach jieba's corners: mixed scripts, Traditional, digits, whitespace runs, symbols, control characters. */
const CORNERS = [
  '',
  ' ',
  '\r\n\t  ',
  '優秀獎獎金多少',
  'Does Shenzhen give subsidies? 4S店 4s店 iPhone15 C++ C# 1.5% 3,000元',
  '南京市长江大桥',
  '我们中出了一个叛徒👪',
  '\u0001jieba-total\u0001 a\u0001b',
  '质量优秀奖奖金多少质量优秀奖',
  '侵华日军南京大屠杀遇难同胞纪念馆',
  'ＡＢＣ１２３，。！？【】',
  '𠀀𠀁𪚥 丂丄',
  '开平市水口镇水暖卫浴企业抽检合格4次，能不能申报优秀奖？',
];

/** The three outputs a caller sees, for both of jieba's modes where the segmenter offers them. */
function cuts(seg: Segmenter, text: string): string {
  return JSON.stringify([seg.terms(text), seg.words(text), seg.tagged(text), seg.tagged(text, false)]);
}

describe('the lazily loaded jieba dictionary', () => {
  const index = buildIndex();
  const texts = [...index.units.flatMap((u) => [u.text, u.heading, u.title]), ...evalTexts(), ...CORNERS];

  it('cuts every clause of the corpus and every eval question exactly as the whole dictionary does', () => {
    const full = createSegmenter(index.dictionary, { dictionary: 'full' });
    const lazy = createSegmenter(index.dictionary, { dictionary: 'lazy' });
    expect(texts.length).toBeGreaterThan(1000);
    const differing = texts.filter((t) => cuts(lazy, t) !== cuts(full, t));
    expect(differing).toEqual([]);
  });

  it('cuts the same texts alike in a fresh instance in reverse order, and when `auto` switches to the whole dictionary midway', () => {
    const full = createSegmenter(index.dictionary, { dictionary: 'full' });
    const lazy = createSegmenter(index.dictionary, { dictionary: 'lazy' });
    const auto = createSegmenter(index.dictionary, { fullAfter: 5_000 });
    const reversed = [...texts].reverse();
    expect(reversed.filter((t) => cuts(lazy, t) !== cuts(full, t))).toEqual([]);
    expect(reversed.filter((t) => cuts(auto, t) !== cuts(full, t))).toEqual([]);
  });

  it('ignores a damaged record of how the domain terms meet jieba’s dictionary, and cuts alike', () => {
    const record = join(CACHE_DIR, 'jieba-domain.json');
    for (const bad of ['{"key":', JSON.stringify({ key: 'another corpus', total: 1, loadedSum: 1, found: [] })]) {
      writeFileSync(record, bad);
      const lazy = createSegmenter(index.dictionary, { dictionary: 'lazy' });
      const full = createSegmenter(index.dictionary, { dictionary: 'full' });
      const sample = texts.filter((_, i) => i % 7 === 0);
      expect(sample.filter((t) => cuts(lazy, t) !== cuts(full, t))).toEqual([]);
    }
  });

  it('cuts alike with the whole dictionary when the cache file turns out damaged while cutting', () => {
    const cache = join(CACHE_DIR, 'jieba-dict.bin');
    createSegmenter(index.dictionary, { dictionary: 'lazy' }).terms('开平');
    const bytes = readFileSync(cache);
    bytes.fill(0x5a, bytes.length - 3_000_000);
    writeFileSync(cache, bytes);
    const lazy = createSegmenter(index.dictionary, { dictionary: 'lazy' });
    const full = createSegmenter(index.dictionary, { dictionary: 'full' });
    const sample = texts.filter((_, i) => i % 5 === 0);
    expect(sample.filter((t) => cuts(lazy, t) !== cuts(full, t))).toEqual([]);
    expect(existsSync(cache)).toBe(false);
    createSegmenter(index.dictionary, { dictionary: 'lazy' });
    expect(existsSync(cache)).toBe(true);
  });

  it('gives a domain term that is also a jieba word its domain frequency and keeps jieba’s tag, as a full load does', () => {
    // 优秀 and 奖金 are jieba words (优秀 an adjective, a); as domain terms they get frequency 2000 and keep their tags.
    const terms = ['优秀', '质量优秀奖', '奖金'];
    const full = createSegmenter(terms, { dictionary: 'full' });
    const lazy = createSegmenter(terms, { dictionary: 'lazy' });
    for (const t of ['质量优秀奖奖金多少', '优秀的产品', '优秀奖金']) expect(cuts(lazy, t)).toBe(cuts(full, t));
    expect(lazy.tagged('优秀')[0]).toEqual({ word: '优秀', tag: 'a' });
    expect(full.tagged('优秀')[0]).toEqual({ word: '优秀', tag: 'a' });
  });
});

describe('the compact dictionary cache', () => {
  const dictTxt = readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'), 'utf8');
  const fresh = () => join(mkdtempSync(join(tmpdir(), 'jieba-cache-')), 'sub', 'dict.bin');
  /** One cache built at the start, copied by the tests that need a good file. */
  let built = '';
  beforeAll(() => {
    built = fresh();
    openDefaultDictionary(built);
  });

  it('is built when missing, then opened as it is', () => {
    const file = fresh();
    mkdirSync(dirname(file));
    copyFileSync(built, file);
    const mtime = statSync(file).mtimeMs;
    const opened = openDefaultDictionary(file);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(opened.count).toBeGreaterThan(340_000);
    const i = opened.find('长江大桥');
    expect(opened.word(i)).toBe('长江大桥');
    expect(opened.find('长江大桥不是词')).toBe(-1);
  });

  it('holds dict.txt’s words, frequencies, tags and total', () => {
    const d = openDefaultDictionary(built);
    let total = 0;
    const lines = dictTxt.split('\n').filter((l) => l.trim());
    for (const line of lines) total += Number(line.split(' ')[1]);
    expect(d.total).toBe(total);
    for (const line of [lines[0], lines[1000], lines[200_000], lines.at(-1)!]) {
      const i = d.find(line.split(' ')[0]);
      expect(`${d.word(i)} ${d.freq(i)} ${d.tag(i)}`).toBe(line.trim());
    }
  });

  it('resolves a dictionary as jieba does: first tag and last frequency of a repeated word, 0 and "" when absent', () => {
    const file = buildCompact(Buffer.from('甲乙 3 n\n丙 4\n\n甲乙 5 v\n丁\r\n𠀀 7 x'), { size: 1, mtimeMs: 1, version: 't' });
    const d = openCompact((pos, length) => new Uint8Array(file.subarray(pos, pos + length)), file.length)!;
    const entry = (w: string) => [d.freq(d.find(w)), d.tag(d.find(w))];
    expect([entry('甲乙'), entry('丙'), entry('丁'), entry('𠀀')]).toEqual([[5, 'n'], [4, ''], [0, ''], [7, 'x']]);
    expect(d.total).toBe(16);
    const found: string[] = [];
    d.wordsIn('丙甲乙丁𠀀甲', (i) => found.push(d.word(i)));
    expect(found).toEqual(['丙', '甲乙', '丁', '𠀀']);
    // The same resolution in jieba itself: 甲乙 keeps its first tag.
    const jieba = new Jieba();
    jieba.loadDict(Buffer.from('甲乙 3 n\n丙 4\n\n甲乙 5 v\n丁\r\n𠀀 7 x'));
    expect(jieba.tag('甲乙', false)).toEqual([{ word: '甲乙', tag: 'n' }]);
  });

  it('is rebuilt when damaged or made from another dictionary', () => {
    const file = fresh();
    for (const bad of [readFileSync(built).subarray(0, 1000), buildCompact(Buffer.from('甲乙 3 n\n'), { size: 1, mtimeMs: 1, version: 'other' })]) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bad);
      expect(openDefaultDictionary(file).find('长江')).toBeGreaterThanOrEqual(0);
      expect(readFileSync(file).equals(readFileSync(built))).toBe(true);
    }
  });

  it('notices a damaged block when it reads it, removes the file, and builds it again at the next open', () => {
    const file = fresh();
    mkdirSync(dirname(file), { recursive: true });
    const bytes = readFileSync(built);
    // The header and directory stay whole; every block after them is overwritten.
    bytes.fill(0x5a, bytes.length - 3_000_000);
    writeFileSync(file, bytes);
    const damaged = openDefaultDictionary(file);
    expect(() => damaged.find('长江')).toThrow(DamagedDictionary);
    expect(existsSync(file)).toBe(false);
    expect(openDefaultDictionary(file).word(openDefaultDictionary(file).find('长江'))).toBe('长江');
    expect(readFileSync(file).equals(readFileSync(built))).toBe(true);
  });

  it('works from memory when the cache cannot be written', () => {
    // A regular file where the cache's directory should be: not writable, whoever runs the test.
    const blocker = join(mkdtempSync(join(tmpdir(), 'jieba-cache-')), 'not-a-directory');
    writeFileSync(blocker, '');
    const d = openDefaultDictionary(join(blocker, 'dict.bin'));
    expect(d.word(d.find('长江'))).toBe('长江');
  });
});
