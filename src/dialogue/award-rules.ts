/** The rules-file format of an award pre-check (data/awards/<id>.json), its zod schema and pure helpers over one award. */
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
const pattern = z
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

/** The reward a rules file states. */
const rewardSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('fixed'), amount: z.number().positive(), article: z.string().min(1), quote: z.string().min(4) }).strict(),
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
        contact: z.string().min(2),
      })
      .strict(),
    ignore: words.default([]),
    criteria: z.array(criterionSchema).min(1),
    reward: rewardSchema,
    nextSteps: z.array(z.string().min(2)).default([]),
  })
  .strict()
  .superRefine((a, ctx) => {
    const seen = new Map<string, number>();
    a.criteria.forEach((c, i) => {
      if (seen.has(c.slot)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'slot'], message: `slot "${c.slot}" is also used by criteria.${seen.get(c.slot)}` });
      else seen.set(c.slot, i);
    });
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

/** The reward for eligible answers, in yuan; null when the rules state none or the unit count is missing. */
export function computeReward(award: AwardRules, answers: Answers): number | null {
  const r = award.reward;
  if (r.kind === 'none') return null;
  if (r.kind === 'fixed') return r.amount;
  const n = answers[r.slot];
  if (typeof n !== 'number') return null;
  return Math.max(r.minimum ?? 0, r.amount * n);
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
