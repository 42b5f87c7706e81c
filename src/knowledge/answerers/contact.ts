/**
 * "有问题打谁电话", "咨询电话多少": a notice's contact section ("八、联系方式", "（联系人：王工；联系电话：…）") speaks
 * for the whole notice, though it shares no word with the question's topic. When no close clause of its own gives a
 * phone, the contact lines of the asked document's contact section answer, each office once.
 */
import { questionPattern } from '../../nlu/glossary.ts';
import { partsOf } from '../../nlu/question.ts';
import { citationOf, excerptOf, finish, period, sourceLines, tidyFact } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { unitsOf } from '../corpus.ts';
import { sentencesOf } from '../facts.ts';
import type { Knowledge } from '../knowledge.ts';
import type { Unit } from '../policy-schema.ts';

/** Longest lead of contact lines, in characters. */
const CONTACT_MAX = 120;

/** Whether a unit lies in a contact section, or is itself a labelled contact line. */
function inContactSection(k: Knowledge, u: Unit): boolean {
  const section = questionPattern(k.glossary, 'contactSection');
  return section.test(u.heading) || sentencesOf(u).some((s) => section.test(s));
}

/** The sentences of a unit that give a phone, tidied ("省市场监管局质量发展处：王工，0851-86597315"). */
function contactLines(u: Unit): { text: string; sentence: number; phones: string[] }[] {
  const sentences = sentencesOf(u);
  const facts = (u.facts ?? []).filter((f) => f.type === 'contact');
  const at = [...new Set(facts.map((f) => f.sentence))];
  // A labelled line broken in two ("联系人：王工；" "联系电话：…") reads as one.
  return at.map((i) => {
    const before = i > 0 && !facts.some((f) => f.sentence === i - 1) && sentences[i - 1].length <= 16 && /[：:][^：:]+[；;，,]$/.test(sentences[i - 1]) ? sentences[i - 1] : '';
    const text = tidyFact(`${before}${sentences[i]}`).replace(/^[（(]([^（()）]*)[）)]$/, '$1').replace(/[。；;，,]$/, '');
    return { text, sentence: i, phones: facts.filter((f) => f.sentence === i).map((f) => f.text.replace(/\D/g, '')) };
  });
}

/** Answers how to reach the office of the asked notice from its contact section. */
export const contact: Answerer = {
  name: 'contact section',
  answer: ({ k, q, question, intent, clauses, now }) => {
    const words = k.glossary.questionWords.contact;
    if (!words.some((w) => q.toLowerCase().includes(w.toLowerCase()))) return decline('does not ask how to reach anyone');
    if (partsOf(q, k.glossary).length > 1) return decline('the message asks several things');
    const top = clauses.hits[0];
    if (!top) return decline('no clause is close to the question');
    const near = clauses.hits.filter((h, i) => i < 3 && h.score >= top.score * 0.6);
    // A close clause of its own that gives a phone answers (the typed fact), not the notice's section.
    if (near.some((h) => !inContactSection(k, h.unit) && (h.unit.facts ?? []).some((f) => f.type === 'contact'))) return decline('a close clause gives a phone of its own');
    const docId = top.unit.docId;
    const units = unitsOf(k, docId).filter((u) => (u.facts ?? []).some((f) => f.type === 'contact') && inContactSection(k, u));
    if (!units.length) return decline('the asked document has no contact section');
    const seen = new Set<string>();
    const picked: { unit: Unit; text: string; sentence: number }[] = [];
    for (const u of units) {
      for (const line of contactLines(u)) {
        if (line.phones.every((p) => seen.has(p))) continue;
        line.phones.forEach((p) => seen.add(p));
        picked.push({ unit: u, text: line.text, sentence: line.sentence });
      }
    }
    const lines: string[] = [];
    for (const p of picked) if (!lines.length || [...lines, p.text].join('；').length <= CONTACT_MAX) lines.push(p.text);
    const first = picked[0];
    const doc = k.documents.find((d) => d.id === docId);
    const c = citationOf(first.unit, excerptOf(first.unit, first.sentence, []));
    return finish(k, question, intent, [period(lines.join('；')), ...sourceLines(c)], [c], doc, now);
  },
};
