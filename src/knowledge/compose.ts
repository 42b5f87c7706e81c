/** The chat shape of an answer: the fact first, then the source line and the trimmed verbatim quote; fixed replies. */
import type { Citation, PolicyAnswer } from './answer-types.ts';
import { sentencesOf, type Fact } from './facts.ts';
import type { Knowledge } from './knowledge.ts';
import type { PolicyDocument, Unit } from './policy-schema.ts';
import { cnDate, lapsed } from './corpus.ts';
import { articleInOwnScript, inOwnScript } from './own-script.ts';

/** Longest quoted excerpt, in characters. */
export const EXCERPT_MAX = 70;

/** Removes layout spaces between Chinese text and numbers, and spells 千元 amounts out in yuan (万元 stays as written). */
export function tidyFact(text: string): string {
  return text
    .replace(/(\d+(?:\.\d+)?)\s*千元/g, (_, n) => `${Math.round(Number(n) * 1000)}元`)
    .replace(/([\u4e00-\u9fff（）])\s+(\d)/g, '$1$2')
    .replace(/(\d)\s+([\u4e00-\u9fff%])/g, '$1$2')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** Builds a citation for a unit: the full verbatim clause, and the excerpt that holds the fact. */
export function citationOf(u: Unit, excerpt?: string): Citation & { excerpt?: string } {
  // A document in Traditional characters is quoted in its own script (the original lines up with the text character for character).
  const c: Citation & { excerpt?: string } = { title: u.title, article: articleInOwnScript(u), quote: (u.original ?? u.text).replace(/\s*\n\s*/g, '\n') };
  if (excerpt) c.excerpt = inOwnScript(u.text, u.original, excerpt);
  return c;
}

/** The word a document calls itself by (办法, 方案, 计划 …), for "原办法规定". */
export function selfName(doc: PolicyDocument | undefined): string {
  const m = /(办法|方案|计划|规定|细则|通知|纲要|意见|规划)(?:[(（][^)）]*[)）])?$/.exec(doc?.title ?? '');
  return m ? m[1] : '文件';
}

/** The one-line lapse warning for a document at the given date, or '' when it is in force or undated. */
export function validityWarning(doc: PolicyDocument | undefined, now: Date): string {
  if (!doc || !lapsed(doc, now)) return '';
  return `⚠️ 该${selfName(doc)}已于${cnDate(doc.expires!)}到期（按提问日期计），现行做法请问${doc.region || '当地'}市场监管部门。`;
}

/** The office to contact about a document. */
export function contactOf(doc: PolicyDocument | undefined): string {
  return doc?.region ? `${doc.region}市场监督管理局` : '当地市场监督管理局';
}

/** The excerpt of a clause that holds the lead: the sentence, cut around its facts, with … marking cuts. */
export function excerptOf(u: Unit, sentence: number, facts: Fact[]): string {
  const sentences = sentencesOf(u);
  let s = (sentences[sentence] ?? sentences[0] ?? u.text).replace(/\s+/g, ' ');
  let before = sentence > 0;
  let after = sentence < sentences.length - 1;
  if (s.length > EXCERPT_MAX) {
    const key = facts[0]?.clause.replace(/\s+/g, ' ') ?? '';
    const at = Math.max(0, key ? s.indexOf(key) : 0);
    // Cuts fall on clause boundaries where one is near, so no word is cut in half ("…业由市政府" → "…获奖企业…").
    const bound = /[，,；;：:。]/g;
    const marks = [...s.matchAll(bound)].map((m) => m.index!);
    const lead = marks.filter((b) => b < at && at - b <= 24).pop();
    // With no boundary near, the excerpt starts at the key itself.
    let start = lead !== undefined ? Math.max(0, Math.min(lead + 1, s.length - EXCERPT_MAX)) : at;
    // A start forced back by the end of the sentence moves on to the next boundary.
    const next = marks.find((b) => b >= start && b - start <= 16 && b < at);
    if (start > 0 && !marks.includes(start - 1) && next !== undefined) start = next + 1;
    let end = Math.min(s.length, start + EXCERPT_MAX);
    const keyEnd = at + key.length;
    const tail = marks.filter((b) => b > Math.max(keyEnd, start + 30) && b < end).pop();
    if (end < s.length && tail !== undefined) end = tail;
    before ||= start > 0;
    after ||= end < s.length;
    s = s.slice(start, end);
  }
  return `${before ? '…' : ''}${s}${after ? '…' : ''}`;
}

/** Ends a sentence with a full stop if it has none (a trailing comma or semicolon becomes the full stop). */
export function period(s: string): string {
  const t = s.replace(/[；;，,、：:\s]+$/, '');
  return /[。！？.!?…）)]$/.test(t) ? t : `${t}。`;
}

/** The source line and quote of a citation. */
export function sourceLines(c: Citation & { excerpt?: string }, label = '依据'): string[] {
  return [`${label}：《${c.title}》${c.article}`, `“${(c.excerpt ?? c.quote).replace(/\s*\n\s*/g, ' ')}”`];
}

/** Loaded documents grouped by place: "甲市2份、乙省1份…". */
export function corpusSummary(k: Knowledge): string {
  const byPlace = new Map<string, number>();
  for (const d of k.documents) byPlace.set(d.region || '其他', (byPlace.get(d.region || '其他') ?? 0) + 1);
  return [...byPlace.entries()].map(([p, n]) => `${p}${n}份`).join('、');
}

/** Titles of the loaded documents grouped by place, for /docs. */
export function documentList(k: Knowledge, now: Date, regions?: string[]): string {
  const byPlace = new Map<string, PolicyDocument[]>();
  const docs = regions ? k.documents.filter((d) => regions.includes(d.region)) : k.documents;
  for (const d of docs) byPlace.set(d.region || '其他', [...(byPlace.get(d.region || '其他') ?? []), d]);
  const lines = [`${regions ? regions.join('、') : '已'}收录${docs.length}份政策文件：`];
  for (const [place, docs] of byPlace) {
    lines.push(`【${place}】`);
    for (const d of docs) lines.push(`· 《${d.title}》${lapsed(d, now) ? `（已于${cnDate(d.expires!)}到期）` : ''}`);
  }
  return lines.join('\n');
}

/** The reply when the corpus does not cover a question; the loaded places are listed briefly. */
export function notCovered(k: Knowledge, question: string, intent: string, reason: string, place?: string, region?: string): PolicyAnswer {
  const office = place ? `${place.replace(/(省|市)$/, '')}${/省$/.test(place) ? '省' : '市'}市场监督管理局` : region ? `${region}市场监督管理局` : '当地市场监督管理局';
  return {
    question,
    intent,
    found: false,
    answer: `抱歉，${reason}，我不便猜测。建议咨询${office}。\n目前收录：${corpusSummary(k)}（发送 /docs 查看文件列表）。`,
    citations: [],
  };
}

/** Puts the lapse warning first (and phrases the lead as what the document said), and builds the answer. */
export function finish(k: Knowledge, question: string, intent: string, lines: string[], citations: Citation[], doc: PolicyDocument | undefined, now: Date): PolicyAnswer {
  void k;
  const warn = validityWarning(doc, now);
  if (warn) {
    // "《…》<条款>谈到了…" already says whose words these are.
    if (!lines[0].startsWith('《')) lines[0] = `原${selfName(doc)}规定：${lines[0]}`;
    lines.unshift(warn);
  }
  return { question, intent, found: true, answer: lines.join('\n'), citations };
}

/** Canned replies for conversational intents; the greeting names the places the loaded documents come from. */
export function chatReply(intent: string, k?: Knowledge): string {
  switch (intent) {
    case 'greeting':
      return `您好！我是政策助手，可以回答产品质量政策问题，每个回答都附文件和条款原文。${k ? `目前收录：${corpusSummary(k)}。` : ''}发送“帮助”查看用法。`;
    case 'thanks':
      return '不客气！还有其他政策问题随时问我。';
    default:
      return HELP_TEXT;
  }
}

/** The help text listing what the bot can do. */
export const HELP_TEXT = [
  '我可以帮您：',
  '1. 查政策：直接提问，如“质量奖奖金多少”“认证目标多少家”“首席质量官谁牵头”；发送 /docs 查看已收录的文件；',
  '2. 预检奖项申报条件：发送 /precheck 或“我们能评奖吗”；',
  '3. 订阅公示和到期提醒：发送 /subscribe（可加标签，如 /subscribe 某某镇），退订发送 /unsubscribe；',
  '4. 登记获奖日期以便到期提醒：发送 /award 2024-03-01，查看发送 /awards。',
  '其他命令：/cancel 取消预检，/back 修改上一题，/forget 删除企业资料；回答后回复“原文”可查看条款全文。',
].join('\n');
