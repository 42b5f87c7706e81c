import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGlossary } from '../../src/nlu/glossary.ts';
import { askedObject, partsOf, questionType } from '../../src/nlu/question.ts';
import { verdictOf } from '../../src/knowledge/yesno.ts';

/** The project's glossary as JSON, edited by `edit`, written to a fresh data directory and loaded from there. */
function glossaryWith(edit: (g: Record<string, any>) => void) {
  const g = JSON.parse(readFileSync(new URL('../../data/glossary.json', import.meta.url), 'utf8'));
  edit(g);
  const dir = mkdtempSync(join(tmpdir(), 'glossary-'));
  writeFileSync(join(dir, 'glossary.json'), JSON.stringify(g));
  return () => loadGlossary(dir);
}

describe('question words live in the glossary', () => {
  it('reports a question pattern that does not compile by file and field', () => {
    const load = glossaryWith((g) => g.questionPatterns.howMany.push('(几'));
    expect(load).toThrow(/glossary\.json: questionPatterns\.howMany\.\d+: not a valid regular expression/);
  });

  it('reports a yes/no form without its no word by file and field', () => {
    const load = glossaryWith((g) => delete g.verdictAsks.forms[0].no);
    expect(load).toThrow(/glossary\.json: verdictAsks\.forms\.0\.no/);
  });

  it('splits a message at a separator staff add to the glossary, and not before', () => {
    const q = '开平优秀奖谁牵头／多久评一次';
    expect(partsOf(q, loadGlossary())).toHaveLength(1);
    const g = glossaryWith((x) => x.questionPatterns.partBreak.push('／'))();
    expect(partsOf(q, g)).toEqual(['开平优秀奖谁牵头', '多久评一次']);
    expect(questionType('多久评一次', g)).toBe('cadence');
  });

  it('reads "how long … before we can apply" as asking a duration, not yes or no', () => {
    const g = loadGlossary();
    expect(questionType('How long must a company have operated here before it can apply for the award?', g)).toBe('duration');
    expect(questionType('企业要成立多久才能申请', g)).toBe('duration');
    expect(questionType('成立两年的企业能申请吗', g)).toBe('yesno');
  });

  it('answers a yes/no question in the words its wording asks for, from the glossary', () => {
    const g = loadGlossary();
    expect(verdictOf(g, '评审会不会收费', '评审不收取任何费用。')).toBe('不收费。');
    expect(verdictOf(g, '有没有资金扶持', '分层次给予资金扶持。')).toBe('有。');
    expect(verdictOf(g, '会不会公示', '评审结果在市政府网站公示。')).toBeUndefined();
    const renamed = glossaryWith((x) => (x.verdictAsks.forms[0] = { asks: ['有没有'], yes: '有的', no: '没有的' }))();
    expect(verdictOf(renamed, '有没有资金扶持', '分层次给予资金扶持。')).toBe('有的。');
    expect(askedObject('有没有资金扶持', g)).toBe('资金扶持');
  });
});

describe('a message of several questions', () => {
  const g = loadGlossary();

  it('ends a question at a space typed where a question mark was meant', () => {
    expect(partsOf('中山流通领域商品质量专项检查谁负责 每年几次', g)).toEqual(['中山流通领域商品质量专项检查谁负责', '每年几次']);
  });

  it('keeps a topic typed before a space with the question after it', () => {
    expect(partsOf('开平水暖优秀奖 同一家企业不同类的产品可以分开报吗', g)).toHaveLength(1);
    expect(partsOf('江门 认证 补贴多少', g)).toHaveLength(1);
  });
});

describe('ranking words live in the glossary', () => {
  it('reads what may follow a question subject from the glossary (subjectTail)', async () => {
    const { isSubject } = await import('../../src/knowledge/retrieval.ts');
    const g = loadGlossary();
    expect(isSubject(g, '检测设备的补贴标准是多少', '补贴')).toBe(true);
    expect(isSubject(g, '检测设备补贴呀', '补贴')).toBe(false);
    const more = glossaryWith((x) => x.questionPatterns.subjectTail.push('呀'))();
    expect(isSubject(more, '检测设备补贴呀', '补贴')).toBe(true);
  });

  it('reports a missing ranking pattern by file and field', () => {
    const load = glossaryWith((g) => delete g.questionPatterns.asksSteps);
    expect(load).toThrow(/glossary\.json: questionPatterns\.asksSteps/);
  });
});
