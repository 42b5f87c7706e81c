/** The shared company profile (data/profile.json): one set of facts per enterprise chat that every award's criteria read and fill. */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { DataError } from '../errors.ts';
import { chineseDate, expandPattern, isValidValue, pattern, type Answers, type AnswerValue, type AwardRules, type Criterion } from './award-rules.ts';

const fieldName = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'a field is a camelCase name such as yearsRegistered');

/** Schema of data/profile.json. */
export const profileSchema = z
  .object({
    $comment: z.string().optional(),
    fields: z
      .array(
        z
          .object({
            name: fieldName,
            label: z.string().min(2),
            /**
             * `place` holds a place name; a yes/no criterion mapped to it asks "registered in the award's place?".
             * `name` holds the company's own name, given in words (`words.nameSaid`); no criterion reads it.
             */
            type: z.enum(['yes-no', 'number', 'date', 'choice', 'place', 'name']),
            unit: z.string().min(1).optional(),
          })
          .strict(),
      )
      .min(1),
    words: z
      .object({
        /** Phrases that ask which awards fit ("我们能申报哪些奖"). */
        matchAsk: z.array(pattern).min(1),
        /** Words that make a sentence a statement about one's own company ("我们注册5年了"). */
        self: z.array(z.string().min(1)).min(1),
        /** Words that name the match notices in "/unsubscribe 匹配". */
        noticeTopic: z.array(z.string().min(1)).min(1),
        /** Words that, with a notice-topic word, turn match notices off ("退订匹配通知") or on ("恢复匹配通知"); off wins. */
        noticeOff: z.array(z.string().min(1)).min(1),
        noticeOn: z.array(z.string().min(1)).min(1),
        /** Phrases after which a company gives its name ("我们公司叫…", "公司名称是…"); the name runs to the next punctuation mark. */
        nameSaid: z.array(pattern).optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.fields.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `field "${f.name}" is defined twice` });
      seen.add(f.name);
    });
    const named = p.fields.findIndex((f) => f.type === 'name');
    if (named >= 0 && !p.words.nameSaid?.length) ctx.addIssue({ code: 'custom', path: ['words', 'nameSaid'], message: 'a "name" field needs the phrases that give it (words.nameSaid)' });
    if (p.fields.filter((f) => f.type === 'name').length > 1) ctx.addIssue({ code: 'custom', path: ['fields', named, 'type'], message: 'only one field can hold the company name' });
  });

/** The profile definition. */
export type ProfileDef = z.infer<typeof profileSchema>;
/** One field of the profile. */
export type ProfileField = ProfileDef['fields'][number];
/** A company's facts, by profile field (a place field holds the place name). */
export type Company = Record<string, AnswerValue | undefined>;

/** Default location of the profile definition. */
export const DEFAULT_PROFILE_FILE = new URL('../../data/profile.json', import.meta.url).pathname;

let cached: ProfileDef | undefined;

/** Loads and validates a profile definition; throws DataError naming the file and the field. */
export function loadProfileDef(path: string = DEFAULT_PROFILE_FILE): ProfileDef {
  if (path === DEFAULT_PROFILE_FILE && cached) return cached;
  if (!existsSync(path)) throw new DataError('profile.json', '(root)', 'file not found');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError('profile.json', 'json', (e as Error).message);
  }
  const r = profileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DataError('profile.json', i?.path.join('.') || '(root)', i?.message ?? 'invalid');
  }
  if (path === DEFAULT_PROFILE_FILE) cached = r.data;
  return r.data;
}

/** The profile field a criterion reads and fills: its `field`, else the field named like its slot; undefined when it is the award's own. */
export function fieldOf(c: Criterion, def: ProfileDef): ProfileField | undefined {
  return def.fields.find((f) => f.name === (c.field ?? c.slot));
}

/** Which criterion types may share which field types (none reads the company's name). */
function compatible(c: Criterion, f: ProfileField): boolean {
  if (f.type === 'name') return false;
  return f.type === 'place' ? c.type === 'yes-no' : f.type === c.type;
}

/** Longest company name kept. */
export const MAX_COMPANY_NAME = 60;

/** The profile field that holds the company's name, if the profile has one. */
export function nameField(def: ProfileDef): ProfileField | undefined {
  return def.fields.find((f) => f.type === 'name');
}

/** The company's name, when the profile has a name field and the company gave one. */
export function companyNameOf(company: Company | undefined, def: ProfileDef): string | undefined {
  const f = nameField(def);
  const v = f && company?.[f.name];
  return typeof v === 'string' && v ? v : undefined;
}

/** The company name a sentence gives after one of the profile's `nameSaid` phrases ("我们公司叫华艺卫浴有限公司"), or undefined. */
export function statedName(text: string, def: ProfileDef): string | undefined {
  if (!nameField(def)) return undefined;
  for (const p of def.words.nameSaid ?? []) {
    const m = new RegExp(`(?:${expandPattern(p)})\\s*[:：]?\\s*[“"「『《]?([^，。,.;；！!？?\\n“”"」』》]{2,${MAX_COMPANY_NAME}})`, 'i').exec(text);
    const name = m?.[1]?.trim();
    if (name && name.length >= 2) return name;
  }
  return undefined;
}

/** Problems of an award's `field` mappings against the profile (unknown field, type that cannot be shared). */
export function fieldProblems(award: AwardRules, def: ProfileDef): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  award.criteria.forEach((c, i) => {
    const f = fieldOf(c, def);
    if (c.field !== undefined && !f) out.push({ path: `criteria.${i}.field`, message: `no profile field "${c.field}" in data/profile.json (known: ${def.fields.map((x) => x.name).join(', ')})` });
    else if (f && !compatible(c, f)) out.push({ path: `criteria.${i}.field`, message: `a ${c.type} criterion cannot share the ${f.type} field "${f.name}"` });
  });
  return out;
}

/** "开平市" and "开平" name the same place. */
export function samePlace(a: string, b: string): boolean {
  const short = (x: string) => x.replace(/(?:市|县|区|省)$/, '');
  return short(a) === short(b);
}

/** The answers an award's criteria take from the company profile. */
export function answersFromCompany(award: AwardRules, company: Company | undefined, def: ProfileDef): Answers {
  const out: Answers = {};
  if (!company) return out;
  for (const c of award.criteria) {
    const f = fieldOf(c, def);
    if (!f || !compatible(c, f)) continue;
    const v = company[f.name];
    if (v === undefined) continue;
    if (f.type === 'place') {
      if (typeof v === 'string') out[c.slot] = samePlace(v, award.place);
    } else if (isValidValue(c, v)) out[c.slot] = v;
  }
  return out;
}

/** The company profile with an award's answers written into the shared fields (a "yes" to a place criterion records the award's place). */
export function absorbAnswers(award: AwardRules, answers: Answers, company: Company | undefined, def: ProfileDef): Company {
  const next: Company = { ...company };
  for (const c of award.criteria) {
    const f = fieldOf(c, def);
    const v = answers[c.slot];
    if (!f || !compatible(c, f) || !isValidValue(c, v)) continue;
    if (f.type === 'place') {
      if (v === true) next[f.name] = award.place;
      else if (typeof next[f.name] === 'string' && samePlace(String(next[f.name]), award.place)) delete next[f.name];
    } else next[f.name] = v;
  }
  return next;
}

/** Keeps only known fields with values of the right type (for state read back from storage). */
export function sanitizeCompany(raw: unknown, def: ProfileDef): Company | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const out: Company = {};
  for (const f of def.fields) {
    const v = (raw as Record<string, unknown>)[f.name];
    const ok =
      f.type === 'name' ? typeof v === 'string' && v.length > 0 && v.length <= MAX_COMPANY_NAME :
      f.type === 'yes-no' ? typeof v === 'boolean' :
      f.type === 'number' ? typeof v === 'number' && Number.isFinite(v) && v >= 0 :
      f.type === 'date' ? typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) :
      typeof v === 'string' && v.length > 0 && v.length <= 40;
    if (ok) out[f.name] = v as AnswerValue;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A field's value for display, with the option label a choice criterion gives it when one is known. */
export function formatField(f: ProfileField, v: AnswerValue, awards: readonly AwardRules[], def: ProfileDef): string {
  switch (f.type) {
    case 'yes-no':
      return v ? '是' : '否';
    case 'number':
      return `${v}${f.unit ?? ''}`;
    case 'date':
      return chineseDate(String(v));
    case 'place':
    case 'name':
      return String(v);
    case 'choice': {
      for (const a of awards) for (const c of a.criteria) {
        if (c.type === 'choice' && fieldOf(c, def)?.name === f.name) {
          const o = c.options.find((x) => x.value === v);
          if (o) return o.label;
        }
      }
      return String(v);
    }
  }
}

/** The company's facts, one "label：value" line each, in the profile's order. */
export function describeCompany(company: Company | undefined, awards: readonly AwardRules[], def: ProfileDef): string[] {
  if (!company) return [];
  return def.fields.filter((f) => company[f.name] !== undefined).map((f) => `· ${f.label}：${formatField(f, company[f.name]!, awards, def)}`);
}

/** Whether a text is about one's own company (one of the profile's `self` words). */
export function mentionsSelf(text: string, def: ProfileDef): boolean {
  const t = text.toLowerCase();
  return def.words.self.some((w) => t.includes(w.toLowerCase()));
}

/** Whether a text asks which awards fit (the profile's `matchAsk` phrases). */
export function asksForMatch(text: string, def: ProfileDef): boolean {
  return def.words.matchAsk.some((p) => new RegExp(expandPattern(p), 'i').test(text));
}

/** Whether a sentence turns match notices off or on ("退订匹配通知", "恢复匹配提醒"); undefined when it is not about them. */
export function matchNoticeSwitch(text: string, def: ProfileDef): 'off' | 'on' | undefined {
  const t = text.toLowerCase();
  if (!namesMatchNotices(t, def)) return undefined;
  if (def.words.noticeOff.some((w) => t.includes(w.toLowerCase()))) return 'off';
  if (def.words.noticeOn.some((w) => t.includes(w.toLowerCase()))) return 'on';
  return undefined;
}

/** Whether command arguments name the match notices ("/unsubscribe 匹配"). */
export function namesMatchNotices(args: string, def: ProfileDef): boolean {
  const t = args.toLowerCase();
  return t.length > 0 && def.words.noticeTopic.some((w) => t.includes(w.toLowerCase()));
}
