import { describe, expect, it } from 'vitest';
import { askedSlot, last, runChat, tempDb, verdictOf, type ChatInput } from '../helpers/chat.ts';

const AT = '2026-11-22T10:00:00+08:00';
/** Id of the Kaiping award's rules file, as every question and verdict names it. */
const KAIPING = 'kaiping-excellence';
const msg = (text: string, chat = 'c1'): ChatInput => ({ chat, text, at: AT });

/** Answers that make an enterprise eligible, slot by slot. */
const GOOD: Record<string, string> = {
  plumbingProducts: '是的，做水龙头',
  registeredInKaiping: '对',
  yearsRegistered: '5年',
  independentLegalPerson: '有',
  taxCertificate: '能',
  compliant: '都符合',
  spotCheckPasses: '四次',
  spotCheckFailed: '没有',
  complaintsOrPenalties: '没有',
};

/** Answers every question with GOOD (or overrides) until a verdict; returns all turns. */
async function walk(overrides: Record<string, string> = {}, start = '/precheck') {
  const inputs: ChatInput[] = [msg(start)];
  // The order is fixed, so we can pre-compute answers for every slot.
  for (const slot of Object.keys(GOOD)) inputs.push(msg(overrides[slot] ?? GOOD[slot]));
  return runChat(inputs);
}

describe('pre-check over chat --jsonl', () => {
  it('starts with /precheck and asks one slot at a time, with the slot in data', async () => {
    const r = await runChat([msg('/precheck'), msg('是')]);
    expect(askedSlot(last(r.turns[0]))).toBe('plumbingProducts');
    expect(askedSlot(last(r.turns[1]))).toBe('registeredInKaiping');
  });

  it('starts from words too', async () => {
    for (const w of ['我们能评优秀奖吗', '帮我看看符不符合条件']) {
      const r = await runChat([msg(w)]);
      expect(askedSlot(last(r.turns[0]))).toBeDefined();
    }
  });

  it('gives an eligible verdict with the reward 3000 × passes and the next steps', async () => {
    const r = await walk();
    const v = r.turns.map(last).map(verdictOf).find(Boolean)!;
    expect(v).toEqual({ eligible: true, failed: [], reward: 12000, award: KAIPING });
    const text = r.turns.flat().find((m) => verdictOf(m))!.text;
    expect(text).toMatch(/12000/);
    expect(text).toMatch(/公示/);
    expect(text).toMatch(/3年/);
    expect(text).toMatch(/2021年9月30日/);
    expect(text).toMatch(/第五条/);
  });

  it('counts exactly 3 years and exactly 3 passes as enough (9000 yuan)', async () => {
    const r = await walk({ yearsRegistered: '3年', spotCheckPasses: '3次' });
    const v = r.turns.map(last).map(verdictOf).find(Boolean)!;
    expect(v).toEqual({ eligible: true, failed: [], reward: 9000, award: KAIPING });
  });

  it.each([
    ['plumbingProducts', '不是'],
    ['registeredInKaiping', '不是，在佛山'],
    ['yearsRegistered', '2年'],
    ['independentLegalPerson', '没有'],
    ['taxCertificate', '不能'],
    ['compliant', '不符合'],
    ['spotCheckPasses', '两次'],
    ['spotCheckFailed', '有过一次不合格'],
    ['complaintsOrPenalties', '有，被罚过'],
  ])('ends early when %s is disqualifying', async (slot, answer) => {
    const r = await walk({ [slot]: answer });
    const verdictTurn = r.turns.findIndex((t) => verdictOf(last(t)));
    const v = verdictOf(last(r.turns[verdictTurn]))!;
    expect(v.eligible).toBe(false);
    expect(v.failed).toEqual([slot]);
    expect(v.reward).toBeNull();
    // No further questions after the early verdict.
    expect(r.turns.slice(verdictTurn + 1).flat().some((m) => askedSlot(m))).toBe(false);
  });

  it('reads a one-message profile and reaches a verdict within two follow-ups', async () => {
    const r = await runChat([
      msg('帮我看看能不能评优秀奖：我们是开平注册6年的水暖企业，独立法人，能开缴税证明，抽检合格4次，无不合格'),
      msg('是的都符合'),
      msg('没有'),
      msg('没有'),
    ]);
    const verdictTurn = r.turns.findIndex((t) => verdictOf(last(t)));
    expect(verdictTurn).toBeGreaterThanOrEqual(0);
    expect(verdictTurn).toBeLessThanOrEqual(2);
    expect(verdictOf(last(r.turns[verdictTurn]))).toMatchObject({ eligible: true, reward: 12000 });
  });

  it('takes a description sent alone, or after /precheck, as answers given up front', async () => {
    const profile = '开平注册6年的水暖企业，独立法人，能提供缴税证明，合规经营，抽检合格4次，无不合格，无投诉处罚';
    for (const first of [profile, `/precheck ${profile}`]) {
      const r = await runChat([msg(first)]);
      expect(verdictOf(last(r.turns[0]))).toEqual({ eligible: true, failed: [], reward: 12000, award: KAIPING });
    }
  });

  it('never takes a question or a quitting word for an answer', async () => {
    const r = await runChat([msg('/precheck'), msg('是'), msg('是'), msg('5年'), msg('是'), msg('抽检不合格会怎样'), msg('不想做了')]);
    expect(askedSlot(last(r.turns[5]))).toBe('taxCertificate');
    expect(r.turns[5].some((m) => verdictOf(m))).toBe(false);
    expect(last(r.turns[6]).text).toMatch(/取消/);
    expect(verdictOf(last(r.turns[6]))).toBeUndefined();
  });

  it('records "不知道" as unconfirmed and still reaches a verdict that says so', async () => {
    const r = await walk({ taxCertificate: '不知道' });
    const verdictTurn = r.turns.findIndex((t) => verdictOf(last(t)));
    expect(verdictOf(last(r.turns[verdictTurn]))).toEqual({ eligible: false, failed: [], reward: null, award: KAIPING });
    expect(last(r.turns[verdictTurn]).text).toMatch(/未确认/);
  });

  it('understands simple English answers', async () => {
    const r = await runChat([msg('/precheck'), msg('yes'), msg('yes'), msg('5 years'), msg('yes'), msg('yes'), msg('yes'), msg('four times')]);
    expect(askedSlot(last(r.turns[3]))).toBe('independentLegalPerson');
    expect(askedSlot(last(r.turns[7]))).toBe('spotCheckFailed');
  });

  it('repeats the question with an example when an answer cannot be read, filling no slot', async () => {
    const r = await runChat([msg('/precheck'), msg('是'), msg('是'), msg('香蕉'), msg('5年')]);
    expect(askedSlot(last(r.turns[2]))).toBe('yearsRegistered');
    const reask = last(r.turns[3]);
    expect(askedSlot(reask)).toBe('yearsRegistered');
    expect(reask.text).toMatch(/例如|比如/);
    expect(askedSlot(last(r.turns[4]))).toBe('independentLegalPerson');
  });

  it('answers a policy question mid-check, then asks the same question again', async () => {
    const r = await runChat([msg('/precheck'), msg('是'), msg('公示期是几天？')]);
    const turn = r.turns[2];
    expect(turn.some((m) => /10天/.test(m.text) && /第六条（四）/.test(m.text))).toBe(true);
    expect(askedSlot(last(turn))).toBe('registeredInKaiping');
  });

  it('handles thanks, help, unknown commands and subscriptions mid-check, then asks the same question again', async () => {
    const r = await runChat([msg('/precheck'), msg('谢谢'), msg('帮助'), msg('/foo'), msg('/subscribe')]);
    expect(r.turns[1][0].text).toMatch(/不客气/);
    expect(r.turns[2][0].text).toMatch(/我可以帮您/);
    expect(r.turns[3][0].data?.error).toBe('unknown_command');
    expect(r.turns[4][0].data?.subscription).toMatchObject({ active: true });
    for (const t of r.turns.slice(1)) expect(askedSlot(last(t))).toBe('plumbingProducts');
  });

  it('/back and words correct an earlier answer; /cancel stops', async () => {
    const r = await runChat([msg('/precheck'), msg('是'), msg('是'), msg('/back'), msg('是'), msg('10年'), msg('改一下注册年限'), msg('/cancel'), msg('是')]);
    expect(askedSlot(last(r.turns[3]))).toBe('registeredInKaiping');
    expect(askedSlot(last(r.turns[4]))).toBe('yearsRegistered');
    expect(askedSlot(last(r.turns[6]))).toBe('yearsRegistered');
    expect(last(r.turns[7]).text).toMatch(/取消|已停止|结束/);
    expect(askedSlot(last(r.turns[8]))).toBeUndefined();
  });

  it('survives a restart mid-check: the same question is asked again on the same database', async () => {
    const db = tempDb();
    const first = await runChat([msg('/precheck'), msg('是'), msg('是')], { db });
    expect(askedSlot(last(first.turns[2]))).toBe('yearsRegistered');
    const second = await runChat([msg('你好'), msg('8年')], { db });
    expect(second.turns[0].some((m) => askedSlot(m) === 'yearsRegistered')).toBe(true);
    expect(askedSlot(last(second.turns[1]))).toBe('independentLegalPerson');
  });

  it('keeps a finished check as the profile, answers "我们符合吗" from it, and /forget deletes it', async () => {
    const db = tempDb();
    await walk();
    const inputs: ChatInput[] = [msg('/precheck'), ...Object.values(GOOD).map((t) => msg(t)), msg('我们符合吗'), msg('/forget'), msg('我们符合吗')];
    const r = await runChat(inputs, { db });
    const n = Object.keys(GOOD).length;
    expect(verdictOf(last(r.turns[n + 1]))).toMatchObject({ eligible: true, reward: 12000 });
    expect(last(r.turns[n + 2]).text).toMatch(/删除/);
    expect(askedSlot(last(r.turns[n + 3]))).toBeDefined();
  });
});
