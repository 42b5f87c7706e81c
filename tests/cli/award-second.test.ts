import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwardFile } from '../../src/dialogue/award-loader.ts';
import { criterionOf } from '../../src/dialogue/award-rules.ts';
import { askedSlot, last, tempDb, verdictOf, type BotLine, type ChatInput } from '../helpers/chat.ts';
import { ROOT, runCli } from '../helpers/run-cli.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/awards');
/** The second award, from its rules file: everything these tests expect of it is read from there. */
const Z = loadAwardFile(join(FIXTURE, 'zhengzhou-mayor-quality.json'));
const K = loadAwardFile(join(ROOT, 'data/awards/kaiping-excellence.json'));
const AT = '2026-11-22T10:00:00+08:00';
const msg = (text: string, chat = 'z1', at = AT): ChatInput => ({ chat, text, at });

/** Answers that make an enterprise eligible for the second award, criterion by criterion (in question order). */
const GOOD: Record<string, string> = {
  registeredInZhengzhou: '是的，在郑东新区',
  independentLegalPerson: '是',
  yearsOperating: '2016年成立的',
  sector: '工业企业',
  excellenceScore: '650分',
  certificateValidUntil: '2027年3月31日',
  majorAccident: '没有',
  seriousDishonesty: '没有',
};

let dataDir = '';
let awardsDir = '';

/** A data directory with the real corpus plus the fixture document, and an awards directory with both rules files. */
function workspace(): { data: string; awards: string } {
  const root = mkdtempSync(join(tmpdir(), 'award-second-'));
  const data = join(root, 'data');
  const awards = join(root, 'awards');
  mkdirSync(join(data, 'policies'), { recursive: true });
  mkdirSync(awards);
  for (const dir of [join(ROOT, 'data/policies'), join(FIXTURE, 'policies')]) {
    for (const f of readdirSync(dir)) cpSync(join(dir, f), join(data, 'policies', f));
  }
  cpSync(join(ROOT, 'data/awards/kaiping-excellence.json'), join(awards, 'kaiping-excellence.json'));
  cpSync(join(FIXTURE, 'zhengzhou-mayor-quality.json'), join(awards, 'zhengzhou-mayor-quality.json'));
  return { data, awards };
}

const env = () => ({ POLICY_DATA_DIR: dataDir, AWARDS_DIR: awardsDir });

/** Runs `chat --jsonl` with both awards and returns the bot's messages per input line. */
async function chat(inputs: ChatInput[], db = tempDb()): Promise<BotLine[][]> {
  const input = inputs.map((i) => JSON.stringify({ user: 'u', ...i })).join('\n') + '\n';
  const r = await runCli(['chat', '--jsonl', '--db', db], { input, env: env() });
  const turns: BotLine[][] = [];
  let current: BotLine[] = [];
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const o = JSON.parse(line);
    if ('ack' in o) {
      turns.push(current);
      current = [];
    } else current.push(o);
  }
  if (turns.length !== inputs.length) throw new Error(`expected ${inputs.length} acks, got ${turns.length}; stderr: ${r.stderr.slice(0, 2000)}`);
  return turns;
}

/** Starts the second award by naming it and answers every question with GOOD (or overrides). */
function walk(overrides: Record<string, string> = {}, at = AT): ChatInput[] {
  return [msg('我们能申报郑州市长质量奖吗', 'z1', at), ...Z.criteria.map((c) => msg(overrides[c.slot] ?? GOOD[c.slot], 'z1', at))];
}

beforeAll(async () => {
  ({ data: dataDir, awards: awardsDir } = workspace());
  const r = await runCli(['ingest'], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('2 award rules files checked');
}, 120_000);

describe('a second award defined only by its rules file, over chat --jsonl', () => {
  it('starts directly when the user names the award, asking its first criterion', async () => {
    const turns = await chat([msg('我们能申报郑州市长质量奖吗')]);
    const q = last(turns[0]);
    expect(q.data?.precheck).toEqual({ ask: Z.criteria[0].slot, award: Z.id });
    expect(q.text).toContain(Z.name);
    expect(q.text).toContain(`（第1项，共${Z.criteria.length}项）${Z.criteria[0].question}`);
  });

  it('asks which award with choices when several rules files exist, and a pick starts that award', async () => {
    const turns = await chat([msg('/precheck'), msg(Z.name), msg('/precheck', 'k1'), msg('1', 'k1')]);
    const ask = last(turns[0]);
    expect(ask.data?.precheck).toEqual({ choose: [K.id, Z.id] });
    expect(ask.text).toContain(K.name);
    expect(ask.text).toContain(Z.name);
    expect(last(turns[1]).data?.precheck).toEqual({ ask: Z.criteria[0].slot, award: Z.id });
    expect(last(turns[3]).data?.precheck).toEqual({ ask: K.criteria[0].slot, award: K.id });
  });

  it('gives an eligible verdict with the reward the rules state, each criterion cited', async () => {
    const turns = await chat(walk());
    const i = turns.findIndex((t) => verdictOf(last(t)));
    expect(i).toBe(Z.criteria.length);
    // Every question along the way named its slot and award, in the rules file's order.
    expect(turns.slice(0, i).map((t) => askedSlot(last(t)))).toEqual(Z.criteria.map((c) => c.slot));
    const v = last(turns[i]);
    expect(Z.reward.kind).toBe('fixed');
    const amount = Z.reward.kind === 'fixed' ? Z.reward.amount : NaN;
    expect(v.data?.precheck).toEqual({ eligible: true, failed: [], reward: amount, award: Z.id });
    expect(v.text).toContain(`预计奖励：${amount}元`);
    for (const c of Z.criteria) expect(v.text).toContain(`✅ 符合：${c.condition}`);
    expect(v.text).toContain(`《${Z.document.title}》${Z.criteria[0].cite[0].article}`);
    expect(v.text).toContain('将于2028年12月31日到期');
  });

  it.each([
    ['yearsOperating', '3年'],
    ['certificateValidUntil', '2026年3月31日'],
    ['sector', '其他'],
  ])('is not eligible when %s fails (%j), naming the reason and its article', async (slot, answer) => {
    const turns = await chat(walk({ [slot]: answer }));
    const i = turns.findIndex((t) => verdictOf(last(t)));
    const c = criterionOf(Z, slot)!;
    expect(i).toBe(Z.criteria.indexOf(c) + 1);
    const v = last(turns[i]);
    expect(v.data?.precheck).toEqual({ eligible: false, failed: [slot], reward: null, award: Z.id });
    expect(v.text).toContain(`❌ 不符合：${c.condition}`);
    expect(v.text).toContain(c.failReason.split('{answer}')[0]);
    expect(v.text).toContain(c.cite[0].article);
    // The check ended early: no further question.
    expect(turns.slice(i + 1).flat().some((m) => askedSlot(m))).toBe(false);
  });

  it('reads a one-message profile for the named award and flags the lapse at the date of asking', async () => {
    const profile = '我们能申报郑州市长质量奖吗？我们是郑州注册的工业企业，独立法人，连续经营8年，卓越绩效自评得分650分，质量管理体系证书有效期至2027年3月31日，近3年没有发生重大事故，也没有被列入失信名单';
    const turns = await chat([msg(profile, 'p1', '2029-03-01T10:00:00+08:00')]);
    const v = last(turns[0]);
    expect(verdictOf(v)).toMatchObject({ eligible: true, award: Z.id });
    expect(v.text).toContain(`即已于2028年12月31日到期`);
    expect(v.text).toContain(`请向${Z.document.contact}确认现行规定`);
  });

  it('survives a restart mid-check on the second award; /back and 不知道 work there too', async () => {
    const db = tempDb();
    const first = await chat([msg('我们能申报郑州市长质量奖吗'), msg('是'), msg('是')], db);
    expect(askedSlot(last(first[2]))).toBe('yearsOperating');
    const second = await chat([msg('你好'), msg('/back'), msg('是'), msg('8年'), msg('不知道')], db);
    expect(second[0].some((m) => askedSlot(m) === 'yearsOperating' && m.data?.precheck.award === Z.id)).toBe(true);
    expect(askedSlot(last(second[1]))).toBe('independentLegalPerson');
    expect(askedSlot(last(second[3]))).toBe('sector');
    expect(last(second[4]).text).toContain(`“${criterionOf(Z, 'sector')!.label}”先记为未确认`);
    expect(askedSlot(last(second[4]))).toBe('excellenceScore');
  });
});

describe('validation that helps the author', () => {
  /** Writes a modified copy of the second rules file into a fresh awards directory. */
  function brokenAwards(edit: (rules: any) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'awards-broken-'));
    const rules = JSON.parse(readFileSync(join(FIXTURE, 'zhengzhou-mayor-quality.json'), 'utf8'));
    edit(rules);
    writeFileSync(join(dir, 'zhengzhou-mayor-quality.json'), JSON.stringify(rules, null, 2));
    return dir;
  }

  it('ingest rejects a quote that is not verbatim in the cited article, naming file and field', async () => {
    const dir = brokenAwards((r) => (r.criteria[4].cite[0].quote = '自评得分不低于500分'));
    const r = await runCli(['ingest'], { env: { POLICY_DATA_DIR: dataDir, AWARDS_DIR: dir } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('zhengzhou-mayor-quality.json: criteria.4.cite.0.quote');
  });

  it('ingest rejects a cited article that does not exist and a hint the criterion cannot read', async () => {
    const dir = brokenAwards((r) => {
      r.criteria[0].cite[0].article = '第四十条';
      r.criteria[2].hint = '“好多年”';
    });
    const r = await runCli(['ingest'], { env: { POLICY_DATA_DIR: dataDir, AWARDS_DIR: dir } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('criteria.0.cite.0.article');
    expect(r.stderr).toContain('criteria.2.hint');
  });

  it('a rules file that breaks the format is reported by file and field path', async () => {
    const noUnit = brokenAwards((r) => delete r.criteria[2].unit);
    let r = await runCli(['ingest'], { env: { POLICY_DATA_DIR: dataDir, AWARDS_DIR: noUnit } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('zhengzhou-mayor-quality.json: criteria.2.unit');
    const twice = brokenAwards((r) => (r.criteria[3].slot = r.criteria[1].slot));
    r = await runCli(['ingest'], { env: { POLICY_DATA_DIR: dataDir, AWARDS_DIR: twice } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('zhengzhou-mayor-quality.json: criteria.3.slot');
    expect(r.stderr).toContain(`slot "${Z.criteria[1].slot}" is also used by criteria.1`);
  });

  it('precheck-lint prints the form as a user meets it and passes a good file', async () => {
    const r = await runCli(['precheck-lint', join(FIXTURE, 'zhengzhou-mayor-quality.json')], { env: { POLICY_DATA_DIR: dataDir } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    Z.criteria.forEach((c, i) => expect(r.stdout).toContain(`（第${i + 1}项，共${Z.criteria.length}项）${c.question}`));
    expect(r.stdout).toContain('按钮：[1] 工业企业');
    expect(r.stdout).toContain('没有发现问题');
  });

  it('precheck-lint lists the problems of a file whose document is missing', async () => {
    const r = await runCli(['precheck-lint', join(FIXTURE, 'zhengzhou-mayor-quality.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('document.id');
  });
});
