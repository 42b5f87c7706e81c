import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwardFile } from '../../src/dialogue/award-loader.ts';
import { awardRulesSchema, documentStatus, rewardText } from '../../src/dialogue/award-rules.ts';
import { renderForm } from '../../src/dialogue/award-lint.ts';
import { emptyChatState, converse, type ChatState } from '../../src/dialogue/conversation.ts';
import { evaluate, startPrecheck, precheckStep, verdictText } from '../../src/dialogue/precheck-engine.ts';
import { extractAnswers, readSlotAnswer } from '../../src/dialogue/precheck-extract.ts';
import { oneAnswerAway } from '../../src/dialogue/match.ts';
import { fieldProblems, loadProfileDef } from '../../src/dialogue/profile.ts';
import { ROOT } from '../helpers/run-cli.ts';
import { normalizeText } from '../../src/nlu/normalize.ts';

const H = loadAwardFile(join(ROOT, 'tests/fixtures/awards/hangzhou-gov-quality.json'));
const K = loadAwardFile(join(ROOT, 'data/awards/kaiping-excellence.json'));
const Z = loadAwardFile(join(ROOT, 'tests/fixtures/awards/zhengzhou-mayor-quality.json'));
const NOW = new Date('2026-11-22T10:00:00+08:00');
const BASE = { registeredInHangzhou: true, independentLegalPerson: true, yearsOperating: 5, majorAccident: false, seriousDishonesty: false };

describe('anyOf/allOf groups', () => {
  it('grade A passes alone; grade B passes only with a listed industry; C fails whatever the industry', () => {
    expect(evaluate(H, { ...BASE, mujunGrade: 'a' }, NOW).eligible).toBe(true);
    expect(evaluate(H, { ...BASE, mujunGrade: 'b', keyIndustry: 'lowAltitude' }, NOW).eligible).toBe(true);
    expect(evaluate(H, { ...BASE, mujunGrade: 'b', keyIndustry: 'other' }, NOW).failedGroups).toEqual(['mujunRule']);
    expect(evaluate(H, { ...BASE, mujunGrade: 'c', keyIndustry: 'lowAltitude' }, NOW).failedGroups).toEqual(['mujunRule']);
  });

  it('asks only what can still decide: the industry is never asked after grade A', () => {
    let r = startPrecheck(H, '我们在杭州注册5年了，是独立法人，没有发生过事故，没有被列入失信名单', NOW);
    expect(r.replies.at(-1)?.data?.precheck).toMatchObject({ ask: 'mujunGrade' });
    r = precheckStep(H, r.state, 'A档', NOW);
    expect(r.replies.at(-1)?.data?.precheck).toMatchObject({ ask: 'excellenceScore' });
    expect(evaluate(H, r.state.answers, NOW).unknown).toEqual([]);
  });

  it('the verdict names the group with the article of each condition', () => {
    const answers = { ...BASE, mujunGrade: 'c' };
    const text = verdictText(H, evaluate(H, answers, NOW), answers, NOW);
    expect(text).toContain('· 申报企业最近一次亩均效益综合评价须为A档');
    expect(text).toMatch(/❌ 不符合：亩均效益综合评价为A档，重点产业企业为B档以上——亩均效益评价档次为A档（二、（二））/);
  });

  it('a group naming an unknown slot or a value that is not an option is reported by field path', () => {
    const raw = JSON.parse(JSON.stringify(H));
    raw.groups[0].anyOf[0] = { slot: 'mujunGrade', is: ['z'] };
    raw.groups[0].anyOf[1].allOf[1].slot = 'nope';
    const r = awardRulesSchema.safeParse(raw);
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('groups.0.anyOf.0.is');
    expect(paths).toContain('groups.0.anyOf.1.allOf.1.slot');
  });
});

describe('informational criteria, status and rewards', () => {
  it('a self-assessed score below the line is asked and shown but never decides', () => {
    const answers = { ...BASE, mujunGrade: 'a', excellenceScore: 550 };
    const v = evaluate(H, answers, NOW);
    expect(v.eligible).toBe(true);
    expect(verdictText(H, v, answers, NOW)).toContain('ℹ️ 仅供参考（由评审认定，不作预检判断）：卓越绩效自评得分一般应在600分以上（您的回答：550分）');
  });

  it('every verdict states the document status: a draft, lapsed by its date, or in force', () => {
    expect(documentStatus(H, NOW)).toBe('draft');
    expect(documentStatus(K, NOW)).toBe('lapsed');
    expect(documentStatus(Z, NOW)).toBe('in-force');
    const v = evaluate(H, BASE, NOW);
    expect(verdictText(H, v, BASE, NOW)).toContain('📄 文件状态：征求意见稿（草案）');
    expect(verdictText(Z, evaluate(Z, {}, NOW), {}, NOW)).toContain('📄 文件状态：现行有效');
  });

  it('a ceiling is never shown as a fixed sum; tiers show each level; data carries the kind', () => {
    expect(rewardText(H, {})).toBe('政府质量奖最高60万元（不高于60万元，具体金额以评审结果为准）；提名奖最高20万元（不高于20万元，具体金额以评审结果为准）（四、）');
    const answers = { ...BASE, mujunGrade: 'a', excellenceScore: 650 };
    const r = precheckStep(H, { ...startPrecheck(H, '', NOW).state, answers, asking: 'excellenceScore' }, '650分', NOW);
    expect(r.replies.at(-1)?.data?.precheck).toEqual({ eligible: true, failed: [], reward: null, award: H.id });
    expect(r.replies.at(-1)?.data?.verdict).toMatchObject({ reward: { kind: 'tiers', amount: null }, status: 'draft', unknown: [] });
    expect(r.replies.at(-1)?.text).not.toContain('600000元');
  });
});

describe('choice options', () => {
  it('option words match whatever their case', () => {
    expect(readSlotAnswer(H, 'mujunGrade', 'c档', NOW)).toBe('c');
    expect(readSlotAnswer(H, 'mujunGrade', 'C档', NOW)).toBe('c');
    expect(readSlotAnswer(H, 'keyIndustry', '做ai的', NOW)).toBe('ai');
  });

  it('the option named wins wherever it stands, and a denied option never counts', () => {
    expect(extractAnswers(H, 'B档，我们是做无人机的，属于低空经济', NOW)).toMatchObject({ mujunGrade: 'b', keyIndustry: 'lowAltitude' });
    expect(extractAnswers(H, '亩均效益不是B档，是A档', NOW).mujunGrade).toBe('a');
    expect(readSlotAnswer(H, 'mujunGrade', '不是B档', NOW)).toBeUndefined();
    expect(readSlotAnswer(H, 'keyIndustry', '不是低空经济，属于生物医药', NOW)).toBe('biomed');
  });
});

describe('the shared profile', () => {
  const def = loadProfileDef();
  const turn = (state: ChatState, text: string) =>
    converse(state, { text, command: text.startsWith('/') ? text.split(' ')[0] : undefined, args: text.split(' ').slice(1).join(' '), intent: 'unknown', now: NOW }, { answer: () => ({ found: false, answer: '', intent: 'unknown', citations: [] }) as never, awards: [K, Z, H] });

  it('every fixture maps its criteria to profile fields of a matching type', () => {
    for (const a of [K, Z, H]) expect(fieldProblems(a, def)).toEqual([]);
    const bad = { ...H, criteria: H.criteria.map((c) => (c.slot === 'mujunGrade' ? { ...c, field: 'yearsRegistered' } : c)) };
    expect(fieldProblems(bad, def)).toEqual([{ path: 'criteria.3.field', message: 'a choice criterion cannot share the number field "yearsRegistered"' }]);
  });

  it('a sentence corrects it, /profile shows it, /forget deletes it but keeps the match opt-out', () => {
    let s = turn(emptyChatState(), '我们在杭州注册5年了，是独立法人').state;
    s = turn(s, '我们注册7年了').state;
    expect(s.company).toMatchObject({ place: '杭州', yearsRegistered: 7, independentLegalPerson: true });
    const shown = turn(s, '/profile').replies[0];
    expect(shown.text).toContain('· 注册（经营）年限：7年');
    s = turn(s, '/unsubscribe 匹配').state;
    expect(s.matchOptOut).toBe(true);
    expect(turn(s, '恢复匹配提醒').state.matchOptOut).toBeUndefined();
    expect(turn(turn(s, '恢复匹配提醒').state, '不要再发匹配通知了').state.matchOptOut).toBe(true);
    const gone = turn(s, '/forget');
    expect(gone.state.company).toBeUndefined();
    expect(gone.state.matchOptOut).toBe(true);
    expect(turn(gone.state, '/profile').replies[0].text).toContain('还没有保存贵企业的资料');
  });

  it('the company name is given and corrected in a sentence, shown on /profile, kept with the facts and deleted by /forget', () => {
    let r = turn(emptyChatState(), '我们公司叫杭州明远智能装备有限公司，在杭州注册5年了，是独立法人');
    expect(r.state.company).toMatchObject({ companyName: '杭州明远智能装备有限公司', place: '杭州', yearsRegistered: 5, independentLegalPerson: true });
    // A description of the company is matched against every award at once (the name decides none of them).
    expect(r.replies[0].data?.match).toBeDefined();
    r = turn(r.state, '公司名称是“明远智造（杭州）有限公司”');
    expect(r.state.company?.companyName).toBe('明远智造（杭州）有限公司');
    expect(r.state.company?.yearsRegistered).toBe(5);
    expect(r.replies[0].text).toContain('· 企业名称：明远智造（杭州）有限公司');
    expect(turn(r.state, '公司名称是：明远有限公司').state.company?.companyName).toBe('明远有限公司');
    r = turn(r.state, '公司全称：明远智造有限公司。我们能申报哪些奖？');
    expect(r.state.company?.companyName).toBe('明远智造有限公司');
    expect(r.replies[0].data?.match).toBeDefined();
    // A question about the name is not a name; the name counts in no award's verdict.
    expect(turn(r.state, '我们公司叫什么名字你知道吗？').state.company?.companyName).toBe('明远智造有限公司');
    expect(turn(emptyChatState(), 'our company is called Mingyuan Tech').state.company?.companyName).toBe('Mingyuan Tech');
    // Written in Traditional characters, the name is understood and kept as written.
    const said = '我們公司叫華藝衛浴有限公司';
    const traditional = converse(emptyChatState(), { text: normalizeText(said), written: normalizeText(said, { keepScript: true }), intent: 'unknown', now: NOW }, { answer: () => ({ found: false, answer: '', intent: 'unknown', citations: [] }) as never, awards: [K, Z, H] });
    expect(traditional.state.company?.companyName).toBe('華藝衛浴有限公司');
    const shown = turn(r.state, '/profile').replies[0];
    expect(shown.text).toContain('· 企业名称：明远智造有限公司');
    expect(shown.data?.profile).toMatchObject({ companyName: '明远智造有限公司' });
    const gone = turn(r.state, '/forget');
    expect(gone.state.company).toBeUndefined();
    expect(JSON.stringify(gone.state)).not.toContain('明远');
  });

  it('a number after the match list starts just the missing questions of that award', () => {
    const m = turn(emptyChatState(), '我们在杭州注册5年了，是独立法人，近3年没有发生过事故，没有被列入失信名单。我们能申报哪些奖？');
    const line = (m.replies[0].data?.match as { award: string; verdict: string; missing: string[] }[]).find((x) => x.award === H.id)!;
    expect(line).toMatchObject({ verdict: 'unknown', missing: ['mujunGrade', 'keyIndustry'] });
    expect(oneAnswerAway(H, { ...BASE }, NOW)).toBe(true);
    const start = turn(m.state, '1');
    expect(start.replies.at(-1)?.data?.precheck).toMatchObject({ ask: 'mujunGrade', award: H.id });
  });
});

describe('lint', () => {
  it('prints which option each hint example and button selects, and whether it passes', () => {
    const form = renderForm(H, NOW);
    expect(form).toContain('提示“A档” → 读作：A档（由组合条件判断）');
    expect(form).toContain('[4] 不属于重点产业 → 读作：不属于重点产业（由组合条件判断）');
    expect(form).toContain('提示“否” → 读作：否（不符合）');
    expect(form).toContain('组合条件 mujunRule');
    expect(form).toContain('仅供参考：会询问并显示，但不决定预检结论');
  });
});
