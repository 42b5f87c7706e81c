/** Builds the segmenter's domain dictionary from the corpus, so domain terms stay whole words. */
import type { PolicyDocument, Unit } from './policy-schema.ts';

/** Domain terms every corpus of this kind needs, whether or not a pattern finds them. */
export const CORE_TERMS = [
  '水暖卫浴', '质量优秀奖', '优秀奖', '产品质量优秀奖', '监督抽查', '抽查', '抽检', '首席质量官', '管理体系认证',
  '质量管理体系', '环境管理体系', '职业健康安全管理体系', '强制性产品认证', '自愿性工业产品认证', '测量管理体系',
  '能源管理体系', '卓越绩效', '质量标杆', '标杆企业', '联盟标准', '团体标准', '自我声明公开', '领导小组', '公示',
  '缴税证明', '独立法人', '法人资格', '登记注册', '有效期', '市场监管局', '市场监督管理局', '质监局', '政府质量奖',
  '名牌产品', '马德里', '智能制造', '技术改造', '质量管理小组', '工匠精神', '检验检测', '认证机构', '不合格',
  '质量提升', '质量信用', '黑名单', '红黑榜', '广东优质', '绿色产品认证', '地理标志', '天府质量奖', '中国质量奖',
  '牵头单位', '配合单位', '指导单位', '责任单位', '工作目标', '规模以上', '中小微企业', '技术性贸易措施',
];

/** Collects domain terms from titles, quoted phrases and department names found in the units. */
export function buildDictionary(units: Unit[], documents: PolicyDocument[]): string[] {
  const terms = new Set<string>(CORE_TERMS);
  const add = (t: string) => {
    const s = t.trim();
    if (s.length >= 2 && s.length <= 12 && /^[\u4e00-\u9fffA-Za-z0-9]+$/.test(s)) terms.add(s);
  };
  for (const d of documents) {
    if (d.region) add(d.region);
  }
  for (const u of units) {
    for (const m of u.text.matchAll(/[“"]([^”"]{2,12})[”"]/g)) add(m[1]);
    for (const m of u.text.matchAll(/(?:市|省)?[\u4e00-\u9fff]{1,8}?(?:局|处|院|站|所|海关|协会|管委会)(?=[、，,；;）)\s]|$)/g)) add(m[0]);
    for (const m of u.text.matchAll(/[\u4e00-\u9fff]{2,6}(?:认证|体系|奖)/g)) if (m[0].length <= 8) add(m[0]);
  }
  return [...terms].sort();
}
