/** Awards and programmes read from a document's text, and money words that reach a clause whichever word it uses. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/knowledge/answer.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { deriveAwards } from '../../src/knowledge/derive.ts';
import { dataDirs } from '../helpers/data-dir.ts';

/** A data directory with the project's glossary and gazetteer and one policy file. */
const makeDataDir = dataDirs('awards-');
const dataWith = (name: string, text: string) => makeDataDir({ [name]: text });

const AT = new Date('2026-06-01T10:00:00+08:00');

describe('awards from the text', () => {
  it('names the award of a 奖励办法 or 评选办法, of 设立…奖 and 以下简称, and the programme of a 申报通知', () => {
    expect(deriveAwards('肇庆市质量奖励办法', '肇庆市')).toEqual(['质量奖']);
    expect(deriveAwards('佛山市质量标杆奖评选管理办法', '佛山市')).toEqual(['质量标杆奖']);
    expect(deriveAwards('关于组织申报2025年度嘉兴市企业标准化建设补助资金的通知', '嘉兴市')).toEqual(['企业标准化建设补助']);
    const article = (text: string) => ({ id: 'x#1', docId: 'x', title: 't', region: '', article: '第二条', heading: '', text, kind: 'article' as const, line: 2 });
    expect(deriveAwards('肇庆市质量管理办法', '肇庆市', [article('第二条 设立肇庆市市长质量奖，每年评选一次。')])).toEqual(['市长质量奖']);
    expect(deriveAwards('湖州市家居产品质量奖励办法', '湖州市', [article('第二条 本办法所称湖州市家居产品质量奖（以下简称“家居质量奖”），是市政府设立的荣誉。')])).toEqual(['家居产品质量奖', '家居质量奖']);
    // A plan's measures ("设立…奖项") set no award of the plan's own.
    expect(deriveAwards('某某市质量提升工作方案', '', [article('第二条 设立水暖卫浴质量奖项。')])).toEqual([]);
  });

  it('answers 奖金/奖励/资助/补贴 from a clause that says 资助, and prefers the asked award over a neighbouring body’s', () => {
    const k = loadKnowledge(
      dataWith(
        'zq.txt',
        [
          '肇庆市质量奖励办法',
          '第一条 为鼓励企业提升质量，制定本办法。',
          '第二条 设立肇庆市质量奖，每年评选一次，每次不超过10家。',
          '第三条 对获得肇庆市质量奖的企业，给予一次性资助60万元。',
          '第四条 对获得广东省政府质量奖的企业，市财政另行奖励200万元；获得中国质量奖的，奖励300万元。',
          '第五条 本办法自2024年1月1日起施行，有效期5年。',
        ].join('\n'),
      ),
    );
    for (const q of ['肇庆市质量奖奖金多少', '肇庆质量奖给多少资助', '肇庆质量奖奖励多少钱', '肇庆质量奖补贴多少']) {
      const a = answerQuestion(k, q, AT);
      expect(a.found, `${q}: ${a.answer}`).toBe(true);
      expect(a.answer.split('\n')[0], q).toContain('60万元');
    }
    expect(answerQuestion(k, '获得省政府质量奖奖励多少', AT).answer.split('\n')[0]).toContain('200万元');
  });
});
