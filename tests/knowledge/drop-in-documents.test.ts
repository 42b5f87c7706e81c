/**
 * Drop-in documents: each fixture under tests/fixtures/policies is copied next to the corpus into a fresh data
 * directory, ingested with the real CLI and asked its labelled questions through the real `ask --jsonl`, with no code
 * change in between. Scored by the eval rule (eval/score.ts): facts present, the document's title cited, found matches.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judge, judgeStrict, readItems, typeMatches, type ScoredAnswer } from '../../eval/score.ts';
import { ROOT, runCli } from '../helpers/run-cli.ts';
import { simplify } from '../../src/nlu/normalize.ts';

const FIXTURES = join(ROOT, 'tests', 'fixtures', 'policies');
/** The moment the questions are asked: Foshan's rules in force, Dongguan's plan running, Shaoxing's deadline passed. */
const AT = '2026-06-01T10:00:00+08:00';
/** The place each fixture is from, as an owner would name it. */
const PLACES: Record<string, string> = {
  'foshan-quality-benchmark-award.txt': '佛山',
  'dongguan-mould-quality-plan.txt': '东莞',
  'shaoxing-standard-funding-notice.txt': '绍兴',
  'huzhou-home-furnishing-quality.txt': '湖州',
  'jiaxing-standard-subsidy-notice.txt': '嘉兴',
  'shaoguan-mayor-quality-award.txt': '韶关',
  'wuhu-zhiliangjiang.txt': '芜湖',
  'yinzhou-biaozhunhua-zizhu.txt': '鄞州',
  'quanzhou-zhiliangtisheng-jiangli.txt': '泉州',
  'weifang-renzheng-tisheng.txt': '潍坊',
  'anping-zlqx-jiangli.txt': '安平',
  'guizhou-pinpai-shenbao.txt': '贵州',
  'pingtan-pinpai-fanti.txt': '平潭',
  'zhuzhou-jianceren-zheng.txt': '株洲',
  'shuyang-zhiliangqiangxian-jiangli.txt': '沭阳',
  'hubei-pinpai-shenbao-zhinan.txt': '湖北',
  'putian-biaozhunhua-jiangli.txt': '莆田',
  'yueyang-jianyanjiance-zhichi.txt': '岳阳',
};
/** The titles ingest must read from each fixture's own text (a 印发 notice's 《》, a 关于…的通知 line, the line before 第一章). */
const TITLES: Record<string, string[]> = {
  'foshan-quality-benchmark-award.txt': ['佛山市质量标杆奖评选管理办法'],
  'shaoxing-standard-funding-notice.txt': ['关于组织申报2025年度绍兴市标准化项目资助的通知'],
  'huzhou-home-furnishing-quality.txt': ['湖州市绿色家居产业质量提升行动方案（2024—2026年）', '湖州市家居产品质量奖励办法'],
  'jiaxing-standard-subsidy-notice.txt': ['关于组织申报2025年度嘉兴市企业标准化建设补助资金的通知'],
  'shaoguan-mayor-quality-award.txt': ['韶关市市长质量奖管理办法'],
  'wuhu-zhiliangjiang.txt': ['芜湖市政府质量奖管理办法'],
  'yinzhou-biaozhunhua-zizhu.txt': ['关于开展2026年度鄞州区标准化项目资助申报工作的通知'],
  'quanzhou-zhiliangtisheng-jiangli.txt': ['泉州市质量提升奖励办法'],
  'weifang-renzheng-tisheng.txt': ['潍坊市质量认证提升行动方案（2025—2027年）'],
  'anping-zlqx-jiangli.txt': ['安平县质量强县建设奖励实施细则'],
  'guizhou-pinpai-shenbao.txt': ['贵州省市场监督管理局贵州省财政厅关于组织申报2026年度“黔品质造”品牌培育工程项目的通知'],
  'pingtan-pinpai-fanti.txt': ['平潭综合实验区品牌建设扶持办法'],
  'zhuzhou-jianceren-zheng.txt': ['株洲市支持检验检测认证产业高质量发展若干措施'],
  'shuyang-zhiliangqiangxian-jiangli.txt': ['沭阳县质量强县建设奖励实施细则'],
  'hubei-pinpai-shenbao-zhinan.txt': ['2026年度湖北省质量品牌提升项目申报指南'],
  'putian-biaozhunhua-jiangli.txt': ['莆田市标准化奖励办法'],
  'yueyang-jianyanjiance-zhichi.txt': ['岳阳市支持检验检测认证和计量服务业发展若干措施'],
};
/** Built artefacts and console leftovers that a fresh data directory must not inherit. */
const NOT_COPIED = new Set(['index.json', 'intent-model.json', 'removed']);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh data directory holding the corpus's data files plus one drop-in document. */
function freshDataDir(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'drop-in-'));
  dirs.push(dir);
  for (const entry of readdirSync(join(ROOT, 'data'))) {
    if (NOT_COPIED.has(entry) || entry.endsWith('.tmp')) continue;
    cpSync(join(ROOT, 'data', entry), join(dir, entry), { recursive: true });
  }
  cpSync(join(FIXTURES, fixture), join(dir, 'policies', fixture));
  return dir;
}

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();

describe('drop-in policy documents', () => {
  it('has three fixtures, each with at least 10 labelled questions and a known place', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
    for (const f of fixtures) {
      expect(PLACES[f], f).toBeTruthy();
      expect(readItems(join(FIXTURES, f.replace(/\.txt$/, '.questions.jsonl'))).length, f).toBeGreaterThanOrEqual(10);
    }
  });

  for (const fixture of fixtures) {
    it(`${fixture}: ingest accepts it and ask --jsonl answers at least 90% of its questions right`, async () => {
      const items = readItems(join(FIXTURES, fixture.replace(/\.txt$/, '.questions.jsonl')));
      const place = PLACES[fixture];
      const dir = freshDataDir(fixture);
      const env = { POLICY_DATA_DIR: dir };

      const ingest = await runCli(['ingest'], { env });
      expect(ingest.code, ingest.stderr).toBe(0);
      const indexFile = join(dir, 'index.json');
      expect(existsSync(indexFile)).toBe(true);
      const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { documents: { id: string; title: string; file: string }[] };
      const titles = new Map(index.documents.map((d) => [d.id, d.title]));
      const own = index.documents.filter((d) => d.file === fixture).map((d) => d.title);
      if (TITLES[fixture]) expect(own, 'titles read from the text').toEqual(TITLES[fixture]);
      const docIds = [...new Set(items.map((it) => it.doc).filter((d): d is string => d !== null))];
      for (const id of docIds) expect(titles.has(id), `document id "${id}" not in the built index: ${[...titles.keys()].join(', ')}`).toBe(true);

      const probes = [`${place}有哪些政策`, '深圳有质量奖吗'];
      const questions = [...items.map((it) => it.question), ...probes];
      const asked = await runCli(['ask', '--jsonl', '--at', AT], { env, input: `${questions.join('\n')}\n`, timeoutMs: 50_000 });
      expect(asked.code, asked.stderr).toBe(0);
      const answers = asked.stdout.trim().split('\n').map((l) => JSON.parse(l) as ScoredAnswer & { question: string });
      expect(answers).toHaveLength(questions.length);

      const failures: string[] = [];
      let right = 0;
      let typeOk = 0;
      let strict = 0;
      let articleOk = 0;
      items.forEach((it, i) => {
        const a = answers[i];
        const { pass, why } = judge(it, a, (doc) => titles.get(doc) ?? doc);
        if (pass) right++;
        else failures.push(`  FAIL ${it.id} ${it.question} → ${why} [want ${it.note}] :: ${a.answer.split('\n')[0].slice(0, 90)}`);
        if (judgeStrict(it, a, (doc) => titles.get(doc) ?? doc)) strict++;
        if (it.type && typeMatches(it.type, a)) typeOk++;
        // Informative: the first citation is the clause the label names (the note starts with the cited article).
        // (In either script: a Traditional document's clause is cited as 第七條, a label may say 第七条.)
        if (it.note && a.citations[0] && simplify(it.note).startsWith(simplify(a.citations[0].article))) articleOk++;
      });
      const rate = right / items.length;
      console.log(
        `drop-in ${fixture}: ${right}/${items.length} right (${(100 * rate).toFixed(1)}%), strict ${strict}/${items.length}, type match ${typeOk}/${items.filter((it) => it.type).length}, first citation = labelled article ${articleOk}/${items.length}` +
          (failures.length ? `\n${failures.join('\n')}` : ''),
      );

      const [aboutPlace, elsewhere] = answers.slice(items.length);
      // Once a document from the place is loaded, the bot must not say the place is not covered.
      expect.soft(aboutPlace.answer, aboutPlace.answer).not.toMatch(new RegExp(`未收录[^。\\n]*${place}`));
      // The not-covered reply lists what is loaded, so it names the new place too.
      expect.soft(elsewhere.found, elsewhere.answer).toBe(false);
      expect.soft(elsewhere.answer, elsewhere.answer).toContain(place);
      expect(rate, failures.join('\n')).toBeGreaterThanOrEqual(0.9);
    });
  }
});
