/** Intent classification with natural's naive Bayes classifier, trained from `intents/`. */
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.ts';
import { normalizeText } from './normalize.ts';
import type { Segmenter } from './segmenter.ts';

const require = createRequire(import.meta.url);

/** Default location of the intent training data. */
export const DEFAULT_INTENTS_DIR = new URL('../../intents', import.meta.url).pathname;

/** Schema of one intent file. */
export const intentFileSchema = z.object({
  intent: z.string().regex(/^[a-z_]+$/),
  description: z.string().min(3),
  examples: z.array(z.string().min(1)).min(5),
}).strict();

/** One intent with its training examples. */
export type IntentFile = z.infer<typeof intentFileSchema>;

/** Reads and validates every intent file; a bad file is reported by name and field. */
export function loadIntents(dir: string = DEFAULT_INTENTS_DIR): IntentFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((f) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch (e) {
      throw new DataError(f, 'json', (e as Error).message);
    }
    const r = intentFileSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new DataError(f, issue.path.join('.') || '(root)', issue.message);
    }
    if (`${r.data.intent}.json` !== f) throw new DataError(f, 'intent', `intent "${r.data.intent}" does not match the file name`);
    return r.data;
  });
}

/** A classification: best intent and its share of the probability mass. */
export interface IntentGuess {
  intent: string;
  confidence: number;
}

/** A trained intent classifier. */
export interface IntentClassifier {
  /** Classifies normalised text. */
  classify(text: string): IntentGuess;
  /** Intent names the classifier knows. */
  intents: string[];
}

/** Turns text into classifier features: words plus character bigrams, which survive typos. */
export function features(seg: Segmenter, text: string): string[] {
  const words = seg.words(text);
  const chars = [...text.replace(/\s+/g, '')];
  const bigrams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) bigrams.push(`#${chars[i]}${chars[i + 1]}`);
  return [...words, ...bigrams];
}

type Bayes = InstanceType<typeof import('natural').BayesClassifier>;

/** natural's naive Bayes classifier class, loaded from its own module so natural's index (and dotenv) stays unloaded. */
function bayesClass(): typeof import('natural').BayesClassifier {
  return require('natural/lib/natural/classifiers/bayes_classifier.js') as typeof import('natural').BayesClassifier;
}

/** Hash of the training data, so a cached model is used only while it matches. */
export function intentsHash(intents: IntentFile[]): string {
  const h = createHash('sha256').update(JSON.stringify(intents));
  // The model also depends on how text becomes features.
  for (const f of ['./intent-classifier.ts', './segmenter.ts', './normalize.ts'].map((x) => new URL(x, import.meta.url))) if (existsSync(f)) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/**
 * Gives a model natural's own feature vector (1 where the vocabulary's feature occurs in the observation, in the
 * vocabulary's order) through a set lookup, instead of natural's `indexOf` over the observation for every feature of
 * the vocabulary: the same vector and so the same classification, a few milliseconds sooner per question.
 */
function fastFeatures(clf: Bayes): void {
  const vocabulary = Object.keys((clf as unknown as { features: Record<string, unknown> }).features);
  (clf as unknown as { textToFeatures: (o: string[]) => number[] }).textToFeatures = (observation) => {
    const present = new Set(observation);
    return vocabulary.map((f) => (present.has(f) ? 1 : 0));
  };
}

/**
 * natural's scores computed from the features a question has rather than the whole vocabulary: its Bayes model walks
 * the dense 0/1 vector from the last feature to the first and adds a log for each 1, for every intent. Adding the very
 * same logs in the very same order (the present features, last first) gives the same doubles, so the same ranking and
 * confidence, without touching the few thousand features a question does not have.
 */
function sparseScores(clf: Bayes): (observation: string[]) => { label: string; value: number }[] {
  const position = new Map(Object.keys((clf as unknown as { features: Record<string, unknown> }).features).map((f, i) => [f, i]));
  const model = (clf as unknown as { classifier: { classFeatures: Record<string, Record<number, number>>; classTotals: Record<string, number>; totalExamples: number; smoothing: number } }).classifier;
  return (observation) => {
    const at = [...new Set(observation.map((f) => position.get(f)).filter((i): i is number => i !== undefined))].sort((a, b) => b - a);
    const labels: { label: string; value: number }[] = [];
    for (const label in model.classFeatures) {
      let prob = 0;
      for (const i of at) prob += Math.log((model.classFeatures[label][i] || model.smoothing) / model.classTotals[label]);
      labels.push({ label, value: (model.classTotals[label] / model.totalExamples) * Math.exp(prob) });
    }
    return labels.sort((x, y) => y.value - x.value);
  };
}

/** Wraps a trained Bayes model as an IntentClassifier. */
function wrap(clf: Bayes, seg: Segmenter, intents: string[]): IntentClassifier {
  fastFeatures(clf);
  const scoresOf = sparseScores(clf);
  return {
    intents,
    classify(text) {
      const f = features(seg, text);
      if (f.length === 0) return { intent: 'out_of_scope', confidence: 0 };
      const scores = scoresOf(f);
      const total = scores.reduce((s, c) => s + c.value, 0) || 1;
      return { intent: scores[0].label, confidence: scores[0].value / total };
    },
  };
}

/** Trains a naive Bayes classifier on the intent files. */
export function trainModel(seg: Segmenter, intents: IntentFile[]): Bayes {
  const BayesClassifier = bayesClass();
  const clf = new BayesClassifier();
  for (const it of intents) {
    for (const ex of it.examples) clf.addDocument(features(seg, normalizeText(ex)), it.intent);
  }
  clf.train();
  return clf;
}

/** Trains a classifier from the intent files. */
export function trainClassifier(seg: Segmenter, intents: IntentFile[]): IntentClassifier {
  return wrap(trainModel(seg, intents), seg, intents.map((i) => i.intent));
}

/** Writes the trained model next to the knowledge index, keyed by the training data's hash. */
export function writeModel(seg: Segmenter, intents: IntentFile[], path: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ hash: intentsHash(intents), model: trainModel(seg, intents) }));
  renameSync(tmp, path);
}

/** Restores the cached model when it matches the intent files, otherwise trains afresh in memory. */
export function loadClassifier(seg: Segmenter, intents: IntentFile[], cachePath: string): IntentClassifier {
  if (existsSync(cachePath)) {
    try {
      const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as { hash: string; model: unknown };
      if (cached.hash === intentsHash(intents)) {
        return wrap(bayesClass().restore(cached.model as Parameters<ReturnType<typeof bayesClass>['restore']>[0]), seg, intents.map((i) => i.intent));
      }
    } catch {
      // A damaged cache is ignored; the model is retrained below.
    }
  }
  return trainClassifier(seg, intents);
}
