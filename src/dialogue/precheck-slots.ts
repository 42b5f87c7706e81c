/** The conditions (slots) of the Kaiping plumbing-and-sanitaryware quality award pre-check, with their wording and legal basis. */
import type { Choice, Citation } from '../core/types.ts';

/** Title of the award rules the pre-check is based on. */
export const RULES_TITLE = '开平市水暖卫浴产品质量优秀奖评审管理办法';

/** Title of the work plan the rules are attached to. */
export const PLAN_TITLE = '开平市水暖卫浴行业质量提升工作方案';

/** All pre-check slots, in the order they are asked. */
export const SLOTS = [
  'plumbingProducts',
  'registeredInKaiping',
  'yearsRegistered',
  'independentLegalPerson',
  'taxCertificate',
  'compliant',
  'spotCheckPasses',
  'spotCheckFailed',
  'complaintsOrPenalties',
] as const;

/** One pre-check condition. */
export type Slot = (typeof SLOTS)[number];

/** Answers collected so far: numbers for yearsRegistered and spotCheckPasses, booleans for the others. */
export type PrecheckAnswers = Partial<Record<Slot, boolean | number>>;

/** Slots whose answer is a number; every other slot is a yes/no question. */
export const NUMERIC_SLOTS: readonly Slot[] = ['yearsRegistered', 'spotCheckPasses'];

/** Yes/no slots where a "yes" disqualifies (all other yes/no slots require "yes"). */
export const DISQUALIFYING_YES_SLOTS: readonly Slot[] = ['spotCheckFailed', 'complaintsOrPenalties'];

/** Minimum value of each numeric slot. */
export const SLOT_MINIMUMS: Partial<Record<Slot, number>> = { yearsRegistered: 3, spotCheckPasses: 3 };

/** Reward per passed spot check, in yuan (第七条). */
export const REWARD_PER_PASS = 3000;

/** Tells whether a value is one of the slot names. */
export function isSlot(value: unknown): value is Slot {
  return typeof value === 'string' && (SLOTS as readonly string[]).includes(value);
}

/** Tells whether a slot takes a number rather than yes/no. */
export function isNumericSlot(slot: Slot): boolean {
  return NUMERIC_SLOTS.includes(slot);
}

/** Tells whether a value has the right type for a slot (number for numeric slots, boolean otherwise). */
export function isValidValue(slot: Slot, value: unknown): value is boolean | number {
  return isNumericSlot(slot) ? typeof value === 'number' && Number.isFinite(value) && value >= 0 : typeof value === 'boolean';
}

/** Tells whether an answer fails the condition of its slot. */
export function slotFails(slot: Slot, value: boolean | number): boolean {
  if (isNumericSlot(slot)) return typeof value === 'number' && value < (SLOT_MINIMUMS[slot] ?? 0);
  if (DISQUALIFYING_YES_SLOTS.includes(slot)) return value === true;
  return value === false;
}

const LABELS: Record<Slot, string> = {
  plumbingProducts: '水暖卫浴产品',
  registeredInKaiping: '在开平注册',
  yearsRegistered: '注册年限',
  independentLegalPerson: '独立法人资格',
  taxCertificate: '缴税证明',
  compliant: '合规经营及证照',
  spotCheckPasses: '抽检合格次数',
  spotCheckFailed: '抽检不合格记录',
  complaintsOrPenalties: '质量投诉或处罚',
};

/** Short Chinese label of a slot, as shown in summaries. */
export function slotLabel(slot: Slot): string {
  return LABELS[slot];
}

const CONDITIONS: Record<Slot, string> = {
  plumbingProducts: '产品属于水暖卫浴产品',
  registeredInKaiping: '在开平市行政区域内登记注册',
  yearsRegistered: '在开平登记注册3年以上（含3年）',
  independentLegalPerson: '具有独立法人资格',
  taxCertificate: '能提供企业所在地缴税证明',
  compliant: '符合环保、节能减排、安全生产、产品质量等法律法规、强制性标准和产业政策，并取得所需证照',
  spotCheckPasses: '近3年内同类产品在国家、省和江门市监督抽查中连续3次以上（含3次）检验合格',
  spotCheckFailed: '没有抽检不合格记录',
  complaintsOrPenalties: '申报期内没有产品质量方面的投诉和处罚',
};

/** The condition a slot checks, phrased as a requirement in Chinese. */
export function slotCondition(slot: Slot): string {
  return CONDITIONS[slot];
}

const QUESTIONS: Record<Slot, string> = {
  plumbingProducts: '贵企业的产品属于水暖卫浴产品吗？（例如水龙头、花洒、阀门、卫浴洁具等）',
  registeredInKaiping: '企业是在开平市行政区域内登记注册的吗？',
  yearsRegistered: '企业在开平登记注册多少年了？也可以直接告诉我注册年份。',
  independentLegalPerson: '企业是否具有独立法人资格？（分公司、个体工商户一般不具备）',
  taxCertificate: '企业能提供所在地的缴税证明吗？',
  compliant:
    '企业是否符合环保、节能减排、安全生产、产品质量等方面的法律法规、强制性标准和产业政策要求，属于强制监管范围的产品也已取得相关证照？',
  spotCheckPasses: '近3年内，申报的同类产品在国家、省或江门市的产品质量监督抽查中，连续检验合格了几次？',
  spotCheckFailed: '近3年内，这类产品在监督抽查中有没有出现过不合格？',
  complaintsOrPenalties: '申报期内，企业有没有受到过产品质量方面的投诉或处罚？',
};

/** The question asked to fill a slot, in plain Simplified Chinese. */
export function precheckQuestion(slot: Slot): string {
  return QUESTIONS[slot];
}

const EXAMPLES: Record<Slot, string> = {
  plumbingProducts: '“是”或“否”',
  registeredInKaiping: '“是”或“否”',
  yearsRegistered: '“6年”或“2019年注册的”',
  independentLegalPerson: '“是”或“否”',
  taxCertificate: '“能”或“不能”',
  compliant: '“是”或“否”',
  spotCheckPasses: '“4次”',
  spotCheckFailed: '“没有不合格”或“有过一次不合格”',
  complaintsOrPenalties: '“没有”或“有”',
};

/** An example answer for a slot, quoted, used when an answer could not be read. */
export function slotExample(slot: Slot): string {
  return EXAMPLES[slot];
}

/** Quick-reply choices for yes/no slots. */
export const YES_NO_CHOICES: Choice[] = [
  { label: '是', value: '是' },
  { label: '否', value: '否' },
];

/** Formats an answer for display, such as "6年", "4次", "是" or "没有". */
export function formatAnswer(slot: Slot, value: boolean | number): string {
  if (slot === 'yearsRegistered') return `${value}年`;
  if (slot === 'spotCheckPasses') return `${value}次`;
  if (slot === 'taxCertificate') return value ? '能提供' : '不能提供';
  if (DISQUALIFYING_YES_SLOTS.includes(slot)) return value ? '有' : '没有';
  return value ? '是' : '否';
}

const RULES_QUOTES = {
  art2: '本办法所称开平市水暖卫浴产品质量优秀奖（以下简称质量优秀奖）是开平市政府设立的水暖卫浴行业产品质量奖项，由市政府批准、表彰和奖励，主要授予在开平市登记注册，产品质量稳定过硬的水暖卫浴企业。',
  art5_1: '依法在开平市行政区域内登记注册3年以上，具有独立法人资格，能提供企业所在地缴税证明；',
  art5_2:
    '符合国家和省有关环境保护、节能减排、安全生产、产品质量等方面的法律法规、强制性标准和产业政策要求，列入国家强制监督管理范围的应取得有关证照；',
  art5_3:
    '申报企业同类水暖卫浴产品在近3年内国家、省和江门市产品质量监督抽查检验中连续3次以上（含3次）检验合格，且没有不合格记录，同一企业不同类产品符合条件可多项申报；',
  art5_4: '申报期内没有关于产品质量方面的投诉和被处罚。',
  plan10_2:
    '强化检验结果的利用，凡是抽检不合格的，一年内不得参与（不推荐参与）各类评奖、各类展销会、交易会，不得享受市政府的各项优惠政策等等（科工商务局、市场监管局、水暖协会）。',
};

const art = (article: string, quote: string): Citation => ({ title: RULES_TITLE, article, quote });

/** The clauses each slot rests on, with verbatim quotes. */
export const SLOT_ARTICLES: Record<Slot, readonly Citation[]> = {
  plumbingProducts: [art('第二条', RULES_QUOTES.art2)],
  registeredInKaiping: [art('第五条（一）', RULES_QUOTES.art5_1)],
  yearsRegistered: [art('第五条（一）', RULES_QUOTES.art5_1)],
  independentLegalPerson: [art('第五条（一）', RULES_QUOTES.art5_1)],
  taxCertificate: [art('第五条（一）', RULES_QUOTES.art5_1)],
  compliant: [art('第五条（二）', RULES_QUOTES.art5_2)],
  spotCheckPasses: [art('第五条（三）', RULES_QUOTES.art5_3)],
  spotCheckFailed: [
    art('第五条（三）', RULES_QUOTES.art5_3),
    { title: PLAN_TITLE, article: '三、（十）2', quote: RULES_QUOTES.plan10_2 },
  ],
  complaintsOrPenalties: [art('第五条（四）', RULES_QUOTES.art5_4)],
};

/** The legal basis of a slot as a parenthesised reference, e.g. "（《开平市水暖卫浴产品质量优秀奖评审管理办法》第五条（一））". */
export function articleRef(slot: Slot): string {
  return `（${SLOT_ARTICLES[slot].map((c) => `《${c.title}》${c.article}`).join('；')}）`;
}

/** Keywords that name each slot in corrections such as "改一下注册年限"; longer matches win. */
export const SLOT_KEYWORDS: Record<Slot, readonly string[]> = {
  plumbingProducts: ['水暖卫浴产品', '水暖卫浴', '水暖', '卫浴', '产品类别', '产品类型', '行业'],
  registeredInKaiping: ['在开平注册', '开平注册', '注册地点', '注册地', '所在地', '开平'],
  yearsRegistered: ['注册年限', '注册年份', '注册时间', '成立时间', '成立年份', '注册几年', '成立几年', '年限', '年数', '几年', '成立'],
  independentLegalPerson: ['独立法人资格', '独立法人', '法人资格', '法人'],
  taxCertificate: ['缴税证明', '纳税证明', '完税证明', '缴税', '纳税', '完税', '税'],
  compliant: ['合规经营', '合规', '证照', '环保', '节能', '安全生产', '产业政策', '强制性标准', '法律法规'],
  spotCheckPasses: ['抽检合格次数', '抽检次数', '合格次数', '抽查次数', '抽检合格', '抽查合格', '次数', '抽检', '抽查'],
  spotCheckFailed: ['抽检不合格', '不合格记录', '不合格'],
  complaintsOrPenalties: ['投诉或处罚', '投诉', '处罚', '罚款', '被罚'],
};
