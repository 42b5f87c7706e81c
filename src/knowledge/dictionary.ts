/** Builds the segmenter's domain dictionary from the corpus, so domain terms stay whole words. */
import type { PolicyDocument, Unit } from './policy-schema.ts';

/** Collects domain terms: the glossary's, plus titles' places, awards, quoted phrases and department names found in the units. */
export function buildDictionary(units: Unit[], documents: PolicyDocument[], glossaryTerms: readonly string[] = []): string[] {
  const terms = new Set<string>(glossaryTerms);
  const add = (t: string) => {
    const s = t.trim();
    if (s.length >= 2 && s.length <= 12 && /^[\u4e00-\u9fffA-Za-z0-9]+$/.test(s)) terms.add(s);
  };
  for (const d of documents) {
    if (d.region) add(d.region);
    for (const a of [...d.aliases, ...d.awards]) add(a);
  }
  for (const u of units) {
    for (const m of u.text.matchAll(/[“"]([^”"]{2,12})[”"]/g)) add(m[1]);
    for (const m of u.text.matchAll(/(?:市|省)?[\u4e00-\u9fff]{1,8}?(?:局|处|院|站|所|海关|协会|管委会)(?=[、，,；;）)\s]|$)/g)) add(m[0]);
    for (const m of u.text.matchAll(/[\u4e00-\u9fff]{2,6}(?:认证|体系|奖)/g)) if (m[0].length <= 8) add(m[0]);
  }
  return [...terms].sort();
}
