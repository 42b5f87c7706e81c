/**
 * What a notice repeals and what it never states: a question about the old document (by its number, or its title and
 * year) is told it is repealed, from the clause that says so; "网上申请吗，网址多少" and "要准备哪些材料" are told the
 * document does not state it, not given a nearby clause.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { dataDirs } from '../helpers/data-dir.ts';

const dataWith = dataDirs('repealed-');

const AT = new Date('2026-06-01T10:00:00+08:00');

/** A county's 印发 notice that repeals the old rules by number, then rules that name a township as where to apply. */
const COUNTY = [
  '县政府办公室关于印发《泗洪县标准化奖励实施细则》的通知',
  '洪政办发〔2025〕12号',
  '各镇人民政府，县各有关部门：',
  '　　《泗洪县标准化奖励实施细则》已经县政府同意，现印发给你们，请认真贯彻执行。',
  '　　《泗洪县标准化工作奖励办法》（洪政办发〔2020〕31号）自本细则施行之日起同时废止。',
  '泗洪县人民政府办公室',
  '2025年8月1日',
  '泗洪县标准化奖励实施细则',
  '第一条　为推进标准化工作，制定本细则。',
  '第二条　主导制定国家标准的，每项奖励15万元；主导制定行业标准的，每项奖励6万元。',
  '第三条　申报单位填写申请表，向所在镇（街道）或开发区提出申请，经县市场监督管理局审核后公示5个工作日。',
  '第四条　本细则自2025年9月1日起施行，有效期5年。',
].join('\n');

/** A city's measures whose last article repeals an earlier document of the same title, by its year. */
const CITY = [
  '新沂市质量奖励办法',
  '第一条　获得新沂市质量奖的，奖励30万元。',
  '第二条　申报单位通过新沂市惠企服务平台提交申请。主导制定国家标准的，每项奖励8万元。',
  '第三条　本办法自2025年1月1日起施行，有效期3年。2019年印发的《新沂市质量奖励办法》同时废止。',
].join('\n');

/** A provincial notice: the applicant files online and hands paper copies to the city, which mails them on. */
const PROVINCE = [
  '关于组织申报2026年度江西省标准化示范项目的通知',
  '一、申报方式',
  '（一）网上申报。申报单位登录江西省标准化项目管理系统，在线填写申报书。',
  '（二）纸质材料报送。网上提交成功后，申报单位将申报书一式两份报送至所在设区市市场监管局。设区市市场监管局审核后，将纸质材料统一寄送至省市场监管局标准化处（地址：南昌市红谷滩区丰和中大道1号），不接受企业直接报送。',
  '二、资助标准',
  '（一）通过验收的示范项目，每个资助20万元。',
].join('\n');

describe('a repealed document, and what a document does not state', () => {
  const k = loadKnowledge(dataWith({ 'feng.txt': COUNTY, 'xinyi.txt': CITY, 'jx.txt': PROVINCE }));

  it('answers a question naming the old document by its number with 已废止, citing the repealing clause', () => {
    const a = answerQuestion(k, '泗洪县2020年那个标准化奖励办法（洪政办发2020第31号）现在还能用吗', AT);
    expect(a.found).toBe(true);
    expect(a.answer.split('\n')[0], a.answer).toContain('已废止');
    expect(a.answer, a.answer).toContain('同时废止');
    expect(a.citations[0].title).toBe('泗洪县标准化奖励实施细则');
  });

  it('answers by the old title and year, and tells an old document from its namesake in force', () => {
    const old = answerQuestion(k, '泗洪县的标准化工作奖励办法还有效吗', AT);
    expect(old.answer.split('\n')[0], old.answer).toContain('《泗洪县标准化工作奖励办法》');
    expect(old.answer.split('\n')[0], old.answer).toContain('已废止');
    const dated = answerQuestion(k, '新沂2019年印发的质量奖励办法还有效吗', AT);
    expect(dated.answer.split('\n')[0], dated.answer).toContain('2019年印发的《新沂市质量奖励办法》已废止');
    const current = answerQuestion(k, '新沂市质量奖励办法还有效吗', AT);
    expect(current.answer, current.answer).not.toContain('已废止');
    expect(answerQuestion(k, '新沂质量奖奖励多少', AT).answer.split('\n')[0]).toContain('30万元');
  });

  it('says no online way or website is stated, and gives the way the document does state', () => {
    const a = answerQuestion(k, '泗洪县标准化奖励能不能网上申请，网址多少？', AT);
    expect(a.answer.split('\n')[0], a.answer).toMatch(/没有写明可以网上申报或网址/);
    expect(a.answer.split('\n')[0], a.answer).toContain('向所在镇（街道）或开发区提出申请');
    // A document that names its online platform is answered from it.
    const online = answerQuestion(k, '新沂质量奖可以网上申请吗', AT);
    expect(online.answer.split('\n')[0], online.answer).toContain('惠企服务平台');
  });

  it('says a document lists no application materials instead of quoting its procedure', () => {
    const a = answerQuestion(k, '新沂质量奖申请要准备哪些材料？', AT);
    expect(a.answer.split('\n')[0], a.answer).toMatch(/没有写明申报材料清单/);
    expect(a.citations).toHaveLength(0);
    // A document that names its form is not said to list none.
    const stated = answerQuestion(k, '泗洪县标准化奖励申请要准备哪些材料？', AT);
    expect(stated.answer, stated.answer).not.toContain('没有写明申报材料清单');
  });

  it('answers where paper materials are finally mailed with the address the relay gives', () => {
    const a = answerQuestion(k, '江西标准化示范项目的纸质材料最后寄到哪里', AT);
    expect(a.answer.split('\n')[0], a.answer).toContain('丰和中大道1号');
  });

  it('reaches a county named in English by the pinyin of its name', () => {
    const a = answerQuestion(k, 'In Sihong county, how much is the reward for leading a national standard?', AT);
    expect(a.answer.split('\n')[0], a.answer).toContain('15万元');
    expect(a.citations[0].title).toBe('泗洪县标准化奖励实施细则');
  });
});
