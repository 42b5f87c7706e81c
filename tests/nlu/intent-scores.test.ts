import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readItems } from '../../eval/score.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { features, loadIntents, trainClassifier, trainModel } from '../../src/nlu/intent-classifier.ts';
import { normalizeText } from '../../src/nlu/normalize.ts';

// The classifier scores a question from the features it has; natural's own model walks its whole vocabulary. Every
// eval question and every training example must get the very same intent and confidence (to the last bit) both ways.
describe('intent classification from a question’s own features', () => {
  it('gives natural’s own intent and confidence for every eval question and intent example', () => {
    const { segmenter } = loadKnowledge();
    const intents = loadIntents();
    const ours = trainClassifier(segmenter, intents);
    const natural = trainModel(segmenter, intents);
    const evalDir = fileURLToPath(new URL('../../eval/', import.meta.url));
    const texts = [
      ...readdirSync(evalDir).filter((f) => f.endsWith('.jsonl') && f !== 'dialogues.jsonl').flatMap((f) => readItems(evalDir + f).map((i) => i.question)),
      ...intents.flatMap((i) => i.examples),
      'Does WUHAN give subsidies?', '？？', '优秀奖 优秀奖 优秀奖 奖金',
    ].map((t) => normalizeText(t));
    let compared = 0;
    for (const text of texts) {
      const f = features(segmenter, text);
      if (f.length === 0) continue;
      const scores = natural.getClassifications(f as unknown as string);
      const total = scores.reduce((s, c) => s + c.value, 0) || 1;
      expect(ours.classify(text), text).toEqual({ intent: scores[0].label, confidence: scores[0].value / total });
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });
});
