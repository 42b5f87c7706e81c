/** Checks an award rules file against the policy documents and renders its form the way a user meets it (for `ingest` and `precheck-lint`). */
import type { PolicyDocument, Unit } from '../knowledge/policy-schema.ts';
import { chineseDate, choicesOf, criterionFails, criterionOf, decidesAlone, documentOf, describeNode, documentStatus, formatAnswer, groupNode, groupRef, groupedSlots, rewardText, statusText, type AwardRules, type Criterion } from './award-rules.ts';
import { fieldOf, fieldProblems, loadProfileDef } from './profile.ts';
import { questionReply } from './precheck-engine.ts';
import { findSlotMention, readSlotAnswer } from './precheck-extract.ts';

/** One problem in a rules file: the field path and what is wrong. */
export interface AwardProblem {
  path: string;
  message: string;
}

/** Text without any whitespace, so that layout spaces in a document ("3 千元") do not defeat a verbatim comparison. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

/** The quoted examples of a hint, e.g. ["6年", "2019年注册的"] from “6年”或“2019年注册的”. */
export function hintExamples(hint: string): string[] {
  const quoted = [...hint.matchAll(/“([^”]+)”/g)].map((m) => m[1]);
  return quoted.length ? quoted : [hint];
}

/** What answer fails a criterion, in words. */
function failsWhen(c: Criterion): string {
  switch (c.type) {
    case 'yes-no':
      return `回答“${formatAnswer(c, c.fails === 'yes')}”`;
    case 'number':
      return [c.min !== undefined ? `少于${c.min}${c.unit}` : '', c.max !== undefined ? `多于${c.max}${c.unit}` : ''].filter(Boolean).join('或');
    case 'date':
      return [c.min !== undefined ? `早于${chineseDate(c.min)}` : '', c.max !== undefined ? `晚于${chineseDate(c.max)}` : ''].filter(Boolean).join('或');
    case 'choice':
      return c.options.filter((o) => o.fails).map((o) => `选“${o.label}”`).join('或') || '（任何选项都符合）';
  }
}

/** Checks a rules file against the documents: documents and cited articles exist, quotes are verbatim, every criterion can be answered and corrected. */
export function checkAward(award: AwardRules, documents: readonly PolicyDocument[], units: readonly Unit[], now: Date): AwardProblem[] {
  const problems: AwardProblem[] = [];
  const doc = documentOf(award.document, documents);
  if (!doc) {
    const named = award.document.id ? `"${award.document.id}"` : `titled "${award.document.title}"`;
    problems.push({ path: award.document.id ? 'document.id' : 'document.title', message: `no policy document ${named} in the knowledge base (known: ${documents.map((d) => `${d.id} ${d.title}`).join(', ')})` });
  } else {
    if (doc.title !== award.document.title) problems.push({ path: 'document.title', message: `the document is titled "${doc.title}"` });
    if (doc.effective && award.document.effective !== doc.effective) problems.push({ path: 'document.effective', message: `the document takes effect on ${doc.effective}` });
    if (doc.expires && award.document.expires !== doc.expires) problems.push({ path: 'document.expires', message: `the document expires on ${doc.expires}` });
  }
  const checkQuote = (path: string, ref: { id?: string; title?: string }, article: string, quote: string) => {
    const cited = ref.id || ref.title ? documentOf({ id: ref.id, title: ref.title ?? '' }, documents) : doc;
    if (!cited) {
      if (ref.id || ref.title) problems.push({ path: `${path}.document`, message: `no policy document "${ref.id ?? ref.title}"` });
      return;
    }
    const docId = cited.id;
    const unit = units.find((u) => u.docId === docId && u.article === article);
    if (!unit) {
      problems.push({ path: `${path}.article`, message: `"${article}" is not an article of ${docId}` });
      return;
    }
    if (!squeeze(unit.text).includes(squeeze(quote))) problems.push({ path: `${path}.quote`, message: `not verbatim in ${docId} ${article}: "${quote.slice(0, 30)}…"` });
  };
  award.criteria.forEach((c, i) => {
    c.cite.forEach((x, j) => checkQuote(`criteria.${i}.cite.${j}`, x.document || x.title ? { id: x.document, title: x.title } : {}, x.article, x.quote));
  });
  if (award.reward.kind !== 'none') checkQuote('reward', {}, award.reward.article, award.reward.quote);

  problems.push(...fieldProblems(award, loadProfileDef()));
  const seen = new Set<string>();
  award.criteria.forEach((c, i) => {
    const at = `criteria.${i}`;
    if (seen.has(c.slot)) problems.push({ path: `${at}.slot`, message: `slot "${c.slot}" is used twice` });
    seen.add(c.slot);
    // Reachable: a user who follows the hint (or presses a button) fills the slot, a correction can name it, and some answer passes.
    for (const example of hintExamples(c.hint)) {
      if (readSlotAnswer(award, c.slot, example, now) === undefined) problems.push({ path: `${at}.hint`, message: `the example answer "${example}" is not understood by this criterion's words` });
    }
    for (const choice of choicesOf(c) ?? []) {
      if (readSlotAnswer(award, c.slot, choice.value, now) === undefined) problems.push({ path: `${at}`, message: `the button "${choice.label}" is not understood as an answer` });
    }
    if (!c.keywords.some((k) => findSlotMention(award, k)?.slot === c.slot)) {
      problems.push({ path: `${at}.keywords`, message: 'every keyword is taken by a longer keyword of another criterion, so "改一下…" can never reach it' });
    }
    if (c.type === 'choice' && c.options.every((o) => o.fails)) problems.push({ path: `${at}.options`, message: 'every option fails, so no enterprise can be eligible' });
    const keys = new Set<string>();
    if (c.type === 'choice') for (const o of c.options) {
      if (keys.has(o.value)) problems.push({ path: `${at}.options`, message: `option value "${o.value}" is used twice` });
      keys.add(o.value);
    }
  });
  return problems;
}

/** What an answer is read as, and whether it passes: "→ 读作：A档（符合）"; "→ 读不懂" when the criterion cannot read it. */
function readingOf(award: AwardRules, c: Criterion, text: string, now: Date): string {
  const v = readSlotAnswer(award, c.slot, text, now);
  if (v === undefined) return '→ 读不懂（请改写提示或补充词语）';
  const verdict = c.informational ? '仅供参考' : groupedSlots(award).has(c.slot) ? '由组合条件判断' : criterionFails(c, v) ? '不符合' : '符合';
  return `→ 读作：${formatAnswer(c, v)}（${verdict}）`;
}

/** The form as a user meets it: each question as sent (with its buttons, and what each button and hint example selects), what fails it and the cited clause. */
export function renderForm(award: AwardRules, now: Date = new Date()): string {
  const d = award.document;
  const lines: string[] = [];
  lines.push(`${award.name}（${award.place}，规则文件 ${award.id}）`);
  const validity = [d.effective ? `${chineseDate(d.effective)}起施行` : '', d.expires ? `${chineseDate(d.expires)}到期` : '未规定有效期'].filter(Boolean).join('，');
  lines.push(`依据：《${d.title}》（文档 ${d.id}），${validity}；文件状态：${statusText(documentStatus(award, now))}；咨询：${d.contact}`);
  if (award.aliases.length) lines.push(`用户可这样称呼：${award.aliases.join('、')}`);
  lines.push('');
  for (const c of award.criteria) {
    const reply = questionReply(award, c.slot);
    lines.push(reply.text);
    if (reply.choices) lines.push(`  按钮：${reply.choices.map((x, i) => `[${i + 1}] ${x.label} ${readingOf(award, c, x.value, now)}`).join('  ')}`);
    lines.push(`  看不懂回答时提示：请这样回答，例如：${c.hint}。`);
    for (const example of hintExamples(c.hint)) lines.push(`    提示“${example}” ${readingOf(award, c, example, now)}`);
    if (c.informational) lines.push('  仅供参考：会询问并显示，但不决定预检结论');
    else if (!decidesAlone(award, c)) lines.push('  不单独判断：由下方组合条件决定');
    else lines.push(`  不符合：${failsWhen(c)} — ${c.failReason.replace(/\{answer\}/g, '…')}`);
    const f = fieldOf(c, loadProfileDef());
    lines.push(f ? `  企业资料字段：${f.name}（${f.label}，各奖项共用）` : '  企业资料字段：无（本奖项专用）');
    for (const x of c.cite) lines.push(`  依据：《${x.title ?? d.title}》${x.article}：“${x.quote}”`);
    lines.push(`  更正时可说：改一下${c.keywords[0]}（slot ${c.slot}，${c.type}）`);
    lines.push('');
  }
  for (const g of award.groups) {
    lines.push(`组合条件 ${g.id}：${g.condition}——${describeNode(award, groupNode(g))}${groupRef(award, g)}`);
    lines.push(`  不符合时：${g.failReason}`);
    lines.push('');
  }
  const r = award.reward;
  if (r.kind === 'none') lines.push('奖励：规则未规定奖励金额');
  else if (r.kind === 'fixed') lines.push(`奖励：${r.amount}元（${r.article}：“${r.quote}”）`);
  else if (r.kind !== 'per-unit') lines.push(`奖励：${rewardText(award, {})}：“${r.quote}”`);
  else {
    const unit = criterionOf(award, r.slot);
    lines.push(`奖励：${r.basis}${r.amount}元 × ${unit?.label ?? r.slot}${r.minimum !== undefined ? `，最少${r.minimum}元` : ''}（${r.article}：“${r.quote}”）`);
  }
  if (award.nextSteps.length) {
    lines.push('');
    lines.push('符合时的下一步：');
    award.nextSteps.forEach((s, i) => lines.push(`${i + 1}. ${s}`));
  }
  return lines.join('\n');
}

/** Checks every configured rules file against a built index (for `ingest`); throws DataError naming the first bad file and field. */
export async function checkAwardFiles(index: { documents: PolicyDocument[]; units: Unit[] }, now: Date, dir?: string): Promise<AwardRules[]> {
  const { awardsDir, loadAwards } = await import('./award-loader.ts');
  const { DataError } = await import('../errors.ts');
  const awards = loadAwards(dir ?? awardsDir());
  const ids = new Set<string>();
  for (const award of awards) {
    const problems = checkAward(award, index.documents, index.units, now);
    for (const other of awards) {
      if (other !== award && [other.name, ...other.aliases].some((n) => n === award.name)) problems.push({ path: 'name', message: `also a name of ${other.id}` });
    }
    if (ids.has(award.id)) problems.push({ path: 'id', message: 'used by another rules file' });
    ids.add(award.id);
    if (problems.length) throw new DataError(`${award.id}.json`, problems[0].path, [problems[0].message, ...problems.slice(1).map((p) => `${p.path}: ${p.message}`)].join('; '));
  }
  return awards;
}

/** Lints one rules file (for `precheck-lint`): its form as a user meets it, and its problems against the configured documents. */
export async function lintAwardFile(path: string, now: Date): Promise<{ form: string; problems: AwardProblem[] }> {
  const { loadAwardFile } = await import('./award-loader.ts');
  const { loadIndex } = await import('../knowledge/policy-loader.ts');
  const award = loadAwardFile(path);
  const index = loadIndex();
  return { form: renderForm(award, now), problems: checkAward(award, index.documents, index.units, now) };
}
