/**
 * A document in Traditional characters: quoted in its own script wherever the converted text is quoted from (an excerpt
 * cut with …, a notice that skips its document-number line, a table row), awards it pays for are known, an English
 * question reaches it by the pinyin of its place, and a yearly date ("每年3月31日前") answers "最晚什么时候".
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { alignLine, inOwnScript, ownTextOf } from '../../src/knowledge/own-script.ts';
import { dataDirs } from '../helpers/data-dir.ts';

const dataWith = dataDirs('own-script-');

const AT = new Date('2023-06-01T10:00:00+08:00');

/** A Traditional-character reward scheme as a city's site publishes it: letterhead, 印發 notice, document number, articles. */
const TRADITIONAL = [
  '泉州市人民政府辦公室關於印發泉州市質量提升獎勵辦法的通知',
  '發佈時間：2022-03-25　　來源：泉州市人民政府辦公室',
  '泉政辦規〔2022〕5號',
  '各縣（市、區）人民政府，市直有關單位：',
  '經市政府同意，現將《泉州市質量提升獎勵辦法》印發給你們，請認真組織實施。',
  '泉州市質量提升獎勵辦法',
  '第一條 爲激勵企業爭創質量標杆，制定本辦法。',
  '第二條 獲得中國質量獎的，給予一次性獎勵200萬元；獲得中國質量獎提名獎的，給予一次性獎勵100萬元。',
  '第三條 標準化獎勵：主導制定國際標準的，每項獎勵60萬元；主導制定國家標準的，每項獎勵30萬元；主導制定行業標準的，每項獎勵15萬元。',
  '第四條 符合條件的企業應於每年3月31日前向所在縣（市、區）市場監督管理部門提出申請，經審覈後報市市場監督管理局。',
  '第五條 本辦法自2022年4月1日起施行，有效期至2024年12月31日。',
  '第六條 本辦法由市市場監督管理局負責解釋。',
].join('\n');

/** Another city's rules in Simplified characters, with the same kind of clause and another amount. */
const OTHER = [
  '漳州市标准化奖励办法',
  '第一条 为推进标准化工作，制定本办法。',
  '第二条 主导制定国家标准的，每项奖励8万元；主导制定行业标准的，每项奖励4万元。',
  '第三条 本办法自2022年1月1日起施行，有效期5年。',
].join('\n');

describe('a document in its own script', () => {
  it('aligns a converted line with its original character for character (爲, 發佈, 審覈 convert one for one)', () => {
    const plain = alignLine('經審覈後報市市場監督管理局');
    expect(alignLine('爲深入實施，發佈時間').plain).toBe('为深入实施，发布时间');
    expect(plain.plain).toBe('经审核后报市市场监督管理局');
    expect(plain.own).toBe('經審覈後報市市場監督管理局');
    for (const line of ['發佈時間：2022-03-25', '第三條（一）獲得中國質量獎的，給予一次性獎勵200萬元；']) {
      const a = alignLine(line);
      expect([...a.plain].length).toBe([...a.own].length);
    }
  });

  it('lays a clause back onto the original across a skipped line and an added column bar', () => {
    const lines = ['發佈時間：2022-03-25', '泉政辦規〔2022〕5號', '經市政府同意，現將辦法印發給你們。'].map(alignLine);
    const plain = lines.map((l) => l.plain).join('\n');
    const own = lines.map((l) => l.own).join('\n');
    // The notice's unit leaves out the document number.
    expect(ownTextOf('发布时间：2022-03-25\n经市政府同意，现将办法印发给你们。', plain, own)).toBe('發佈時間：2022-03-25\n經市政府同意，現將辦法印發給你們。');
    // A table row is joined with ｜ where the source had |.
    const row = alignLine('1|檢驗檢測平臺|市場監管局');
    expect(ownTextOf('1｜检验检测平台｜市场监管局', row.plain, row.own)).toBe('1｜檢驗檢測平臺｜市場監管局');
  });

  it('turns an excerpt cut with … back into the original, piece by piece', () => {
    const text = '标准化奖励：主导制定国际标准的，每项奖励60万元；主导制定国家标准的，每项奖励30万元。';
    const original = '標準化獎勵：主導制定國際標準的，每項獎勵60萬元；主導制定國家標準的，每項獎勵30萬元。';
    expect(inOwnScript(text, original, '…主导制定国家标准的，每项奖励30万元。')).toBe('…主導制定國家標準的，每項獎勵30萬元。');
    expect(inOwnScript(text, original, '标准化奖励：主导制定国际标准的…每项奖励30万元。')).toBe('標準化獎勵：主導制定國際標準的…每項獎勵30萬元。');
    // A piece that is not in the clause stays as given.
    expect(inOwnScript(text, original, '另一句话')).toBe('另一句话');
    expect(inOwnScript(text, undefined, '主导制定国家标准的')).toBe('主导制定国家标准的');
  });

  it('answers in Simplified and quotes the Traditional document verbatim, the notice included', () => {
    const k = loadKnowledge(dataWith({ 'qz.txt': TRADITIONAL }));
    const notice = k.units.find((u) => u.kind === 'notice');
    expect(notice?.original).toContain('經市政府同意，現將《泉州市質量提升獎勵辦法》印發給你們');
    const a = answerQuestion(k, '泉州主導制定國家標準能獎多少', AT);
    expect(a.found, a.answer).toBe(true);
    const [lead, , quote] = a.answer.split('\n');
    expect(lead).toContain('30万元');
    expect(quote).toContain('主導制定國家標準的，每項獎勵30萬元');
    expect(a.citations[0].quote).toContain('每項獎勵30萬元');
  });

  it('numbers the clause in the document’s own script (第三條), in the source line and the citation alike; a Simplified document keeps 第二条', () => {
    const k = loadKnowledge(dataWith({ 'qz.txt': TRADITIONAL, 'zz.txt': OTHER }));
    const a = answerQuestion(k, '泉州主導制定國家標準能獎多少', AT);
    expect(a.citations[0].article).toBe('第三條');
    expect(a.answer).toContain('》第三條');
    expect(a.answer).not.toMatch(/第[一二三四五六七八九十]+条/);
    const zz = answerQuestion(k, '漳州主导制定国家标准奖多少', AT);
    expect(zz.citations[0].article).toBe('第二条');
  });

  it('knows an award the document pays for, and still declines one it never mentions', () => {
    const k = loadKnowledge(dataWith({ 'qz.txt': TRADITIONAL }));
    const paid = answerQuestion(k, '泉州企業拿了中國質量獎，市裡獎多少錢？', AT);
    expect(paid.found, paid.answer).toBe(true);
    expect(paid.answer).toContain('200萬元');
    const unknown = answerQuestion(k, '泉州市长质量奖奖金多少', AT);
    expect(unknown.answer).toMatch(/没有写明|未收录|没有涉及/);
    expect(unknown.answer).not.toMatch(/\d+\s*万元/);
  });

  it('answers the yearly deadline from 每年3月31日前', () => {
    const k = loadKnowledge(dataWith({ 'qz.txt': TRADITIONAL }));
    const a = answerQuestion(k, '泉州質量提升獎勵每年最晚啥時候要申請', AT);
    expect(a.answer.split('\n')[0], a.answer).toContain('3月31日');
  });

  it('takes an English place name to that place’s documents by the pinyin of its name', () => {
    const k = loadKnowledge(dataWith({ 'qz.txt': TRADITIONAL, 'zz.txt': OTHER }));
    expect(k.places.match('Quanzhou: how much for leading a national standard?').covered).toEqual(['泉州市']);
    expect(k.places.match("Zhangzhou's standardization reward").covered).toEqual(['漳州市']);
    const qz = answerQuestion(k, 'Quanzhou: how much for leading a national standard?', AT);
    expect(qz.answer, qz.answer).toContain('30万元');
    expect(qz.citations[0].title).toBe('泉州市质量提升奖励办法');
    const zz = answerQuestion(k, 'Zhangzhou: how much for leading a national standard?', AT);
    expect(zz.answer, zz.answer).toContain('8万元');
    // "reward rules" names the document (奖励办法); the question asks who, not for a reward.
    const who = answerQuestion(k, 'Who interprets the Quanzhou reward rules?', AT);
    expect(who.answer.split('\n')[0], who.answer).toContain('市市场监督管理局负责解释');
  });

  it('spells any place in pinyin, rare characters too (沭阳 → Shuyang, 亳州 → Bozhou), without a reading table', () => {
    const county = OTHER.replaceAll('漳州市', '沭阳县');
    const city = OTHER.replaceAll('漳州市', '亳州市').replace('8万元', '6万元');
    const k = loadKnowledge(dataWith({ 'sy.txt': county, 'bz.txt': city }));
    expect(k.places.match('In Shuyang county, how much for leading a national standard?').covered).toEqual(['沭阳县']);
    const sy = answerQuestion(k, 'In Shuyang county, how much for leading a national standard?', AT);
    expect(sy.answer.split('\n')[0], sy.answer).toContain('8万元');
    const bz = answerQuestion(k, 'Bozhou: how much for leading a national standard?', AT);
    expect(bz.answer.split('\n')[0], bz.answer).toContain('6万元');
  });
});
