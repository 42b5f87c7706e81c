/** Chinese word segmentation with jieba, extended by the corpus's domain dictionary. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Jieba } from '@node-rs/jieba';

/** jieba's default dictionary, read alone (the package's dict.js also reads its 6 MB idf table, which is never used here). */
function defaultDict(): Buffer {
  return readFileSync(join(dirname(createRequire(import.meta.url).resolve('@node-rs/jieba/package.json')), 'dict.txt'));
}

/** Words carrying no topic: question words, particles and punctuation. */
const STOP = new Set(
  ('的 了 吗 呢 吧 啊 呀 嘛 么 是 有 在 和 与 及 或 等 我 我们 你 你们 他们 咱 咱们 这 那 这个 那个 哪 哪个 哪些 什么 怎么 怎样 如何 多少 几 '
    + '请问 一下 想 要 能 能不能 可以 可不可以 会 就 都 也 还 又 对 给 被 把 从 到 为 个 些 之 其 中 上 下 不 没 没有 请 问 告诉 知道 '
    + 'the a an of to is are what how who which for in on do does can i we you it and or').split(' '),
);

/** A segmenter instance: cuts text into search terms. */
export interface Segmenter {
  /** Cuts text into overlapping search terms (long words and their parts), stop words removed. */
  terms(text: string): string[];
  /** Cuts text into plain words, keeping stop words (for classification). */
  words(text: string): string[];
  /** Cuts text into words with their part-of-speech tags (n noun, v verb, m numeral …). */
  tagged(text: string, hmm?: boolean): { word: string; tag: string }[];
}

/** Builds a segmenter whose dictionary includes the given domain terms. */
export function createSegmenter(domainTerms: string[]): Segmenter {
  const jieba = Jieba.withDict(defaultDict());
  if (domainTerms.length) {
    jieba.loadDict(Buffer.from(domainTerms.map((t) => `${t.replace(/\s+/g, '')} 2000 n`).join('\n')));
  }
  const clean = (ws: string[]) => ws.map((w) => w.trim().toLowerCase()).filter((w) => w && !/^[\p{P}\p{S}\s]+$/u.test(w));
  return {
    terms(text) {
      return clean(jieba.cutForSearch(text, true)).filter((w) => !STOP.has(w));
    },
    words(text) {
      return clean(jieba.cut(text, true));
    },
    tagged(text, hmm = true) {
      return jieba.tag(text, hmm).map((w) => ({ word: w.word.toLowerCase(), tag: w.tag }));
    },
  };
}
