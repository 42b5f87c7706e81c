/** BM25 retrieval over citable units, with colloquial-to-corpus query expansion. */
import type { Segmenter } from '../nlu/segmenter.ts';
import type { Unit } from './policy-schema.ts';

/** Colloquial words and English glossary mapped to the corpus's own vocabulary. */
export const SYNONYMS: Record<string, string[]> = {
  奖金: ['奖励', '奖励资金'], 奖钱: ['奖励'], 钱: ['奖励', '元'], 补贴: ['奖励', '资助'], 补助: ['奖励', '资助'], 奖多少: ['奖励'],
  奖: ['奖励', '奖'], 给钱: ['奖励'], 拿: ['奖励'], 资金: ['奖励资金', '经费'], 出钱: ['资金', '财政'], 经费: ['经费', '财政'],
  统筹: ['协调', '负责', '领导小组'], 干什么: ['职责'], 干嘛: ['职责'], 作用: ['职责', '作用'], 见效: ['努力'], 哪一年: ['到'], 几期: ['期'],
  齐全: ['完备'], 不全: ['不完备'], 缺: ['不完备'], 评: ['评选', '评审'], 评几次: ['评选一次'], 几家: ['家数'], 上限: ['不限'],
  问题: ['问题', '反映'], 反映: ['反映'], 名额: ['不限', '家数'], 限制: ['不限'], 几次: ['次'], 一年: ['每年'], 规上: ['规模以上'],
  宣传: ['宣传'], 包装: ['包装'], 罚款: ['处罚'], 罚: ['处罚'], 处罚: ['处罚'], 投诉: ['投诉'], 环保: ['环境保护'], 安全: ['安全生产'],
  申请: ['申报'], 报名: ['申报'], 门槛: ['条件'], 要求: ['条件'], 资格: ['条件', '申报条件'], 符合: ['条件'],
  过期: ['有效期', '期满'], 失效: ['有效期'], 有效: ['有效期'], 到期: ['有效期', '期满'], 多久: ['期', '天', '年'], 实施: ['施行'],
  生效: ['施行'], 开始: ['施行'], 几年: ['年'],
  公示期: ['公示'], 公式: ['公示'], 公式期: ['公示'], 异议: ['投诉', '公示'], 举报: ['投诉'],
  谁: ['负责', '牵头'], 部门: ['负责', '牵头单位', '局'], 哪个局: ['局', '负责'], 找谁: ['负责', '反映'], 管: ['负责'], 牵头: ['牵头单位', '牵头'],
  抽检: ['抽检', '监督抽查', '抽查'], 抽查: ['监督抽查', '抽检'], 抽捡: ['抽检'], 不合格: ['不合格'], 没过: ['不合格'],
  目标: ['目标', '达到', '不少于'], '3c': ['强制性产品认证'], ccc: ['强制性产品认证'], 强制认证: ['强制性产品认证'], 认证: ['认证'], qc小组: ['质量管理小组'], qc: ['质量管理小组'], iso: ['管理体系认证', '质量管理体系'],
  纳税证明: ['缴税证明'], 税证明: ['缴税证明'], 交税: ['缴税'], 纳税: ['缴税'], 完税证明: ['缴税证明'], 税务: ['缴税证明'], 法人: ['独立法人', '法人资格'], 营业执照: ['证照'],
  注册: ['登记注册'], 成立: ['登记注册'], 水龙头: ['水嘴'], 优秀将: ['优秀奖'], 质量奖: ['质量奖'],
  award: ['奖', '奖项', '质量奖'], reward: ['奖励'], bonus: ['奖励'], money: ['奖励'], subsidy: ['奖励', '资助'], prize: ['奖励'],
  eligible: ['条件', '申报'], apply: ['申报'], application: ['申报'], conditions: ['条件'], requirements: ['条件'], who: ['负责', '牵头'],
  valid: ['有效期'], validity: ['有效期'], expire: ['有效期'], expires: ['有效期'], publicity: ['公示'], days: ['天'], years: ['年'],
  target: ['目标', '达到'], targets: ['目标'], certification: ['认证'], certificates: ['证书'], certificate: ['证书'], compulsory: ['强制性产品认证'],
  management: ['管理体系'], system: ['体系'], environmental: ['环境管理体系'], quality: ['质量'], inspection: ['抽查', '检验'],
  inspections: ['抽查', '检验'], spot: ['抽查'], check: ['抽查'], checks: ['抽查'], failed: ['不合格'], fail: ['不合格'],
  department: ['负责', '牵头单位'], lead: ['牵头单位'], leads: ['牵头单位'], chief: ['首席质量官'], officer: ['首席质量官'],
  kaiping: ['开平'], zhongshan: ['中山'], shantou: ['汕头'], sichuan: ['四川'], jiangmen: ['江门'], plumbing: ['水暖卫浴'], sanitaryware: ['水暖卫浴'],
  excellence: ['优秀奖'], government: ['政府'], often: ['每年', '每两年'], how: [], much: ['多少'],
  leading: ['领导小组'], group: ['小组'], heads: ['组长'], head: ['组长', '主任'], director: ['主任'], submit: ['报送'], office: ['局', '办公室'],
  bureau: ['局'], trademark: ['商标'], trademarks: ['商标'], madrid: ['马德里'], complaints: ['投诉'], complaint: ['投诉'], penalty: ['处罚'],
  penalties: ['处罚'], tax: ['缴税证明'], legal: ['法人'], person: ['法人'], registered: ['登记注册'], register: ['登记注册'], plan: ['计划', '方案'],
  rules: ['办法'], effective: ['施行'], renew: ['重新申报'], reapply: ['重新申报'], packaging: ['包装'], product: ['产品'], products: ['产品'],
  green: ['绿色'], energy: ['能源'], food: ['食品'], safety: ['安全'], information: ['信息'], technology: ['技术'], security: ['安全'],
  encouraged: ['鼓励'], encourage: ['鼓励'], benchmark: ['标杆'], benchmarking: ['标杆'], platform: ['平台'], platforms: ['平台'],
  testing: ['检验检测'], enforcement: ['执法'], recall: ['召回'], credit: ['信用'], blacklist: ['黑名单'], geographical: ['地理标志'],
  indication: ['地理标志'], organic: ['有机产品认证'], towns: ['镇区'], town: ['镇区'], year: ['年'], annual: ['每年'], every: ['每'], each: ['每'],
  percent: ['%'], rate: ['率'], coverage: ['覆盖率'], upgrade: ['升级'], smes: ['中小微企业'], sme: ['中小微企业'],
  contact: ['反映'], problems: ['问题', '反映'], review: ['评审'], reviews: ['评审'], approve: ['批准'], approves: ['批准'], list: ['名单'],
  standards: ['标准'], standard: ['标准'], brand: ['品牌', '名牌'], enterprises: ['企业'], firms: ['企业'], companies: ['企业'], training: ['培训'],
};

/** A scored search hit. */
export interface Hit {
  unit: Unit;
  score: number;
  /** Query terms found in the unit. */
  matched: string[];
}

/** A BM25 index over units. */
export class UnitSearch {
  private readonly docs: { unit: Unit; tf: Map<string, number>; len: number }[] = [];
  private readonly df = new Map<string, number>();
  private readonly avgLen: number;
  private readonly corpusText: string;

  /** Indexes the units with the given segmenter. */
  constructor(units: Unit[], private readonly seg: Segmenter) {
    for (const unit of units) {
      const tf = new Map<string, number>();
      const add = (terms: string[], w: number) => terms.forEach((t) => tf.set(t, (tf.get(t) ?? 0) + w));
      add(seg.terms(unit.text), 1);
      add(seg.terms(unit.heading), 0.5);
      add(seg.terms(unit.title), 0.3);
      if (unit.fields) add(seg.terms(Object.keys(unit.fields).join(' ')), 0.5);
      let len = 0;
      for (const [t, n] of tf) {
        len += n;
        this.df.set(t, (this.df.get(t) ?? 0) + 1);
      }
      this.docs.push({ unit, tf, len });
    }
    this.corpusText = units.map((u) => u.text.replace(/\s+/g, '')).join('\n').toLowerCase();
    this.avgLen = this.docs.reduce((s, d) => s + d.len, 0) / Math.max(1, this.docs.length);
  }

  /** Inverse document frequency of a term; unknown terms get the highest value. */
  idf(term: string): number {
    const n = this.docs.length;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Whether the corpus contains the term at all, as a search term or inside its text. */
  knows(term: string): boolean {
    return this.df.has(term) || this.corpusText.includes(term);
  }

  /** Expands query text into weighted search terms. */
  queryTerms(text: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.seg.terms(text)) {
      out.set(t, Math.max(out.get(t) ?? 0, 1));
      for (const s of SYNONYMS[t] ?? []) {
        for (const st of this.seg.terms(s)) out.set(st, Math.max(out.get(st) ?? 0, 0.6));
      }
    }
    return out;
  }

  /** Ranks units for the query; `filter` restricts the candidates. */
  search(query: Map<string, number>, limit = 5, filter?: (u: Unit) => boolean): Hit[] {
    const k1 = 1.2;
    const b = 0.6;
    const hits: Hit[] = [];
    for (const d of this.docs) {
      if (filter && !filter(d.unit)) continue;
      let score = 0;
      const matched: string[] = [];
      for (const [t, w] of query) {
        const f = d.tf.get(t);
        if (!f) continue;
        matched.push(t);
        score += w * this.idf(t) * ((f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.len) / this.avgLen)));
      }
      if (score > 0) hits.push({ unit: d.unit, score, matched });
    }
    hits.sort((a, b2) => b2.score - a.score);
    return hits.slice(0, limit);
  }
}
