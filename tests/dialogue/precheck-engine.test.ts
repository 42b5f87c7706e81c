import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwardFile } from '../../src/dialogue/award-loader.ts';
import { citationsOf, criterionOf, slotsOf, type Answers } from '../../src/dialogue/award-rules.ts';
import {
  canContinuePrecheck,
  evaluate,
  isPrecheckActive,
  parsePrecheckState,
  precheckStep,
  startPrecheck,
  verdictText,
  type PrecheckState,
  type Reply,
  type StepResult,
} from '../../src/dialogue/precheck-engine.ts';
import { ROOT } from '../helpers/run-cli.ts';

/** The Kaiping award, from its rules file: the specifics these tests name come from there. */
const K = loadAwardFile(join(ROOT, 'data/awards/kaiping-excellence.json'));
const SLOTS = slotsOf(K);
type Slot = string;
type PrecheckAnswers = Answers;
const SLOT_ARTICLES = Object.fromEntries(K.criteria.map((c) => [c.slot, citationsOf(K, c)]));
const precheckQuestion = (slot: Slot) => criterionOf(K, slot)!.question;
const slotLabel = (slot: Slot) => criterionOf(K, slot)!.label;

const NOW = new Date('2026-11-22T10:00:00+08:00');

const GOOD: Record<string, boolean | number> = {
  plumbingProducts: true,
  registeredInKaiping: true,
  yearsRegistered: 6,
  independentLegalPerson: true,
  taxCertificate: true,
  compliant: true,
  spotCheckPasses: 4,
  spotCheckFailed: false,
  complaintsOrPenalties: false,
};

const PROFILE = '开平注册6年的水暖企业，独立法人，能开缴税证明，抽检合格4次，无不合格';

function without(...slots: Slot[]): PrecheckAnswers {
  const answers: PrecheckAnswers = { ...GOOD };
  for (const s of slots) delete answers[s];
  return answers;
}

/** Starts a check where only `slot` is missing, so the engine is asking it. */
function askingOnly(slot: Slot): StepResult {
  const result = startPrecheck(K, '', NOW, without(slot));
  expect(result.state.asking).toBe(slot);
  return result;
}

function last(result: StepResult): Reply {
  const reply = result.replies[result.replies.length - 1];
  expect(reply).toBeDefined();
  return reply;
}

function askedSlot(result: StepResult): unknown {
  return (last(result).data as { precheck?: { ask?: unknown } } | undefined)?.precheck?.ask;
}

function say(result: StepResult, ...messages: string[]): StepResult {
  let r = result;
  for (const m of messages) r = precheckStep(K, r.state, m, NOW);
  return r;
}

describe('slot metadata', () => {
  it('lists the nine slots in question order', () => {
    expect(SLOTS).toEqual([
      'plumbingProducts',
      'registeredInKaiping',
      'yearsRegistered',
      'independentLegalPerson',
      'taxCertificate',
      'compliant',
      'spotCheckPasses',
      'spotCheckFailed',
      'complaintsOrPenalties',
    ]);
  });

  it('has a Chinese label, a question and an article for every slot', () => {
    for (const slot of SLOTS) {
      expect(slotLabel(slot)).toMatch(/[\u4e00-\u9fa5]/);
      expect(precheckQuestion(slot)).toMatch(/[？?]|。$/);
      expect(SLOT_ARTICLES[slot].length).toBeGreaterThan(0);
    }
    expect(SLOT_ARTICLES.plumbingProducts[0].article).toBe('第二条');
    expect(SLOT_ARTICLES.yearsRegistered[0].article).toBe('第五条（一）');
    expect(SLOT_ARTICLES.compliant[0].article).toBe('第五条（二）');
    expect(SLOT_ARTICLES.spotCheckFailed.map((c) => c.article)).toEqual(['第五条（三）', '三、（十）2']);
    expect(SLOT_ARTICLES.complaintsOrPenalties[0].article).toBe('第五条（四）');
  });
});

describe('startPrecheck', () => {
  it('reads the one-message profile and reaches a verdict after at most two follow-ups', () => {
    let r = startPrecheck(K, PROFILE, NOW);
    expect(r.state.answers).toEqual({
      plumbingProducts: true,
      registeredInKaiping: true,
      yearsRegistered: 6,
      independentLegalPerson: true,
      taxCertificate: true,
      spotCheckPasses: 4,
      spotCheckFailed: false,
    });
    expect(last(r).text).toContain('已从您的描述中识别到');
    let followUps = 0;
    while (r.state.status === 'asking') {
      followUps += 1;
      const slot = r.state.asking;
      r = precheckStep(K, r.state, slot === 'complaintsOrPenalties' ? '没有' : '是', NOW);
    }
    expect(followUps).toBeLessThanOrEqual(2);
    expect(r.verdict).toEqual({ eligible: true, failed: [], failedGroups: [], unknown: [], reward: 12000 });
    expect(last(r).data?.precheck).toEqual({ eligible: true, failed: [], reward: 12000, award: K.id });
  });

  it('asks the first missing slot, one question at a time, with yes/no choices', () => {
    const r = startPrecheck(K, '我想预检一下开平市水暖卫浴产品质量优秀奖', NOW);
    expect(r.state.answers).toEqual({});
    expect(r.state.status).toBe('asking');
    expect(r.state.v).toBe(1);
    expect(askedSlot(r)).toBe('plumbingProducts');
    expect(last(r).text).toContain(precheckQuestion('plumbingProducts'));
    expect(last(r).choices).toEqual([
      { label: '是', value: '是' },
      { label: '否', value: '否' },
    ]);
  });

  it('asks numeric slots without yes/no choices', () => {
    const r = askingOnly('yearsRegistered');
    expect(last(r).choices).toBeUndefined();
    expect(last(r).data).toEqual({ precheck: { ask: 'yearsRegistered', award: K.id } });
  });

  it('reuses a previous profile, says so, and lets the text override it', () => {
    const r = startPrecheck(K, '注册8年了', NOW, { ...GOOD, compliant: undefined });
    expect(last(r).text).toContain('沿用您上次预检的回答');
    expect(last(r).text).toContain('改一下');
    expect(r.state.answers.yearsRegistered).toBe(8);
    expect(r.state.asking).toBe('compliant');
  });

  it('gives the verdict at once when the profile is complete', () => {
    const r = startPrecheck(K, '', NOW, GOOD);
    expect(r.state.status).toBe('done');
    expect(r.verdict?.eligible).toBe(true);
  });

  it('ignores values of the wrong type in a previous profile', () => {
    const r = startPrecheck(K, '', NOW, { yearsRegistered: true, plumbingProducts: 5 } as PrecheckAnswers);
    expect(r.state.answers).toEqual({});
  });

  it('produces JSON-serialisable state that round-trips through parsePrecheckState', () => {
    const r = startPrecheck(K, PROFILE, NOW);
    const copy = JSON.parse(JSON.stringify(r.state));
    expect(parsePrecheckState(K, copy)).toEqual(r.state);
    expect(parsePrecheckState(K, { ...copy, v: 2 })).toBeUndefined();
  });
});

describe('accepted phrasings for the current question', () => {
  const cases: Array<[Slot, string, boolean | number]> = [
    ['plumbingProducts', '是', true],
    ['plumbingProducts', '对', true],
    ['plumbingProducts', '嗯', true],
    ['plumbingProducts', '没错', true],
    ['plumbingProducts', '是的，我们做水龙头', true],
    ['plumbingProducts', '否', false],
    ['plumbingProducts', '不是', false],
    ['plumbingProducts', '我们不是做水暖的', false],
    ['registeredInKaiping', '对的', true],
    ['registeredInKaiping', '在开平水口镇', true],
    ['registeredInKaiping', '不是', false],
    ['registeredInKaiping', '不在开平', false],
    ['registeredInKaiping', '在佛山注册的', false],
    ['yearsRegistered', '5年', 5],
    ['yearsRegistered', '五年', 5],
    ['yearsRegistered', '三年多', 3],
    ['yearsRegistered', '十来年', 10],
    ['yearsRegistered', '十二年了', 12],
    ['yearsRegistered', '５年', 5],
    ['yearsRegistered', '5', 5],
    ['yearsRegistered', '大概8年吧', 8],
    ['yearsRegistered', '不到3年', 2],
    ['yearsRegistered', '2019年注册的', 7],
    ['yearsRegistered', '2019年成立', 7],
    ['yearsRegistered', '2019', 7],
    ['yearsRegistered', '2023年12月注册', 2],
    ['yearsRegistered', '2023年11月22日成立', 3],
    ['yearsRegistered', '2023年11月23日成立', 2],
    ['yearsRegistered', '二零一九年注册的', 7],
    ['yearsRegistered', '去年注册的', 1],
    ['yearsRegistered', '3年以上', 3],
    ['yearsRegistered', '快3年了', 2],
    ['independentLegalPerson', '是', true],
    ['independentLegalPerson', '有', true],
    ['independentLegalPerson', '具有独立法人资格', true],
    ['independentLegalPerson', '没有', false],
    ['independentLegalPerson', '我们是分公司', false],
    ['taxCertificate', '能', true],
    ['taxCertificate', '可以', true],
    ['taxCertificate', '能开缴税证明', true],
    ['taxCertificate', '不能', false],
    ['taxCertificate', '缴税证明开不出来', false],
    ['compliant', '是', true],
    ['compliant', '证照齐全，没有违法违规', true],
    ['compliant', '不是', false],
    ['compliant', '环保不达标', false],
    ['spotCheckPasses', '4次', 4],
    ['spotCheckPasses', '五次', 5],
    ['spotCheckPasses', '合格了三次', 3],
    ['spotCheckPasses', '连续3次都合格', 3],
    ['spotCheckPasses', '5', 5],
    ['spotCheckPasses', '两回', 2],
    ['spotCheckPasses', '一次都没有', 0],
    ['spotCheckFailed', '没有不合格', false],
    ['spotCheckFailed', '没有', false],
    ['spotCheckFailed', '无', false],
    ['spotCheckFailed', '从来没有', false],
    ['spotCheckFailed', '否', false],
    ['spotCheckFailed', '每次都合格', false],
    ['spotCheckFailed', '有过一次不合格', true],
    ['spotCheckFailed', '有', true],
    ['spotCheckFailed', '有过一次', true],
    ['complaintsOrPenalties', '没被投诉过', false],
    ['complaintsOrPenalties', '没有处罚', false],
    ['complaintsOrPenalties', '投诉和处罚都没有', false],
    ['complaintsOrPenalties', '没有', false],
    ['complaintsOrPenalties', '不', false],
    ['complaintsOrPenalties', '有', true],
    ['complaintsOrPenalties', '去年被罚过款', true],
    ['complaintsOrPenalties', '没被投诉，但被罚过款', true],
  ];

  it.each(cases)('%s ← %j', (slot, text, expected) => {
    const r = precheckStep(K, askingOnly(slot).state, text, NOW);
    expect(r.unreadable).toBeFalsy();
    expect(r.state.answers[slot]).toBe(expected);
  });
});

describe('extra slots in one answer', () => {
  it('fills other clearly stated slots in the same message', () => {
    const r = say(startPrecheck(K, '', NOW), '是的，开平注册6年了，独立法人');
    expect(r.state.answers).toMatchObject({
      plumbingProducts: true,
      registeredInKaiping: true,
      yearsRegistered: 6,
      independentLegalPerson: true,
    });
    expect(r.state.asking).toBe('taxCertificate');
  });

  it('never fills the wrong numeric slot', () => {
    const years = precheckStep(K, askingOnly('yearsRegistered').state, '5次', NOW);
    expect(years.unreadable).toBe(true);
    expect(years.state.answers.spotCheckPasses).toBe(GOOD.spotCheckPasses);
    expect(years.state.answers.yearsRegistered).toBeUndefined();

    const passes = precheckStep(K, askingOnly('spotCheckPasses').state, '5年', NOW);
    expect(passes.unreadable).toBe(true);
    expect(passes.state.answers.spotCheckPasses).toBeUndefined();
    expect(passes.state.answers.yearsRegistered).toBe(GOOD.yearsRegistered);
  });

  it('does not take a bare number for a yes/no question', () => {
    const r = precheckStep(K, askingOnly('taxCertificate').state, '5', NOW);
    expect(r.unreadable).toBe(true);
  });

  it('answers about another condition do not count as yes/no for the current one', () => {
    const r = precheckStep(K, askingOnly('taxCertificate').state, '不是水暖企业', NOW);
    expect(r.state.answers.taxCertificate).toBeUndefined();
    expect(r.state.answers.plumbingProducts).toBe(false);
  });
});

describe('unreadable answers', () => {
  it.each([
    ['yearsRegistered', '好久了'],
    ['spotCheckPasses', '挺多的'],
    ['plumbingProducts', '你好'],
    ['complaintsOrPenalties', '奖励多少钱？'],
  ] as Array<[Slot, string]>)('%s ← %j repeats the question with an example and keeps the state', (slot, text) => {
    const before = askingOnly(slot).state;
    const snapshot = structuredClone(before);
    const r = precheckStep(K, before, text, NOW);
    expect(r.unreadable).toBe(true);
    expect(r.state).toEqual(snapshot);
    expect(askedSlot(r)).toBe(slot);
    expect(last(r).text).toContain(precheckQuestion(slot));
    expect(last(r).text).toContain('例如');
  });

  it('records "不清楚" as unknown, moves on, and lists the condition as unconfirmed in the verdict', () => {
    const r = precheckStep(K, askingOnly('taxCertificate').state, '不清楚', NOW);
    expect(r.unreadable).toBeFalsy();
    expect(r.state.answers.taxCertificate).toBeUndefined();
    expect(r.state.skipped).toEqual(['taxCertificate']);
    expect(r.replies.map((m) => m.text).join('\n')).toContain('未确认');
    expect(r.state.asking).not.toBe('taxCertificate');
  });
});

describe('early end on a disqualifying answer', () => {
  const disqualifiers: Array<[Slot, string]> = [
    ['plumbingProducts', '否'],
    ['registeredInKaiping', '不是'],
    ['yearsRegistered', '2年'],
    ['independentLegalPerson', '不是'],
    ['taxCertificate', '不能'],
    ['compliant', '否'],
    ['spotCheckPasses', '2次'],
    ['spotCheckFailed', '有过一次不合格'],
    ['complaintsOrPenalties', '有'],
  ];

  it.each(disqualifiers)('%s ← %j ends the check with the reason and article', (slot, text) => {
    // Ask from the start so that later slots stay unknown.
    let r = startPrecheck(K, '', NOW, Object.fromEntries(SLOTS.slice(0, SLOTS.indexOf(slot)).map((s) => [s, GOOD[s]])));
    expect(r.state.asking).toBe(slot);
    r = precheckStep(K, r.state, text, NOW);
    expect(r.state.status).toBe('done');
    expect(r.state.asking).toBeNull();
    expect(r.verdict?.eligible).toBe(false);
    expect(r.verdict?.failed).toEqual([slot]);
    expect(r.verdict?.unknown).toEqual(SLOTS.slice(SLOTS.indexOf(slot) + 1));
    expect(r.verdict?.reward).toBeNull();
    const reply = last(r);
    expect(reply.data?.precheck).toEqual({ eligible: false, failed: [slot], reward: null, award: K.id });
    expect(reply.text).toContain('❌ 不符合');
    expect(reply.text).toContain(SLOT_ARTICLES[slot][0].article);
    if (slot !== 'complaintsOrPenalties') {
      expect(reply.text).toContain('❔ 未确认');
      expect(reply.text).toContain('如需继续核对其余条件，请回复“继续”');
    }
  });

  it('cites the work plan for a failed spot check', () => {
    const r = precheckStep(K, askingOnly('spotCheckFailed').state, '有过一次不合格', NOW);
    expect(last(r).text).toContain('三、（十）2');
    expect(last(r).text).toContain('一年内不得参与各类评奖');
  });

  it('continues asking the rest after “继续” and gives a final verdict', () => {
    let r = say(startPrecheck(K, '', NOW), '是', '是', '2年');
    expect(r.state.status).toBe('done');
    expect(r.verdict?.failed).toEqual(['yearsRegistered']);

    r = say(r, '继续');
    expect(r.state.status).toBe('asking');
    expect(r.state.continued).toBe(true);
    expect(askedSlot(r)).toBe('independentLegalPerson');

    // A second failure no longer ends the check early.
    r = say(r, '是', '不能');
    expect(r.state.status).toBe('asking');
    expect(askedSlot(r)).toBe('compliant');

    r = say(r, '是', '4次', '没有', '没有');
    expect(r.state.status).toBe('done');
    expect(r.verdict).toEqual({
      eligible: false,
      failed: ['yearsRegistered', 'taxCertificate'],
      failedGroups: [],
      unknown: [],
      reward: null,
    });
    expect(last(r).text).not.toContain('请回复“继续”');
  });
});

describe('boundaries', () => {
  it('3 years and 3 passes are eligible, with the minimum reward', () => {
    const v = evaluate(K, { ...GOOD, yearsRegistered: 3, spotCheckPasses: 3 }, NOW);
    expect(v).toEqual({ eligible: true, failed: [], failedGroups: [], unknown: [], reward: 9000 });
  });

  it('2 years is not eligible', () => {
    expect(evaluate(K, { ...GOOD, yearsRegistered: 2 }, NOW).failed).toEqual(['yearsRegistered']);
  });

  it('2 passes is not eligible', () => {
    expect(evaluate(K, { ...GOOD, spotCheckPasses: 2 }, NOW).failed).toEqual(['spotCheckPasses']);
  });

  it('3 years answered in the dialogue passes, 2 fails', () => {
    expect(precheckStep(K, askingOnly('yearsRegistered').state, '3年', NOW).verdict?.eligible).toBe(true);
    expect(precheckStep(K, askingOnly('yearsRegistered').state, '两年', NOW).verdict?.eligible).toBe(false);
    expect(precheckStep(K, askingOnly('spotCheckPasses').state, '三次', NOW).verdict?.reward).toBe(9000);
    expect(precheckStep(K, askingOnly('spotCheckPasses').state, '两次', NOW).verdict?.eligible).toBe(false);
  });

  it('computes registration years from the clock: 2019年注册的 on 2026-11-22 is 7 years', () => {
    const r = precheckStep(K, askingOnly('yearsRegistered').state, '2019年注册的', new Date('2026-11-22'));
    expect(r.state.answers.yearsRegistered).toBe(7);
  });
});

describe('reward', () => {
  // The amount, minimum and article come from the rules file (第七条: 3000 yuan per pass, at least 9000).
  const R = K.reward.kind === 'per-unit' ? K.reward : undefined;
  it.each([3, 4, 7])('%i passes → the per-pass amount × passes', (passes) => {
    const reward = Math.max(R!.minimum ?? 0, R!.amount * passes);
    const r = precheckStep(K, askingOnly('spotCheckPasses').state, `${passes}次`, NOW);
    expect(r.verdict?.reward).toBe(reward);
    expect(last(r).text).toContain(`预计奖励：${R!.amount}元 × ${passes}次 = ${reward}元（每家最少${R!.minimum}元，${R!.article}）`);
  });

  it('keeps the amounts of today: 3000 × 4 = 12000, at least 9000', () => {
    expect([R!.amount, R!.minimum, evaluate(K, GOOD, NOW).reward]).toEqual([3000, 9000, 12000]);
  });
});

describe('verdict text', () => {
  it('lists each condition with its article, the next steps and the validity caveat', () => {
    const text = verdictText(K, evaluate(K, GOOD, NOW), GOOD, NOW);
    expect(text.match(/✅ 符合/g)).toHaveLength(9);
    expect(text).toContain(`（《${K.document.title}》${SLOT_ARTICLES.yearsRegistered[0].article}）`);
    expect(text).toContain(`（《${K.document.title}》${SLOT_ARTICLES.plumbingProducts[0].article}）`);
    K.nextSteps.forEach((step, i) => expect(text).toContain(`${i + 1}. ${step}`));
    expect(text).toContain('公示10天（第六条（四））');
    expect(text).toContain(`${K.document.validityBasis}，即已于2021年9月30日到期`);
    expect(text).toContain(`请向${K.document.contact}确认现行规定`);
  });

  it('does not claim the rules have lapsed before 2021-10-01', () => {
    const early = new Date('2020-05-01T00:00:00+08:00');
    const text = verdictText(K, evaluate(K, GOOD, early), GOOD, early);
    expect(text).not.toContain('已于2021年9月30日到期');
    expect(text).toContain('将于2021年9月30日到期');
    const lastDay = new Date('2021-09-30T23:00:00+08:00');
    expect(verdictText(K, evaluate(K, GOOD, lastDay), GOOD, lastDay)).toContain('将于2021年9月30日到期');
  });

  it('marks unanswered conditions as 未确认', () => {
    const partial = without('compliant');
    const v = evaluate(K, partial, NOW);
    expect(v).toEqual({ eligible: false, failed: [], failedGroups: [], unknown: ["compliant"], reward: null });
    expect(verdictText(K, v, partial, NOW)).toContain('❔ 未确认');
  });
});

describe('navigation', () => {
  it('/back un-answers the last answered slot and asks it again', () => {
    let r = say(startPrecheck(K, '', NOW), '是', '是');
    expect(r.state.asking).toBe('yearsRegistered');
    r = say(r, '/back');
    expect(r.state.answers.registeredInKaiping).toBeUndefined();
    expect(r.state.answers.plumbingProducts).toBe(true);
    expect(askedSlot(r)).toBe('registeredInKaiping');
    r = say(r, '否');
    expect(r.verdict?.failed).toEqual(['registeredInKaiping']);
    r = say(r, '/back');
    expect(r.state.status).toBe('asking');
    expect(askedSlot(r)).toBe('registeredInKaiping');
    r = say(r, '是');
    expect(askedSlot(r)).toBe('yearsRegistered');
  });

  it('/back at the first question re-asks it', () => {
    const r = say(startPrecheck(K, '', NOW), '/back');
    expect(askedSlot(r)).toBe('plumbingProducts');
    expect(last(r).text).toContain('第一个问题');
  });

  it.each(['改一下注册年限', '注册年限说错了'])('%j re-asks the registration years', (text) => {
    let r = startPrecheck(K, PROFILE, NOW);
    r = say(r, text);
    expect(r.state.answers.yearsRegistered).toBeUndefined();
    expect(askedSlot(r)).toBe('yearsRegistered');
    r = say(r, '5年');
    expect(r.state.answers.yearsRegistered).toBe(5);
    expect(askedSlot(r)).toBe('compliant');
  });

  it('“修改抽检次数” re-asks the pass count', () => {
    const r = say(startPrecheck(K, PROFILE, NOW), '修改抽检次数');
    expect(askedSlot(r)).toBe('spotCheckPasses');
    expect(r.state.answers.spotCheckPasses).toBeUndefined();
  });

  it('applies a correction that carries the new value', () => {
    let r = say(startPrecheck(K, PROFILE, NOW), '注册年限改成2年');
    expect(r.state.answers.yearsRegistered).toBe(2);
    expect(r.verdict?.failed).toEqual(['yearsRegistered']);
    r = say(r, '注册年限改成5年');
    expect(r.state.answers.yearsRegistered).toBe(5);
    expect(askedSlot(r)).toBe('compliant');
  });

  it('corrects a finished check and recomputes the verdict', () => {
    let r = startPrecheck(K, '', NOW, GOOD);
    r = say(r, '抽检次数说错了，应该是6次');
    expect(r.verdict?.reward).toBe(18000);
    r = say(r, '缴税证明改一下，不能提供');
    expect(r.verdict?.failed).toEqual(['taxCertificate']);
  });

  it.each(['/cancel', '取消', '不查了', '算了'])('%j cancels', (text) => {
    const r = say(startPrecheck(K, PROFILE, NOW), text);
    expect(r.state.status).toBe('stopped');
    expect(last(r).text).toContain('取消');
  });

  it('a finished check reports other messages as unreadable without changing state', () => {
    const done = startPrecheck(K, '', NOW, GOOD);
    const r = precheckStep(K, done.state, '申报材料有哪些？', NOW);
    expect(r.unreadable).toBe(true);
    expect(r.state).toBe(done.state);
  });

  it('a stopped check stays stopped', () => {
    const stopped = say(startPrecheck(K, '', NOW), '取消');
    const r = precheckStep(K, stopped.state, '是', NOW);
    expect(r.state.status).toBe('stopped');
  });

  it('“继续” in the middle of a check just repeats the question', () => {
    const r = say(startPrecheck(K, '', NOW), '继续');
    expect(askedSlot(r)).toBe('plumbingProducts');
    expect(r.state.answers).toEqual({});
  });
});

describe('state purity', () => {
  it('does not mutate the input state', () => {
    const start = startPrecheck(K, PROFILE, NOW);
    const snapshot: PrecheckState = structuredClone(start.state);
    say(start, '是');
    precheckStep(K, start.state, '/back', NOW);
    precheckStep(K, start.state, '改一下注册年限', NOW);
    precheckStep(K, start.state, '取消', NOW);
    expect(start.state).toEqual(snapshot);
  });
});

describe('routing helpers', () => {
  it('reports whether a check is active or can continue', () => {
    const asking = startPrecheck(K, '', NOW);
    expect(isPrecheckActive(asking.state)).toBe(true);
    const early = say(asking, '否');
    expect(isPrecheckActive(early.state)).toBe(false);
    expect(canContinuePrecheck(K, early.state, NOW)).toBe(true);
    expect(canContinuePrecheck(K, startPrecheck(K, '', NOW, GOOD).state, NOW)).toBe(false);
  });
});
