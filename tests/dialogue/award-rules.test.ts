import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwardFile, loadAwards } from '../../src/dialogue/award-loader.ts';
import { awardMention, computeReward, criterionOf, type AwardRules } from '../../src/dialogue/award-rules.ts';
import { converse, emptyChatState, reviveChatState, type ChatState, type TurnEnv } from '../../src/dialogue/conversation.ts';
import { evaluate, startPrecheck, validityCaveat, verdictText } from '../../src/dialogue/precheck-engine.ts';
import { ROOT } from '../helpers/run-cli.ts';

const K = loadAwardFile(join(ROOT, 'data/awards/kaiping-excellence.json'));
const Z = loadAwardFile(join(ROOT, 'tests/fixtures/awards/zhengzhou-mayor-quality.json'));
const NOW = new Date('2026-11-22T10:00:00+08:00');

/** Answers that meet every condition of the second award. */
const Z_GOOD = {
  registeredInZhengzhou: true,
  independentLegalPerson: true,
  yearsOperating: 8,
  sector: 'industry',
  excellenceScore: 650,
  certificateValidUntil: '2027-03-31',
  majorAccident: false,
  seriousDishonesty: false,
};

/** Writes a rules file (the second award, edited) into a fresh directory and returns its path. */
function rulesFile(edit: (rules: any) => void, name = 'zhengzhou-mayor-quality.json'): string {
  const rules = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/awards/zhengzhou-mayor-quality.json'), 'utf8'));
  edit(rules);
  const path = join(mkdtempSync(join(tmpdir(), 'award-rules-')), name);
  writeFileSync(path, typeof rules === 'string' ? rules : JSON.stringify(rules));
  return path;
}

describe('loading rules files', () => {
  it('loads the data directory, Kaiping first', () => {
    expect(loadAwards(join(ROOT, 'data/awards')).map((a) => a.id)).toEqual([K.id]);
    expect(loadAwards(join(tmpdir(), 'no-such-awards-dir'))).toEqual([]);
  });

  it('names the file and the field path of a bad value', () => {
    expect(() => loadAwardFile(rulesFile((r) => (r.criteria[6].read.mentions[0] = '事故(')))).toThrow(
      'zhengzhou-mayor-quality.json: criteria.6.read.mentions.0: ',
    );
    expect(() => loadAwardFile(rulesFile((r) => (r.criteria[2].min = undefined)))).toThrow('criteria.2.min: a number criterion needs a min or a max');
    expect(() => loadAwardFile(rulesFile((r) => (r.reward = { kind: 'per-unit', amount: 1, slot: 'sector', basis: '每次', article: '第六条', quote: '一次性奖励50万元' })))).toThrow(
      'reward.slot: must name a number criterion',
    );
    expect(() => loadAwardFile(rulesFile((r) => (r.criteria[0].colour = 'red')))).toThrow('criteria.0');
  });

  it('names the file for broken JSON and for an id that differs from the file name', () => {
    expect(() => loadAwardFile(rulesFile(() => undefined, 'other-name.json'))).toThrow('other-name.json: id: ');
    const broken = join(mkdtempSync(join(tmpdir(), 'award-rules-')), 'x.json');
    writeFileSync(broken, '{ "id": ');
    expect(() => loadAwardFile(broken)).toThrow('x.json: json: ');
  });
});

describe('a second award from its rules file', () => {
  it('is eligible with its fixed reward, and checks numbers, dates and choices at their boundaries', () => {
    expect(evaluate(Z, Z_GOOD, NOW)).toEqual({ eligible: true, failed: [], failedGroups: [], unknown: [], reward: 500000 });
    expect(evaluate(Z, { ...Z_GOOD, yearsOperating: 5, excellenceScore: 600, certificateValidUntil: '2026-06-30' }, NOW).eligible).toBe(true);
    expect(evaluate(Z, { ...Z_GOOD, yearsOperating: 4 }, NOW).failed).toEqual(['yearsOperating']);
    expect(evaluate(Z, { ...Z_GOOD, excellenceScore: 599 }, NOW).failed).toEqual(['excellenceScore']);
    expect(evaluate(Z, { ...Z_GOOD, certificateValidUntil: '2026-06-29' }, NOW).failed).toEqual(['certificateValidUntil']);
    expect(evaluate(Z, { ...Z_GOOD, sector: 'other' }, NOW).failed).toEqual(['sector']);
    expect(evaluate(Z, { ...Z_GOOD, majorAccident: true }, NOW).failed).toEqual(['majorAccident']);
  });

  it('offers a choice criterion’s options as buttons and shows answers in words', () => {
    const r = startPrecheck(Z, '', NOW, { registeredInZhengzhou: true, independentLegalPerson: true, yearsOperating: 8 });
    expect(r.state.asking).toBe('sector');
    const q = r.replies[r.replies.length - 1];
    const sector = criterionOf(Z, 'sector')!;
    expect(q.choices?.map((c) => c.label)).toEqual(sector.type === 'choice' ? sector.options.map((o) => o.label) : undefined);
    const text = verdictText(Z, evaluate(Z, Z_GOOD, NOW), Z_GOOD, NOW);
    expect(text).toContain('（您的回答：工业企业）');
    expect(text).toContain('（您的回答：2027年3月31日）');
    expect(text).toContain('（您的回答：650分）');
  });

  it('flags the document’s lapse at the date of asking', () => {
    expect(validityCaveat(Z, new Date('2028-12-31T23:00:00+08:00'))).toContain('将于2028年12月31日到期');
    expect(validityCaveat(Z, new Date('2029-01-01T00:00:00+08:00'))).toContain('即已于2028年12月31日到期');
    expect(validityCaveat(Z, new Date('2023-12-01T00:00:00+08:00'))).toContain('即将于2028年12月31日到期');
    const noEnd: AwardRules = { ...Z, document: { ...Z.document, expires: undefined } };
    expect(validityCaveat(noEnd, new Date('2040-01-01T00:00:00+08:00'))).toBe('');
  });

  it('computes a per-unit reward with its minimum, and says so when the rules state none', () => {
    expect(K.reward.kind).toBe('per-unit');
    const perUnit = K.reward.kind === 'per-unit' ? K.reward : undefined;
    expect(computeReward(K, { spotCheckPasses: 4 })).toBe(perUnit!.amount * 4);
    const lowered: AwardRules = { ...K, reward: { ...perUnit!, minimum: perUnit!.amount * 5 } };
    expect(computeReward(lowered, { spotCheckPasses: 4 })).toBe(perUnit!.amount * 5);
    const none: AwardRules = { ...Z, reward: { kind: 'none' } };
    const v = evaluate(none, Z_GOOD, NOW);
    expect(v).toMatchObject({ eligible: true, reward: null });
    expect(verdictText(none, v, Z_GOOD, NOW)).toContain('没有规定具体奖励金额');
  });

  it('finds the award a text names, longest name first', () => {
    expect(awardMention([K, Z], '我们能申报郑州市长质量奖吗')?.id).toBe(Z.id);
    expect(awardMention([K, Z], '我们能评优秀奖吗')?.id).toBe(K.id);
    expect(awardMention([K, Z], '我们能评奖吗')).toBeUndefined();
  });
});

describe('conversation with several awards', () => {
  const env: TurnEnv = { answer: (question) => ({ question, intent: 'x', found: false, answer: '', citations: [] }), awards: [K, Z] };
  const turn = (state: ChatState, text: string) => {
    const m = /^\/(\w+)\s*(.*)$/.exec(text);
    return converse(reviveChatState(JSON.parse(JSON.stringify(state))), { text, command: m ? `/${m[1]}` : undefined, args: m?.[2] ?? '', intent: 'x', now: NOW }, env);
  };

  it('asks which award, then starts the one picked by name or number', () => {
    const ask = turn(emptyChatState(), '/precheck');
    expect(ask.replies[0].choices?.map((c) => c.label)).toEqual([K.name, Z.name]);
    expect(turn(ask.state, '2').replies[0].data).toEqual({ precheck: { ask: Z.criteria[0].slot, award: Z.id } });
    expect(turn(ask.state, K.name).replies[0].data).toEqual({ precheck: { ask: K.criteria[0].slot, award: K.id } });
  });

  it('keeps each award’s answers and shares the common facts: a Zhengzhou-registered company fails Kaiping’s place criterion without being asked', () => {
    const profile = '郑州市长质量奖：我们是郑州注册的工业企业，独立法人，连续经营8年，自评得分650分，质量管理体系证书有效期至2027年3月31日，没有发生重大事故，没有被列入失信名单';
    const done = turn(emptyChatState(), profile);
    expect(done.replies[0].data?.precheck).toEqual({ eligible: true, failed: [], reward: 500000, award: Z.id });
    expect(done.state.profiles?.[Z.id]).toEqual(Z_GOOD);
    expect(done.state.company).toMatchObject({ place: '郑州市', yearsRegistered: 8, independentLegalPerson: true });
    const k = turn(done.state, '/precheck 优秀奖');
    expect(k.replies[0].data?.precheck).toEqual({ eligible: false, failed: ['registeredInKaiping'], reward: null, award: K.id });
    expect(k.replies[0].text).toContain('在开平注册：否');
    expect(k.replies[0].text).toContain('注册年限：8年');
    const again = turn(k.state, '/precheck 郑州市长质量奖');
    expect(again.replies[0].text).toContain('已沿用您上次预检的回答');
    expect(again.replies[0].data).toMatchObject({ precheck: { eligible: true, award: Z.id } });
  });

  it('resumes a check and reuses a profile saved before awards had ids, as the first award’s', () => {
    const legacy = {
      v: 1,
      precheck: { v: 1, answers: { plumbingProducts: true }, asking: 'registeredInKaiping', history: ['plumbingProducts'], continued: false, status: 'asking' },
    };
    const resumed = turn(reviveChatState(legacy), '是');
    expect(resumed.replies[0].data).toEqual({ precheck: { ask: 'yearsRegistered', award: K.id } });
    const withProfile = turn(reviveChatState({ v: 1, profile: { plumbingProducts: true, yearsRegistered: 6 } }), '/precheck 优秀奖');
    expect(withProfile.replies[0].text).toContain('已沿用您上次预检的回答');
    expect(withProfile.state.profiles?.[K.id]).toMatchObject({ plumbingProducts: true, yearsRegistered: 6 });
  });
});
