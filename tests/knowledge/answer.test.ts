import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerQuestion, documentList, questionType } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { ASKED, knowledge } from '../helpers/knowledge.ts';

const ask = (q: string, at = ASKED) => answerQuestion(knowledge(), q, at);
/** The answer's lead: the first line after any lapse warning, without the "原办法规定：" framing of a lapsed rule. */
const lead = (a: { answer: string }) => a.answer.split('\n').find((l) => !l.startsWith('⚠️'))!.replace(/^原[\u4e00-\u9fff]{1,3}规定：/, '');

describe('award facts', () => {
  it('puts the reward first, in yuan, then cites 第七条 verbatim', () => {
    const a = ask('优秀奖奖金多少');
    expect(a.found).toBe(true);
    expect(lead(a)).toMatch(/3000元.*9000元/);
    expect(a.citations[0]).toMatchObject({ title: '开平市水暖卫浴产品质量优秀奖评审管理办法', article: '第七条' });
    expect(a.citations[0].quote).toContain('每检验合格一次奖励人民币 3 千元');
  });

  it('does the arithmetic for a number of passed inspections', () => {
    expect(lead(ask('抽检合格5次能拿多少钱'))).toContain('15000元');
    expect(lead(ask('合格十次奖励多少'))).toContain('30000元');
    expect(ask('If we passed 4 spot checks, how much is the reward?').answer).toContain('12000元');
  });

  it('says two passes are not enough instead of computing a reward', () => {
    const a = ask('合格2次能拿多少奖金');
    expect(lead(a)).toMatch(/不够|3次以上/);
    expect(a.answer).not.toContain('6000元');
  });

  it('understands Traditional characters', () => {
    const a = ask('優秀獎獎金多少');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('9000元');
  });

  it('answers validity and publicity length', () => {
    expect(ask('优秀奖有效期几年').answer).toMatch(/有效期为3年/);
    expect(ask('公示期多少天').answer).toMatch(/10天/);
  });

  it('reads a glossary phrase the segmenter splits as one ("谁出的钱" asks who funds it, not an amount)', () => {
    const a = ask('優秀獎的獎金是誰出的錢');
    expect(lead(a)).toContain('市财政统筹');
    expect(a.citations[0].article).toBe('第八条');
    expect(lead(ask('拿了优秀奖除了奖金还发啥？有没有牌匾'))).toContain('奖牌和证书');
  });
});

describe('yes or no first', () => {
  it.each([
    ['获奖了可以印在产品包装上吗', /^不可以。.*不得用于具体产品及其内外包装/],
    ['获奖的可以宣传吗', /^可以。.*宣传/],
    ['抽检不合格还能参加展销会吗', /^不可以。.*一年内不得参与/],
    ['抽检不合格还能评优秀奖吗', /^不(能|可以)。/],
    ['我公司在开平注册两年了，可以申请质量优秀奖吗', /^不可以。.*3年以上/],
    // The thing asked about decides the sentence, not the rarer words around it.
    ['我们参与了国家标准修订，开平政府有没有补贴', /^有。.*一定资助/],
    ['江門質量認證信息化建設有資金支持嗎', /^有。.*专项资金/],
    // 会不会/要…吗 questions, decided by the clause that speaks of what is asked, not by its closing department list.
    ['产品涉及人身安全的关键项目不合格，中山会不会立案查', /^会。.*立案查处率100%/],
    ['各區縣要自己訂具體實施方案嗎', /^需要。.*具体实施工作方案/],
    ['获奖企业名单要公示吗', /^需要。.*公示/],
    ['我们是检测认证机构，在江门能申报高新技术企业吗', /^可以。.*支持/],
    ['优秀奖可以重复申报吗', /^可以。.*期满可重新申报/],
    // Context before the question, a closing 不 for 吗, and colloquial words (水龙头) that the documents do not use.
    ['我们厂被抽检不合格，还能去参加展销会吗', /^不可以。.*一年内不得参与/],
    ['评上水暖优秀奖了 能把奖印在产品包装盒上不', /^不可以。.*不得用于具体产品/],
    ['获奖了能不能把奖印在水龙头包装上', /^不可以。.*不得用于具体产品/],
    // The user's own record, with no award named, is judged by the award whose rules answer best.
    ['三年内合格了4次但中间有一次不合格，还能报不', /^不可以。.*不合格记录/],
  ])('%s', (q, first) => {
    expect(lead(ask(q))).toMatch(first);
  });

  it('gives no verdict when the clause never speaks of the thing asked about, and says what it does cover', () => {
    const a = ask('中山首席质量官有补贴吗');
    expect(lead(a)).toMatch(/^《[^》]+》.+谈到了首席质量官，但没有写明补贴。$/);
    expect(a.answer).not.toMatch(/^有。/m);
    expect(lead(ask('获奖企业能不能免检'))).not.toMatch(/^(可以|不可以)。/);
  });
});

describe('dates', () => {
  it('puts the lapse first when asked about now, and answers plainly as of a date when the rules were in force', () => {
    const now = ask('优秀奖过期了现在还能再申请吗').answer.split('\n');
    expect(now[0]).toMatch(/^⚠️.*2021年9月30日/);
    expect(now[1]).toMatch(/期满可重新申报/);
    expect(ask('优秀奖过期了还能再申请吗', new Date('2019-06-01T10:00:00+08:00')).answer.split('\n')[0]).toMatch(/^可以。.*期满可重新申报/);
  });

  it('says a document was not yet issued at the date of asking', () => {
    expect(ask('江门认证方案现在有效吗', new Date('2019-06-01T10:00:00+08:00')).answer.split('\n')[0]).toMatch(/尚未印发/);
  });

  it('flags the Kaiping rules as lapsed when asked after 2021-09-30', () => {
    const a = ask('优秀奖这个办法现在还有效吗');
    expect(a.answer.split('\n')[0]).toMatch(/已过有效期/);
    expect(a.answer).toContain('2021年9月30日');
  });

  it('says the rules are in force when asked in 2018', () => {
    const a = ask('优秀奖评审办法现在还有效吗', new Date('2018-05-01T10:00:00+08:00'));
    expect(a.answer.split('\n')[0]).toMatch(/仍在有效期内/);
  });
});

describe('city and scope', () => {
  it('answers a named city from that city only', () => {
    const a = ask('江门环境管理体系认证目标多少家');
    expect(a.citations.every((c) => c.title.startsWith('江门市'))).toBe(true);
    expect(lead(a)).toContain('1500家');
  });

  it('answers a Zhongshan department question from the task table', () => {
    const a = ask('中山首席质量官制度谁牵头');
    expect(a.found).toBe(true);
    expect(a.citations[0].title).toContain('中山市');
    expect(lead(a)).toContain('市质监局');
  });

  it.each(['佛山有没有质量奖奖金', '开平社保缴费比例是多少', '个税起征点现在多少', '中山市政府质量奖奖金多少', '今天天气怎么样', '高新技术企业所得税是按15%交吗', '公积金缴存比例是多少'])('says plainly that "%s" is not covered', (q) => {
    const a = ask(q);
    expect(a.found).toBe(false);
    expect(a.citations).toEqual([]);
    expect(a.answer).toMatch(/抱歉|没有/);
    expect(a.answer).toMatch(/市场监督管理局/);
  });
});

describe('a document dropped into data/policies', () => {
  it('is answerable with a citation after ingest, with no code change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-new-'));
    mkdirSync(join(dir, 'policies'));
    writeFileSync(
      join(dir, 'policies', 'test-ceramics.txt'),
      '测试市陶瓷产品质量奖励办法\n\n第一条 为提升陶瓷质量，制定本办法。\n第二条 获得陶瓷质量奖的企业奖励人民币 5 万元。\n第三条 陶瓷质量奖每两年评选一次。\n',
    );
    const k = loadKnowledge(dir);
    const a = answerQuestion(k, '测试市陶瓷质量奖多久评选一次', ASKED);
    expect(a.found).toBe(true);
    expect(a.citations[0]).toMatchObject({ title: '测试市陶瓷产品质量奖励办法', article: '第三条' });
    expect(a.answer.split('\n')[0]).toContain('每两年');
  });
});

describe('answers shaped for a chat', () => {
  const lines = (q: string, at = ASKED) => ask(q, at).answer.split('\n');

  it('puts one short lapse line first, then the lead framed as what the rules said, the source and a trimmed quote', () => {
    const [warn, lead1, source, quote] = lines('优秀奖奖金多少');
    expect(warn).toMatch(/^⚠️ 该办法已于2021年9月30日到期/);
    expect(warn.length).toBeLessThanOrEqual(70);
    expect(lead1).toMatch(/^原办法规定：.*3000元/);
    expect(source).toBe('依据：《开平市水暖卫浴产品质量优秀奖评审管理办法》第七条');
    expect(quote).toMatch(/^“.*3 千元.*”$/);
    // In force at the date of asking: no warning, no framing.
    expect(lines('优秀奖奖金多少', new Date('2019-06-01T10:00:00+08:00'))[0]).toMatch(/^获奖企业每检验合格一次奖励人民币3000元/);
  });

  it('keeps the whole clause in the citation and only the sentence with the fact in the excerpt', () => {
    const a = ask('江门管理体系认证目标多少家');
    const c = a.citations[0] as { quote: string; excerpt?: string };
    expect(c.excerpt).toContain('5300家');
    expect(c.excerpt).not.toContain('2800家');
    expect(c.quote).toContain('2800家');
    expect(a.answer.length).toBeLessThan(200);
  });

  it('reads colloquial question words as the question type', () => {
    const g = knowledge().glossary;
    for (const q of ['截止到哪天', '啥时候申报', '多会儿公示']) expect(questionType(q, g)).toBe('when');
    expect(questionType('有效期几年', g)).toBe('duration');
    expect(questionType('多久评一次', g)).toBe('cadence');
    expect(questionType('奖金多少', g)).toBe('money');
    expect(questionType('多少家企业', g)).toBe('quantity');
    expect(questionType('谁牵头', g)).toBe('who');
    expect(questionType('能不能宣传', g)).toBe('yesno');
    expect(questionType('培训基地在哪儿', g)).toBe('where');
    expect(questionType('Which Zhongshan bureau leads publishing the quality blacklist?', g)).toBe('who');
    expect(questionType('What is the reward for the Kaiping excellence award?', g)).toBe('money');
    expect(questionType('平台在哪些行业建', g)).toBe('list');
    // "那几个条件" points back at the conditions; it does not ask how many.
    expect(questionType('报优秀奖那几个条件是要全部满足吗', g)).toBe('yesno');
  });

  it('answers "江门的认证目标有哪些" with the 2025 targets under 一、总体目标, not with a task that mentions certification', () => {
    const a = ask('江门的认证目标有哪些');
    expect(lead(a)).toMatch(/^争取到2025年.*5300家/);
    expect(a.citations[0].article).toBe('一、');
  });

  it('answers a place alone with its documents, and two questions joined by a comma or an English "and"', () => {
    const a = ask('开平有哪些政策');
    expect(a.answer).toContain('《开平市水暖卫浴产品质量优秀奖评审管理办法》');
    expect(a.answer).not.toContain('中山');
    expect(lead(ask('优秀奖办法哪天开始施行，有效期多久'))).toBe('本办法自2016年10月1日起施行；有效期5年。');
    expect(lead(ask('When did the Kaiping plumbing product quality award rules take effect, and for how long?'))).toContain('有效期5年');
    expect(lead(ask('優秀獎的獎牌可以印在產品包裝上嗎'))).toMatch(/^不可以。.*不得用于具体产品/);
  });

  it('answers who manages a thing from the clause\'s departments, not from what the thing will become (成为…中心)', () => {
    expect(lead(ask('开平检验站谁管'))).toMatch(/^负责部门：市场监管局、水口镇、水暖协会/);
  });

  it('answers a second question from another clause of the same place, and says nothing twice', () => {
    const a = ask('四川重点消费品国抽合格率要保持多少？地标保护产品目标几个');
    expect(lead(a)).toMatch(/91\.5%.*290个/);
    expect(a.citations.map((c) => c.article)).toEqual(['二、（三）3', '附件1第11项']);
    const b = lead(ask('四川哪些产品要搞绿色产品认证，一共几种'));
    expect(b.match(/12种/g)).toHaveLength(1);
  });

  it('gives a document with no validity the year its targets run to, and reads a 质量奖 name without the verb before it', () => {
    const a = ask('江门质量认证体系那个方案现在还有效不，管到哪年');
    expect(a.answer).toMatch(/没有写明有效期/);
    expect(a.answer).toMatch(/文中目标期限：到2025年（一、）/);
    expect(ask('汕头这个计划里有没有写企业评上质量奖给多少奖金').answer).not.toContain('有写企业');
  });

  it('answers when a plan ends from its validity, and declines an idiom no document uses', () => {
    expect(ask('中山质量提升计划到哪年结束').answer).toMatch(/2020年12月31日到期/);
    expect(ask('四川消费品质量提升专项行动 现在还在搞吗').answer).toMatch(/^已过有效期/);
    expect(ask('获奖企业弄虚作假怎么处理').found).toBe(false);
    // An empty ledger form's header row is never the answer.
    expect(ask('四川工作进展是每个月报一次吗').citations[0].article).not.toBe('附件2');
  });

  it('a bare date leads with what happens by then, and a word the corpus holds only inside others does not sink coverage', () => {
    expect(lead(ask('中山30家标杆企业多会儿要选出来'))).toBe('到2020年底，共选取不少于30家行业质量标杆企业。');
  });

  it('leads with the figure of the thing asked, not of a sibling with the same head word, with the period it continues', () => {
    expect(lead(ask('江门质量管理体系认证企业2025年目标多少家'))).toBe('到2025年，质量管理体系的企业超过2800家。');
    expect(lead(ask('江门环境管理体系认证的企业要达到多少家'))).toContain('1500家');
  });

  it('answers a what-question from the sentence with its verb (升级成什么 → the upgrade, not the station as it is)', () => {
    expect(lead(ask('省级检验站以后要升级成什么'))).toContain('国家级水暖卫浴检验中心');
    expect(lead(ask('除了奖金还发什么'))).toContain('奖牌和证书');
  });

  it('answers where a thing is from the clause that places it, and a second question in one short clause', () => {
    const a = ask('开平的水暖行业培训基地在哪？培训要收费吗');
    expect(lead(a)).toMatch(/^培训基地设在水口水暖卫浴创新中心；不收费。[^。]*免费培训。$/);
    expect(a.citations[0].article).toBe('三、（二）2');
  });

  it('matches a short form to the longer term that contains its characters in order', () => {
    const a = ask('中山质量官谁牵头');
    expect(a.found).toBe(true);
    expect(a.citations[0].quote).toContain('首席质量官');
  });

  it('computes only from the user’s own numbers', () => {
    const per = ask('每合格一次给多少钱');
    expect(per.answer).not.toMatch(/不够/);
    expect(per.answer).toContain('3000元');
    expect(ask('合格5次能拿多少').answer).toContain('15000元');
  });

  it('says plainly where the loaded documents come from when a question is not covered', () => {
    const a = ask('佛山有没有质量奖奖金');
    expect(a.found).toBe(false);
    expect(a.answer).toMatch(/目前收录：开平市2份、中山市1份、汕头市1份、四川省1份、江门市1份/);
    expect(a.answer).toContain('/docs');
    expect(documentList(knowledge(), ASKED)).toMatch(/【开平市】\n· 《开平市水暖卫浴行业质量提升工作方案》/);
  });
});

describe('two places with the same award', () => {
  it('answers for each place briefly and asks which, instead of picking one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-two-'));
    mkdirSync(join(dir, 'policies'));
    const rules = (city: string, amount: number) => `${city}质量标杆奖评选办法\n\n第一条 为推动质量提升，制定本办法。\n第二条 获得质量标杆奖的企业，每家奖励人民币 ${amount} 万元。\n第三条 质量标杆奖每两年评选一届。\n`;
    writeFileSync(join(dir, 'policies', 'a.txt'), rules('佛山市', 100));
    writeFileSync(join(dir, 'policies', 'b.txt'), rules('东莞市', 50));
    const k = loadKnowledge(dir);
    const both = answerQuestion(k, '质量标杆奖奖金多少', ASKED);
    expect(both.answer).toMatch(/【佛山市】.*100万元/);
    expect(both.answer).toMatch(/【东莞市】.*50万元/);
    expect(both.answer).toMatch(/请告诉我是哪个地方/);
    const one = answerQuestion(k, '东莞质量标杆奖奖金多少', ASKED);
    expect(one.answer.split('\n')[0]).toContain('50万元');
    expect(one.citations.every((c) => c.title.startsWith('东莞市'))).toBe(true);
    // Places come from the documents: 佛山 is covered here, 深圳 is not.
    expect(answerQuestion(k, '深圳质量标杆奖奖金多少', ASKED).found).toBe(false);
  });
});
