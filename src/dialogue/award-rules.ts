/** The rules-file format of an award pre-check (data/awards/<id>.json), its zod schema and pure helpers over one award. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Choice, Citation } from '../core/types.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const slotName = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'a slot is a camelCase name such as yearsRegistered');
const docId = z.string().regex(/^[a-z0-9-]+$/, 'a document id: lowercase letters, digits and dashes');

/** Source of the number pattern that `{NUM}` stands for in a rules file's word patterns. */
export const NUM_SOURCE = '(?:\\d+(?:\\.\\d+)?|[零〇一二两三四五六七八九十百千万]+)';

/** Expands `{NUM}` in a word pattern. */
export function expandPattern(p: string): string {
  return p.replace(/\{NUM\}/g, NUM_SOURCE);
}

/** A word or regular-expression fragment, checked to compile. */
export const pattern = z
  .string()
  .min(1)
  .refine((p) => {
    try {
      new RegExp(expandPattern(p));
      return true;
    } catch {
      return false;
    }
  }, 'not a valid word pattern (regular-expression syntax error)');
const words = z.array(pattern);

/** One clause a criterion rests on; the document and title default to the award's policy document. */
const citationSchema = z
  .object({
    document: docId.optional(),
    title: z.string().min(2).optional(),
    article: z.string().min(1),
    quote: z.string().min(4),
  })
  .strict();

/** How a yes/no criterion is read from free text (see README, "奖项预检规则文件"). */
const yesNoReadSchema = z
  .object({
    mentions: words.default([]),
    window: z.number().int().min(1).max(20).default(5),
    negBefore: words.default([]),
    negAfter: words.default([]),
    afterWindow: z.number().int().min(1).max(20).default(6),
    yesMarks: z.object({ before: words.default([]), mentions: words.default([]), after: words.default([]) }).strict().optional(),
    noWords: words.default([]),
    noWordsCancel: words.default([]),
    noWordsWindow: z.number().int().min(1).max(20).default(4),
    noWordsContext: words.default([]),
    doubleNegations: words.default([]),
    yesPhrases: words.default([]),
    noPhrases: words.default([]),
    fallbackNo: words.default([]),
    countMeansYes: z.object({ units: words.min(1), skipIf: words.default([]) }).strict().optional(),
    combine: z.enum(['yes-wins', 'no-wins']).default('yes-wins'),
  })
  .strict();

/** How a number in years is read: a duration ("6年") or a date it counts from ("2019年注册的"). */
const yearsReadSchema = z
  .object({
    as: z.literal('years'),
    words: words.min(1),
    context: words.default([]),
    exclude: words.default([]),
  })
  .strict();

/** How any other number is read: a quantity with its unit ("合格4次", "自评650分"). */
const quantityReadSchema = z
  .object({
    as: z.literal('quantity'),
    words: words.min(1),
    notWords: words.default([]),
    verbs: words.default([]),
    confirm: words.default([]),
    zero: words.default([]),
    unitAliases: words.default([]),
    largest: z.number().positive().default(1000),
  })
  .strict();

const commonCriterion = {
  slot: slotName,
  label: z.string().min(2),
  condition: z.string().min(2),
  question: z.string().min(4),
  hint: z.string().min(1),
  failReason: z.string().min(2),
  keywords: words.min(1),
  cite: z.array(citationSchema).min(1),
  askedNo: words.default([]),
  contextOnly: z.boolean().default(false),
  otherPlaceMeansNo: z.boolean().default(false),
  /** Asked and shown, but never deciding the verdict (e.g. a self-assessed score that the review really decides). */
  informational: z.boolean().default(false),
  /** The shared company-profile field (data/profile.json) this criterion reads and fills; defaults to the slot when the profile has a field of that name. */
  field: slotName.optional(),
};

const yesNoCriterion = z
  .object({
    ...commonCriterion,
    type: z.literal('yes-no'),
    fails: z.enum(['no', 'yes']),
    answerText: z.object({ yes: z.string().min(1), no: z.string().min(1) }).strict().optional(),
    read: yesNoReadSchema.default(() => yesNoReadSchema.parse({})),
  })
  .strict();

const numberCriterion = z
  .object({
    ...commonCriterion,
    type: z.literal('number'),
    unit: z.string().min(1),
    min: z.number().optional(),
    max: z.number().optional(),
    read: z.discriminatedUnion('as', [yearsReadSchema, quantityReadSchema]),
  })
  .strict()
  .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'a number criterion needs a min or a max', path: ['min'] })
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, { message: 'min is larger than max', path: ['max'] });

const dateCriterion = z
  .object({
    ...commonCriterion,
    type: z.literal('date'),
    min: isoDate.optional(),
    max: isoDate.optional(),
    read: z.object({ words: words.min(1) }).strict(),
  })
  .strict()
  .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'a date criterion needs a min or a max', path: ['min'] });

const choiceCriterion = z
  .object({
    ...commonCriterion,
    type: z.literal('choice'),
    options: z
      .array(z.object({ value: slotName, label: z.string().min(1), words: words.min(1), fails: z.boolean().default(false) }).strict())
      .min(2),
  })
  .strict();

/** Schema of one criterion of an award. */
export const criterionSchema = z.discriminatedUnion('type', [yesNoCriterion, numberCriterion, dateCriterion, choiceCriterion]);

const rewardSource = { article: z.string().min(1), quote: z.string().min(4) };

/** One tier of a tiered reward (e.g. 质量奖 and 提名奖): a fixed amount, a ceiling, or a range; `when` names the choice value of `slot` that selects it. */
const tierSchema = z
  .object({
    label: z.string().min(1),
    when: slotName.optional(),
    amount: z.number().positive().optional(),
    upTo: z.number().positive().optional(),
    min: z.number().positive().optional(),
    max: z.number().positive().optional(),
  })
  .strict()
  .refine((t) => [t.amount, t.upTo, t.max].filter((x) => x !== undefined).length === 1, { message: 'a tier has exactly one of amount, upTo or min/max' })
  .refine((t) => (t.min === undefined) === (t.max === undefined) && (t.min === undefined || t.min <= t.max!), { message: 'a range needs min ≤ max', path: ['min'] });

/** The reward a rules file states. */
const rewardSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('fixed'), amount: z.number().positive(), ...rewardSource }).strict(),
  z.object({ kind: z.literal('up-to'), upTo: z.number().positive(), ...rewardSource }).strict(),
  z
    .object({ kind: z.literal('range'), min: z.number().positive(), max: z.number().positive(), ...rewardSource })
    .strict()
    .refine((r) => r.min <= r.max, { message: 'min is larger than max', path: ['max'] }),
  z.object({ kind: z.literal('tiers'), slot: slotName.optional(), tiers: z.array(tierSchema).min(2), ...rewardSource }).strict(),
  z
    .object({
      kind: z.literal('per-unit'),
      amount: z.number().positive(),
      slot: slotName,
      basis: z.string().min(2),
      minimum: z.number().positive().optional(),
      article: z.string().min(1),
      quote: z.string().min(4),
    })
    .strict(),
]);

/** A condition inside an `anyOf`/`allOf` group: one criterion's answer (optionally narrowed to some choice values or a number range), or a nested group. */
export type ConditionNode =
  | { slot: string; is?: string[]; min?: number; max?: number; article?: string }
  | { anyOf: ConditionNode[]; article?: string }
  | { allOf: ConditionNode[]; article?: string };

const conditionNodeSchema: z.ZodType<ConditionNode> = z.lazy(() =>
  z.union([
    z.object({ slot: slotName, is: z.array(slotName).min(1).optional(), min: z.number().optional(), max: z.number().optional(), article: z.string().min(1).optional() }).strict(),
    z.object({ anyOf: z.array(conditionNodeSchema).min(2), article: z.string().min(1).optional() }).strict(),
    z.object({ allOf: z.array(conditionNodeSchema).min(2), article: z.string().min(1).optional() }).strict(),
  ]),
);

/** A group of criteria decided together ("A档, or B档 for the listed industries"); its criteria no longer decide alone. */
const groupSchema = z
  .object({
    id: slotName,
    label: z.string().min(2),
    condition: z.string().min(2),
    failReason: z.string().min(2),
    cite: z.array(citationSchema).min(1),
    anyOf: z.array(conditionNodeSchema).min(2).optional(),
    allOf: z.array(conditionNodeSchema).min(2).optional(),
  })
  .strict()
  .refine((g) => (g.anyOf === undefined) !== (g.allOf === undefined), { message: 'a group has exactly one of anyOf or allOf', path: ['anyOf'] });

/** Document status: a draft for comment, in force, or lapsed; when omitted it is read from the expiry date. */
export const DOCUMENT_STATUSES = ['draft', 'in-force', 'lapsed'] as const;

/** Schema of one award rules file. */
export const awardRulesSchema = z
  .object({
    id: docId,
    name: z.string().min(2),
    aliases: z.array(z.string().min(2)).default([]),
    place: z.string().min(2),
    document: z
      .object({
        /** The document's id; when left out (no sidecar names one), the title finds the document. */
        id: docId.optional(),
        title: z.string().min(2),
        effective: isoDate.optional(),
        expires: isoDate.optional(),
        validityBasis: z.string().min(2).optional(),
        status: z.enum(DOCUMENT_STATUSES).optional(),
        contact: z.string().min(2),
      })
      .strict(),
    ignore: words.default([]),
    criteria: z.array(criterionSchema).min(1),
    groups: z.array(groupSchema).default([]),
    reward: rewardSchema,
    nextSteps: z.array(z.string().min(2)).default([]),
    /**
     * The award's publicity (公示) of its candidates: the title staff get when they announce one without a title, its
     * length in days, and the clauses the publicity notices cite (each an article followed by its words).
     */
    publicity: z
      .object({
        title: z.string().min(4).max(200),
        days: z.number().int().min(1).max(90).optional(),
        /** Cited in the start notice after the rules' title: the article and what it says about the publicity. */
        basis: z.string().min(2).optional(),
        /** Cited in the reminder of the last days: the article alone. */
        endingBasis: z.string().min(2).optional(),
        /** Cited in the notice after the publicity: the article and what happens next. */
        afterwards: z.string().min(2).optional(),
      })
      .strict()
      .optional(),
    /**
     * Registrations of the award for expiry reminders (/award): how long it stays valid, and what the reminders say
     * (each sentence as the document puts it, with its article). The one rules file that has it is the award
     * registrations and their reminders are about.
     */
    registration: z
      .object({
        /** The short name in a reminder's heading (【…到期提醒】). */
        shortName: z.string().min(2),
        validityYears: z.number().int().min(1).max(50),
        /** After the rules' title in the registration reply: the article and the validity it states. */
        validityBasis: z.string().min(2),
        /** How to apply again, in the reminders. */
        reapply: z.string().min(2),
        /** How to apply again, in the reply to a registration that has already lapsed. */
        reapplyLapsed: z.string().min(2),
        /** What the holder must stop once the award lapsed. */
        afterExpiry: z.string().min(2).optional(),
        /** The rules' own validity, in the note added once the rules have lapsed. */
        rulesValidity: z.string().min(2).optional(),
        /** Words that name this award in "我们2024年3月1日获得了…" (besides its name and aliases). */
        words: z.array(z.string().min(2)).default([]),
        /** Names of other awards whose receipt is not registered here ("获得了中国质量奖"), unless this award is named too. */
        otherAwards: z.array(z.string().min(2)).default([]),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const seen = new Map<string, number>();
    a.criteria.forEach((c, i) => {
      if (seen.has(c.slot)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'slot'], message: `slot "${c.slot}" is also used by criteria.${seen.get(c.slot)}` });
      else seen.set(c.slot, i);
    });
    const bySlot = new Map(a.criteria.map((c) => [c.slot, c] as const));
    const checkNode = (n: ConditionNode, path: (string | number)[]) => {
      if ('slot' in n) {
        const c = bySlot.get(n.slot);
        if (!c) ctx.addIssue({ code: 'custom', path: [...path, 'slot'], message: `no criterion has the slot "${n.slot}"` });
        else if (n.is && (c.type !== 'choice' || n.is.some((v) => !c.options.some((o) => o.value === v))))
          ctx.addIssue({ code: 'custom', path: [...path, 'is'], message: `"is" must list option values of the choice criterion "${n.slot}"` });
        else if ((n.min !== undefined || n.max !== undefined) && c.type !== 'number')
          ctx.addIssue({ code: 'custom', path: [...path, 'min'], message: `min/max need a number criterion, "${n.slot}" is ${c.type}` });
        else if (c.informational) ctx.addIssue({ code: 'custom', path: [...path, 'slot'], message: `"${n.slot}" is informational and cannot decide a group` });
        return;
      }
      const list = 'anyOf' in n ? n.anyOf : n.allOf;
      list.forEach((x, i) => checkNode(x, [...path, 'anyOf' in n ? 'anyOf' : 'allOf', i]));
    };
    a.groups.forEach((g, i) => {
      (g.anyOf ?? g.allOf ?? []).forEach((n, j) => checkNode(n, ['groups', i, g.anyOf ? 'anyOf' : 'allOf', j]));
      if (seen.has(g.id)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'id'], message: `"${g.id}" is also a slot` });
    });
    if (a.reward.kind === 'tiers' && a.reward.slot !== undefined) {
      const c = bySlot.get(a.reward.slot);
      if (!c || c.type !== 'choice') ctx.addIssue({ code: 'custom', path: ['reward', 'slot'], message: 'must name a choice criterion of this award' });
      else a.reward.tiers.forEach((t, i) => {
        if (t.when !== undefined && !c.options.some((o) => o.value === t.when)) ctx.addIssue({ code: 'custom', path: ['reward', 'tiers', i, 'when'], message: `not an option value of "${c.slot}"` });
      });
    }
    if (a.reward.kind === 'per-unit') {
      const unitSlot = a.criteria.find((c) => c.slot === (a.reward as { slot: string }).slot);
      if (!unitSlot || unitSlot.type !== 'number') ctx.addIssue({ code: 'custom', path: ['reward', 'slot'], message: 'must name a number criterion of this award' });
    }
  });

/** One award's pre-check rules, as validated from its file. */
export type AwardRules = z.infer<typeof awardRulesSchema>;
/** One criterion of an award. */
export type Criterion = AwardRules['criteria'][number];
/** A criterion's answer: yes/no, a number, an ISO date or a choice value. */
export type AnswerValue = boolean | number | string;
/** Answers collected so far, by slot. */
export type Answers = Record<string, AnswerValue | undefined>;

/** The criterion of a slot; undefined when the award has no such slot. */
export function criterionOf(award: AwardRules, slot: string): Criterion | undefined {
  return award.criteria.find((c) => c.slot === slot);
}

/** The award's slots in question order. */
export function slotsOf(award: AwardRules): string[] {
  return award.criteria.map((c) => c.slot);
}

/** Tells whether a criterion is answered by free text (a number or a date) rather than by picking from choices. */
export function isFreeAnswer(c: Criterion): boolean {
  return c.type === 'number' || c.type === 'date';
}

/** Tells whether a value has the right type for a criterion. */
export function isValidValue(c: Criterion | undefined, value: unknown): value is AnswerValue {
  if (!c) return false;
  switch (c.type) {
    case 'yes-no':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
    case 'choice':
      return typeof value === 'string' && c.options.some((o) => o.value === value);
  }
}

/** Tells whether an answer fails its criterion. */
export function criterionFails(c: Criterion, value: AnswerValue): boolean {
  switch (c.type) {
    case 'yes-no':
      return c.fails === 'yes' ? value === true : value === false;
    case 'number':
      return typeof value === 'number' && ((c.min !== undefined && value < c.min) || (c.max !== undefined && value > c.max));
    case 'date':
      return typeof value === 'string' && ((c.min !== undefined && value < c.min) || (c.max !== undefined && value > c.max));
    case 'choice':
      return c.options.find((o) => o.value === value)?.fails ?? true;
  }
}

/** An ISO date written the Chinese way, e.g. "2021年9月30日". */
export function chineseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Formats an answer for display, such as "6年", "4次", "是", "没有" or "2027年3月31日". */
export function formatAnswer(c: Criterion, value: AnswerValue): string {
  switch (c.type) {
    case 'number':
      return `${value}${c.unit}`;
    case 'date':
      return chineseDate(String(value));
    case 'choice':
      return c.options.find((o) => o.value === value)?.label ?? String(value);
    case 'yes-no':
      if (c.answerText) return value ? c.answerText.yes : c.answerText.no;
      return c.fails === 'yes' ? (value ? '有' : '没有') : value ? '是' : '否';
  }
}

/** Quick-reply choices for yes/no criteria. */
export const YES_NO_CHOICES: Choice[] = [
  { label: '是', value: '是' },
  { label: '否', value: '否' },
];

/** The quick-reply choices a criterion's question offers (none for numbers and dates). */
export function choicesOf(c: Criterion): Choice[] | undefined {
  if (c.type === 'yes-no') return YES_NO_CHOICES.map((x) => ({ ...x }));
  if (c.type === 'choice') return c.options.map((o) => ({ label: o.label, value: o.label }));
  return undefined;
}

/** The clauses a criterion rests on, with the award's document filled in. */
export function citationsOf(award: AwardRules, c: Criterion): Citation[] {
  return c.cite.map((x) => ({ title: x.title ?? award.document.title, article: x.article, quote: x.quote }));
}

/** The legal basis of a criterion as a parenthesised reference, e.g. "（《…办法》第N条（一））". */
export function articleRef(award: AwardRules, c: Criterion): string {
  return `（${citationsOf(award, c).map((x) => `《${x.title}》${x.article}`).join('；')}）`;
}

/** The failure reason of a criterion with the answer filled in for `{answer}`. */
export function failReason(c: Criterion, value: AnswerValue | undefined): string {
  return c.failReason.replace(/\{answer\}/g, value === undefined ? '' : formatAnswer(c, value));
}

/** The label used in "改一下…" examples: the first number criterion's, or the first criterion's. */
export function correctionExample(award: AwardRules): string {
  return (award.criteria.find((c) => c.type === 'number') ?? award.criteria[0]).label;
}

/** The reward for eligible answers, in yuan, when it is one exact sum; null when the rules state none, a ceiling, a range or tiers, or the unit count is missing. */
export function computeReward(award: AwardRules, answers: Answers): number | null {
  const r = award.reward;
  if (r.kind === 'fixed') return r.amount;
  if (r.kind === 'tiers') {
    const t = selectedTier(award, answers);
    return t?.amount ?? null;
  }
  if (r.kind !== 'per-unit') return null;
  const n = answers[r.slot];
  if (typeof n !== 'number') return null;
  return Math.max(r.minimum ?? 0, r.amount * n);
}

/** Yuan in words: "60万元" for round ten-thousands, else "3000元". */
export function yuan(n: number): string {
  return n >= 10_000 && n % 1000 === 0 ? `${n / 10_000}万元` : `${n}元`;
}

type Tier = Extract<AwardRules['reward'], { kind: 'tiers' }>['tiers'][number];

/** The tier the answers select (its `when` value answered in the reward's slot); undefined when none is selected. */
export function selectedTier(award: AwardRules, answers: Answers): Tier | undefined {
  const r = award.reward;
  if (r.kind !== 'tiers' || r.slot === undefined) return undefined;
  const v = answers[r.slot];
  return r.tiers.find((t) => t.when !== undefined && t.when === v);
}

function amountText(x: { amount?: number; upTo?: number; min?: number; max?: number }): string {
  if (x.amount !== undefined) return yuan(x.amount);
  if (x.upTo !== undefined) return `最高${yuan(x.upTo)}（不高于${yuan(x.upTo)}，具体金额以评审结果为准）`;
  return `${yuan(x.min!)}至${yuan(x.max!)}`;
}

/** The reward as a user reads it, with its article ("最高60万元（第十条）"); undefined when the rules state none. */
export function rewardText(award: AwardRules, answers: Answers): string | undefined {
  const r = award.reward;
  switch (r.kind) {
    case 'none':
      return undefined;
    case 'fixed':
      return `${yuan(r.amount)}（${r.article}）`;
    case 'up-to':
      return `${amountText(r)}（${r.article}）`;
    case 'range':
      return `${amountText(r)}（${r.article}）`;
    case 'tiers': {
      const t = selectedTier(award, answers);
      if (t) return `${t.label}：${amountText(t)}（${r.article}）`;
      return `${r.tiers.map((x) => `${x.label}${amountText(x)}`).join('；')}（${r.article}）`;
    }
    case 'per-unit': {
      const n = computeReward(award, answers);
      const min = r.minimum !== undefined ? `，每家最少${yuan(r.minimum)}` : '';
      return n === null ? `${r.basis}${yuan(r.amount)}${min}（${r.article}）` : `${yuan(n)}（${r.basis}${yuan(r.amount)}${min}，${r.article}）`;
    }
  }
}

/** The reward in `data`: its kind, the exact sum when there is one, the ceiling, range or tiers, and the text. */
export function rewardData(award: AwardRules, answers: Answers): Record<string, unknown> | null {
  const r = award.reward;
  if (r.kind === 'none') return null;
  const out: Record<string, unknown> = { kind: r.kind, amount: computeReward(award, answers), text: rewardText(award, answers) };
  if (r.kind === 'up-to') out.upTo = r.upTo;
  if (r.kind === 'range') Object.assign(out, { min: r.min, max: r.max });
  if (r.kind === 'tiers') {
    out.tiers = r.tiers.map((t) => ({ ...t }));
    const t = selectedTier(award, answers);
    if (t) out.tier = t.label;
  }
  return out;
}

/** A document's status at `now`: the file's `status`, else lapsed after its expiry date (China time), else in force. */
export function documentStatus(award: AwardRules, now: Date): (typeof DOCUMENT_STATUSES)[number] {
  const d = award.document;
  if (d.status) return d.status;
  if (d.expires && now.getTime() >= new Date(`${d.expires}T00:00:00+08:00`).getTime() + 24 * 3600_000) return 'lapsed';
  return 'in-force';
}

/** The status in words, for every verdict and match line. */
export function statusText(status: (typeof DOCUMENT_STATUSES)[number]): string {
  return status === 'draft' ? '征求意见稿（草案），条件和金额以正式发布稿为准' : status === 'lapsed' ? '文件已到期失效，请确认现行规定' : '现行有效';
}

/** Tri-state value of a condition: true (met), false (not met) or undefined (not answered yet). */
export type Tri = boolean | undefined;

/** Whether the answers meet one criterion alone; undefined while it is unanswered. */
export function criterionState(c: Criterion, answers: Answers): Tri {
  const v = answers[c.slot];
  if (!isValidValue(c, v)) return undefined;
  return !criterionFails(c, v);
}

/** Whether the answers meet a condition node of a group; undefined while it cannot be decided yet. */
export function nodeState(award: AwardRules, n: ConditionNode, answers: Answers): Tri {
  if ('slot' in n) {
    const c = criterionOf(award, n.slot);
    if (!c) return false;
    const v = answers[c.slot];
    if (!isValidValue(c, v)) return undefined;
    if (n.is) return typeof v === 'string' && n.is.includes(v);
    if (n.min !== undefined || n.max !== undefined) return typeof v === 'number' && (n.min === undefined || v >= n.min) && (n.max === undefined || v <= n.max);
    return !criterionFails(c, v);
  }
  const states = ('anyOf' in n ? n.anyOf : n.allOf).map((x) => nodeState(award, x, answers));
  if ('anyOf' in n) return states.some((x) => x === true) ? true : states.every((x) => x === false) ? false : undefined;
  return states.some((x) => x === false) ? false : states.every((x) => x === true) ? true : undefined;
}

type Group = AwardRules['groups'][number];

/** The root node of a group. */
export function groupNode(g: Group): ConditionNode {
  return g.anyOf ? { anyOf: g.anyOf } : { allOf: g.allOf! };
}

/** The slots a condition node reads. */
export function nodeSlots(n: ConditionNode): string[] {
  if ('slot' in n) return [n.slot];
  return [...new Set(('anyOf' in n ? n.anyOf : n.allOf).flatMap(nodeSlots))];
}

/** Unanswered slots that could still decide a node (none once it is decided). */
export function neededSlots(award: AwardRules, n: ConditionNode, answers: Answers): string[] {
  if (nodeState(award, n, answers) !== undefined) return [];
  if ('slot' in n) return [n.slot];
  return [...new Set(('anyOf' in n ? n.anyOf : n.allOf).flatMap((x) => neededSlots(award, x, answers)))];
}

/** Slots decided by a group rather than alone. */
export function groupedSlots(award: AwardRules): Set<string> {
  return new Set(award.groups.flatMap((g) => nodeSlots(groupNode(g))));
}

/** Whether a criterion decides the verdict by itself: not informational and in no group. */
export function decidesAlone(award: AwardRules, c: Criterion): boolean {
  return !c.informational && !groupedSlots(award).has(c.slot);
}

/** The articles of a group: its own citations and those named on its conditions. */
export function groupRef(award: AwardRules, g: Group): string {
  const arts = g.cite.map((x) => `《${x.title ?? award.document.title}》${x.article}`);
  return `（${arts.join('；')}）`;
}

/** The conditions of a group as one line, with the article of each ("亩均效益A档（第五条（二））或：…"). */
export function describeNode(award: AwardRules, n: ConditionNode): string {
  const art = n.article ? `（${n.article}）` : '';
  if ('slot' in n) {
    const c = criterionOf(award, n.slot);
    if (!c) return n.slot;
    let what = c.label;
    if (n.is && c.type === 'choice') what = `${c.label}为${n.is.map((v) => c.options.find((o) => o.value === v)?.label ?? v).join('或')}`;
    else if (n.min !== undefined || n.max !== undefined) {
      const unit = c.type === 'number' ? c.unit : '';
      what = `${c.label}${n.min !== undefined ? `不少于${n.min}${unit}` : ''}${n.max !== undefined ? `不超过${n.max}${unit}` : ''}`;
    } else what = c.condition;
    return `${what}${art}`;
  }
  const parts = ('anyOf' in n ? n.anyOf : n.allOf).map((x) => describeNode(award, x));
  const body = 'anyOf' in n ? parts.join('，或') : parts.join('且');
  return parts.length > 1 && art ? `（${body}）${art}` : `${body}${art}`;
}

/** The award's name or alias found in a text, longest first; undefined when none is named. */
export function awardMention(awards: readonly AwardRules[], text: string): AwardRules | undefined {
  let best: { award: AwardRules; length: number } | undefined;
  for (const award of awards) {
    for (const name of [award.name, ...award.aliases]) {
      if (text.includes(name) && (!best || name.length > best.length)) best = { award, length: name.length };
    }
  }
  return best?.award;
}

/** The policy document a rules file names: by id when one of that id is loaded, else by its exact title (spaces aside). */
export function documentOf<D extends { id: string; title: string }>(ref: { id?: string; title: string }, documents: readonly D[]): D | undefined {
  const squeeze = (s: string) => s.replace(/\s+/g, '');
  return (ref.id ? documents.find((d) => d.id === ref.id) : undefined) ?? (ref.title ? documents.find((d) => squeeze(d.title) === squeeze(ref.title)) : undefined);
}

const versions = new WeakMap<AwardRules, string>();

/** A short fingerprint of a rules file's content, so a changed file is a new version (a pre-check and a match notice name the version they used). */
export function awardVersion(award: AwardRules): string {
  let v = versions.get(award);
  if (!v) {
    v = createHash('sha256').update(JSON.stringify(award)).digest('hex').slice(0, 12);
    versions.set(award, v);
  }
  return v;
}
