import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDb, type BotLine } from '../helpers/chat.ts';
import { ROOT, runCli } from '../helpers/run-cli.ts';

/**
 * Thirty company profiles with their expected match lists, played through the real `chat --jsonl` with three awards
 * loaded together: Kaiping (lapsed), the Zhengzhou fixture (in force, fixed reward) and the Hangzhou-shaped fixture
 * (a draft, an anyOf group and a ceiling). Each profile is one or more messages; the last asks which awards fit.
 */
const FIXTURE = join(ROOT, 'tests/fixtures/awards');
const AT = '2026-11-22T10:00:00+08:00';
const K = 'kaiping-excellence';
const Z = 'zhengzhou-mayor-quality';
const H = 'hangzhou-gov-quality';
type V = 'eligible' | 'ineligible' | 'unknown';

const KAIPING_OK = '我们在开平注册6年，做水龙头的，是独立法人，能提供缴税证明，合规经营，近3年抽检合格4次，没有不合格，没有投诉处罚。';
const ZHENGZHOU_OK = '我们是郑州注册的工业企业，独立法人，连续经营8年，自评得分650分，质量管理体系证书有效期至2027年3月31日，没有发生重大事故，没有被列入失信名单。';
const HANGZHOU_BASE = '我们在杭州注册5年了，是独立法人，近3年没有发生过事故，没有被列入失信名单';
const ASK = '我们能申报哪些奖？';

const PROFILES: { name: string; say: string[]; expect: Record<string, V>; failed?: Record<string, string> }[] = [
  { name: 'Kaiping, every condition met', say: [KAIPING_OK + ASK], expect: { [K]: 'eligible', [Z]: 'ineligible', [H]: 'ineligible' } },
  { name: 'Kaiping, registered 2 years', say: [KAIPING_OK.replace('6年', '2年') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [K]: 'yearsRegistered' } },
  { name: 'Kaiping, 2 passes', say: [KAIPING_OK.replace('合格4次', '合格2次') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [K]: 'spotCheckPasses' } },
  { name: 'Kaiping, a failed spot check', say: [KAIPING_OK.replace('没有不合格', '有过一次不合格') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [K]: 'spotCheckFailed' } },
  { name: 'Kaiping, half the facts', say: ['我们在开平注册5年，做花洒的，是独立法人。' + ASK], expect: { [K]: 'unknown', [Z]: 'ineligible', [H]: 'ineligible' } },
  { name: 'registered in Foshan', say: ['我们是佛山注册的卫浴企业，是独立法人。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [K]: 'registeredInKaiping', [H]: 'registeredInHangzhou' } },
  { name: 'Zhengzhou, every condition met', say: [ZHENGZHOU_OK + '有什么适合我们的政策'], expect: { [K]: 'ineligible', [Z]: 'eligible', [H]: 'ineligible' } },
  { name: 'Zhengzhou, 3 years', say: [ZHENGZHOU_OK.replace('8年', '3年') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [Z]: 'yearsOperating' } },
  { name: 'Zhengzhou, score 550', say: [ZHENGZHOU_OK.replace('650分', '550分') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [Z]: 'excellenceScore' } },
  { name: 'Zhengzhou, certificate ends before the deadline', say: [ZHENGZHOU_OK.replace('2027年3月31日', '2026年3月31日') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [Z]: 'certificateValidUntil' } },
  { name: 'Zhengzhou, a major accident', say: [ZHENGZHOU_OK.replace('没有发生重大事故', '发生过一次重大事故') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [Z]: 'majorAccident' } },
  { name: 'Zhengzhou, a farm cooperative', say: [ZHENGZHOU_OK.replace('工业企业', '农业合作社') + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [Z]: 'sector' } },
  { name: 'Zhengzhou, two facts only', say: ['我们在郑州注册6年，是独立法人。' + ASK], expect: { [K]: 'ineligible', [Z]: 'unknown', [H]: 'ineligible' } },
  { name: 'Hangzhou, grade A', say: [HANGZHOU_BASE + '，亩均效益A档。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'eligible' } },
  { name: 'Hangzhou, grade B in the low-altitude economy', say: [HANGZHOU_BASE + '，亩均效益B档，我们是做无人机的，属于低空经济。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'eligible' } },
  { name: 'Hangzhou, aerospace with grade C', say: [HANGZHOU_BASE + '，我们是航空航天企业，C档。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [H]: 'mujunRule' } },
  { name: 'Hangzhou, grade B in traditional manufacturing', say: [HANGZHOU_BASE + '，亩均效益B档，做传统制造的。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [H]: 'mujunRule' } },
  { name: 'Hangzhou, "not B, A"', say: [HANGZHOU_BASE + '，亩均效益不是B档，是A档。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'eligible' } },
  { name: 'Hangzhou, grade B, industry not said', say: [HANGZHOU_BASE + '，亩均效益B档。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'unknown' } },
  { name: 'Hangzhou, registered 2 years', say: [HANGZHOU_BASE.replace('5年', '2年') + '，亩均效益A档。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [H]: 'yearsOperating' } },
  { name: 'Hangzhou, on the dishonesty list', say: ['我们在杭州注册5年了，是独立法人，亩均效益A档，没有发生过事故，但被列入过失信名单。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [H]: 'seriousDishonesty' } },
  { name: 'Hangzhou, a low self-assessed score never decides', say: [HANGZHOU_BASE + '，亩均效益A档，自评得分550分。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'eligible' } },
  { name: 'nothing known', say: [ASK], expect: { [K]: 'unknown', [Z]: 'unknown', [H]: 'unknown' } },
  { name: 'only the years', say: ['我们注册了10年。' + ASK], expect: { [K]: 'unknown', [Z]: 'unknown', [H]: 'unknown' } },
  { name: 'a branch office in Hangzhou', say: ['我们不是独立法人，是分公司，在杭州注册的。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [H]: 'independentLegalPerson' } },
  { name: 'Kaiping in Traditional characters', say: ['我們在開平註冊6年，做水龍頭的，是獨立法人，能提供繳稅證明，合規經營，近3年抽檢合格4次，沒有不合格，沒有投訴處罰。我們能申報哪些獎？'], expect: { [K]: 'eligible', [Z]: 'ineligible', [H]: 'ineligible' } },
  { name: 'Hangzhou, grade b (lower case) in AI', say: ['我们在杭州注册4年，是独立法人，亩均效益b档，做人工智能大模型的，近3年没有发生过事故，没有被列入失信名单。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'eligible' } },
  { name: 'Hangzhou, grade B in medical devices', say: [HANGZHOU_BASE + '，亩均效益B档，我们生产医疗器械。' + ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'eligible' } },
  { name: 'Hangzhou, told over three messages', say: ['我们在杭州注册5年了，是独立法人', '我们亩均效益A档，近3年没有发生过事故，没有被列入失信名单', '我们能拿什么奖'], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'eligible' } },
  { name: 'Zhengzhou, then corrected to 4 years', say: [ZHENGZHOU_OK + ASK, '我们注册4年了', ASK], expect: { [K]: 'ineligible', [Z]: 'ineligible', [H]: 'ineligible' }, failed: { [Z]: 'yearsOperating' } },
];

let dataDir = '';
let awardsDir = '';
const env = () => ({ POLICY_DATA_DIR: dataDir, AWARDS_DIR: awardsDir });

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'match-profiles-'));
  dataDir = join(root, 'data');
  awardsDir = join(root, 'awards');
  mkdirSync(join(dataDir, 'policies'), { recursive: true });
  mkdirSync(awardsDir);
  for (const dir of [join(ROOT, 'data/policies'), join(FIXTURE, 'policies')]) for (const f of readdirSync(dir)) cpSync(join(dir, f), join(dataDir, 'policies', f));
  cpSync(join(ROOT, 'data/awards/kaiping-excellence.json'), join(awardsDir, 'kaiping-excellence.json'));
  for (const f of ['zhengzhou-mayor-quality.json', 'hangzhou-gov-quality.json']) cpSync(join(FIXTURE, f), join(awardsDir, f));
  const r = await runCli(['ingest'], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('3 award rules files checked');
}, 180_000);

describe('thirty profiles matched against three awards through chat --jsonl', () => {
  let last: BotLine[][] = [];

  beforeAll(async () => {
    const lines = PROFILES.flatMap((p, i) => p.say.map((text) => JSON.stringify({ chat: `p${i}`, user: `p${i}`, text, at: AT })));
    const r = await runCli(['chat', '--jsonl', '--db', tempDb()], { input: lines.join('\n') + '\n', env: env() });
    const turns: BotLine[][] = [];
    let current: BotLine[] = [];
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const o = JSON.parse(line);
      if ('ack' in o) {
        turns.push(current);
        current = [];
      } else current.push(o);
    }
    expect(turns.length, r.stderr.slice(0, 2000)).toBe(lines.length);
    let at = 0;
    last = PROFILES.map((p) => {
      at += p.say.length;
      return turns[at - 1];
    });
  }, 180_000);

  PROFILES.forEach((p, i) => {
    it(`${i + 1}. ${p.name}`, () => {
      const reply = last[i].find((m) => m.data?.match);
      expect(reply, JSON.stringify(last[i]).slice(0, 600)).toBeDefined();
      const match = reply!.data!.match as { award: string; verdict: V; failed: string[]; missing: string[]; reward: unknown; status: string }[];
      expect(Object.fromEntries(match.map((m) => [m.award, m.verdict]))).toEqual(p.expect);
      for (const [award, slot] of Object.entries(p.failed ?? {})) expect(match.find((m) => m.award === award)!.failed[0]).toBe(slot);
      // Every line is cited, the statuses are told, and an unknown award offers its questions by number.
      for (const m of match) {
        expect(m.status).toBe(m.award === K ? 'lapsed' : m.award === H ? 'draft' : 'in-force');
        if (m.verdict === 'unknown') expect(m.missing.length).toBeGreaterThan(0);
        if (m.verdict === 'eligible') expect(m.reward).not.toBeNull();
      }
      const lines = reply!.text.split('\n').filter((l) => /^[✅❌❔]/.test(l));
      expect(lines).toHaveLength(3);
      for (const l of lines) expect(l).toMatch(/《[^》]+》/);
    });
  });

  it('the eligible Hangzhou line shows the ceiling and the draft status; the Kaiping line its lapse', () => {
    const h = last[13].find((m) => m.data?.match)!.text;
    expect(h).toMatch(/✅ 杭州市政府质量奖：可能符合申报条件（⚠️ 征求意见稿.*最高60万元/);
    const k = last[0].find((m) => m.data?.match)!.text;
    expect(k).toMatch(/✅ 开平市水暖卫浴产品质量优秀奖：可能符合申报条件（⚠️ 文件已到期失效/);
    expect(k).toContain('1.2万元');
  });
});
