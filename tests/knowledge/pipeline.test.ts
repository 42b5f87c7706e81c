/** The answerer as a pipeline: a question frame that can be stored, edited and answered again, and a trace of the answerers. */
import { describe, expect, it } from 'vitest';
import { answerFrame, answerQuestion, understand, withContext } from '../../src/knowledge/answer.ts';
import { ANSWERERS } from '../../src/knowledge/pipeline.ts';
import { questionFrameSchema } from '../../src/nlu/frame.ts';
import { ASKED, knowledge, docIdOf } from '../helpers/knowledge.ts';

const k = () => knowledge();

describe('question frame', () => {
  it('holds the type, places, awards, documents, weighted terms, facts and script, and survives JSON', () => {
    const f = understand(k(), '開平優秀獎合格5次能拿多少錢');
    expect(f.script).toBe('traditional');
    expect(f.type).toBe('money');
    expect(f.places.covered).toEqual(['开平市']);
    expect(f.awards.some((a) => a.endsWith('优秀奖'))).toBe(true);
    expect(f.documents).toContain(docIdOf('kaiping-award'));
    expect(f.facts.times).toBe(5);
    expect(f.terms.length).toBeGreaterThan(2);
    const stored = questionFrameSchema.parse(JSON.parse(JSON.stringify(f)));
    expect(answerFrame(k(), stored, ASKED).answer).toBe(answerQuestion(k(), '開平優秀獎合格5次能拿多少錢', ASKED).answer);
  });

  it('marks a question about a document itself, and one naming a place and nothing else', () => {
    expect(understand(k(), '开平优秀奖的办法还有效吗').about.validity).toBe(true);
    expect(understand(k(), '江门的方案是哪天印发的').about.issuance).toBe(true);
    expect(understand(k(), '江门有哪些政策').about.documentList).toBe(true);
    expect(understand(k(), '江门质量管理体系认证目标多少家').about).toEqual({ documentList: false, validity: false, issuance: false });
  });

  it('reads past invisible format characters: a zero-width space inside 公示 changes nothing', () => {
    const plain = answerQuestion(k(), '开平优秀奖公示几天', ASKED);
    const hidden = answerQuestion(k(), '开平优秀奖公\u200b示几天\u200f', ASKED);
    expect(plain.answer).toContain('10天');
    expect(hidden.answer).toBe(plain.answer);
    expect(answerQuestion(k(), '\ufeff开平优秀奖公\u00ad示几天', ASKED).answer).toBe(plain.answer);
  });
});

describe('answering an edited frame', () => {
  it('answers for another place when the frame\'s places are changed', () => {
    const f = understand(k(), '江门质量管理体系认证目标多少家');
    expect(answerFrame(k(), f, ASKED).citations[0].title).toContain('江门');
    const zhongshan = { ...f, places: { covered: ['中山市'], uncovered: [] }, terms: f.terms.filter(([t]) => !'江门市'.includes(t)) };
    const a = answerFrame(k(), zhongshan, ASKED);
    expect(a.citations[0].title).toContain('中山');
    expect(a.frame?.places.covered).toEqual(['中山市']);
  });

  it('answers a follow-up against its topic: "中山呢？" asks the same for Zhongshan, "那公示几天？" keeps the award', () => {
    const topic = understand(k(), '江门质量管理体系认证目标多少家');
    const place = answerFrame(k(), withContext(understand(k(), '中山呢？'), topic), ASKED);
    expect(place.citations[0].title).toContain('中山');
    expect(place.answer).toMatch(/质量管理体系/);
    const award = understand(k(), '开平优秀奖奖金多少');
    const publicity = answerFrame(k(), withContext(understand(k(), '那公示几天？'), award), ASKED);
    expect(publicity.answer).toContain('10天');
    expect(publicity.citations[0].title).toContain('开平市水暖卫浴产品质量优秀奖');
  });
});

describe('trace', () => {
  it('names the answerer that answered, why each one before it declined, and the top clauses with scores', () => {
    const a = answerQuestion(k(), '开平优秀奖奖金多少', ASKED, { explain: true });
    const steps = a.trace!.steps;
    expect(steps.at(-1)).toEqual({ answerer: 'clause' });
    expect(steps.slice(0, -1).every((s) => typeof s.declined === 'string' && s.declined.length > 0)).toBe(true);
    expect(steps.map((s) => s.answerer)).toEqual(ANSWERERS.slice(0, steps.length).map((x) => x.name));
    // The clause the answer cites is among the top clauses the trace lists (the award's title words rank no clause first).
    expect(a.citations[0].article).toBe('第七条');
    expect(a.trace!.clauses.map((c) => c.article)).toContain('第七条');
    expect(a.trace!.clauses[0].score).toBeGreaterThan(0);
    expect(answerQuestion(k(), '开平优秀奖奖金多少', ASKED).trace).toBeUndefined();
  });
});
