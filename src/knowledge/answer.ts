/** Composes cited answers: the fact first, then the document, article and verbatim quote. */
import type { Citation, PolicyAnswer } from '../core/types.ts';
import { extractEntities, type Entities } from '../nlu/entities.ts';
import type { IntentClassifier } from '../nlu/intent-classifier.ts';
import { normalizeText } from '../nlu/normalize.ts';
import type { Segmenter } from '../nlu/segmenter.ts';
import type { PolicyDocument, Unit } from './policy-schema.ts';
import { SYNONYMS as SYNONYM_TABLE, type Hit, type UnitSearch } from './search.ts';
import { eligibilityFromQuestion } from './eligibility.ts';

/** Everything the answerer needs, built once at start-up. */
export interface Knowledge {
  segmenter?: Segmenter;
  documents: PolicyDocument[];
  units: Unit[];
  search: UnitSearch;
  classifier: IntentClassifier;
}

/** Corpus words each policy intent implies, added to the query with a low weight. */
const INTENT_TERMS: Record<string, string[]> = {
  award_eligibility: ['条件', '申报'],
  award_amount: ['奖励'],
  award_validity: ['有效期'],
  award_procedure: ['程序', '申报', '报送'],
  publicity: ['公示'],
  spot_check: ['抽检', '不合格'],
  department_lookup: ['负责', '牵头'],
  target_lookup: ['目标'],
};

/** Words asking about the present, when a lapsed policy must be flagged first. */
const NOW_WORDS = /现在|目前|如今|当前|还能|还可以|还有效|还管用|还算数|还执行|还适用|今年|明年|今后|以后|still|now|currently|this year/i;

/** Intents that are conversation, not policy questions. */
export const CHAT_INTENTS = new Set(['greeting', 'help', 'thanks']);

/** Intents that need a chat session (handled by the dispatcher, not by a one-off question). */
export const SESSION_INTENTS = new Set(['subscribe', 'unsubscribe', 'award_register', 'award_list', 'precheck_start', 'profile_check', 'cancel']);

/** Words that carry no topic of their own once synonyms are applied. */
const GENERIC = new Set(
  ('公司 企业 我们 我司 咱们 单位 厂 厂家 老板 现在 目前 这个 那个 政策 规定 文件 方面 情况 问题 一下 具体 相关 可以 能否 是否 需要 需 要 有 '
    + '没 吗 呢 啥 哪 哪里 哪儿 几 多 多少 怎么 怎么办 怎样 如何 为什么 什么 谁 还 能 会 该 得 去 来 做 搞 弄 办 事 拿 给 说 讲 问 想 知道 了解 '
    + '请问 你好 麻烦 帮 帮忙 查 查查 看看 告诉 是不是 有没有 能不能 市 省 市里 省里 那边 这边 本地 当地 里面 上面 要求 标准 一般 大概 大约 左右 '
    + 'please tell me about there any much many does what when where which who whom how can could would should will is are was were the a an of to '
    + 'for in on at by with from do get got our my your its it this that these those they we you i have has had be been being')
    .split(' '),
);

/** The date as YYYY-MM-DD in the given time zone. */
export function isoDay(d: Date, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** Formats YYYY-MM-DD as a Chinese date. */
export function cnDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Removes layout spaces between Chinese text and numbers, and spells 千/万 amounts out in yuan. */
export function tidyFact(text: string): string {
  return text
    .replace(/(\d+(?:\.\d+)?)\s*千元/g, (_, n) => `${Math.round(Number(n) * 1000)}元`)
    .replace(/(\d+(?:\.\d+)?)\s*万元/g, (_, n) => `${Math.round(Number(n) * 10000)}元`)
    .replace(/([\u4e00-\u9fff（）])\s+(\d)/g, '$1$2')
    .replace(/(\d)\s+([\u4e00-\u9fff])/g, '$1$2')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** Renders one citation as a source line; a clause from another document is marked 另见 (see also). */
function sourceLine(c: Citation, first?: Citation): string {
  const label = first && first.title !== c.title && !sameFile(first.title, c.title) ? '另见' : '依据';
  return `${label}：《${c.title}》${c.article}：“${c.quote.replace(/\s*\n\s*/g, ' ')}”`;
}

/** Whether two titles name the same city's documents (the Kaiping plan and rules are cited together). */
function sameFile(a: string, b: string): boolean {
  return a.slice(0, 3) === b.slice(0, 3);
}

/** Builds a citation for a unit. */
export function citationOf(u: Unit): Citation {
  return { title: u.title, article: u.article, quote: u.text.replace(/\s*\n\s*/g, '\n') };
}

/** The validity warning for a document at the given date, or '' when it is in force or undated. */
export function validityWarning(doc: PolicyDocument | undefined, now: Date): string {
  if (!doc?.expires) return '';
  const today = isoDay(now);
  if (today <= doc.expires) return '';
  return `⚠️ 注意：《${doc.title}》${doc.validityNote ? `（${doc.validityNote}）` : ''}已于${cnDate(doc.expires)}到期，按提问日期${cnDate(today)}已过有效期，现行规定请向${contactOf(doc)}确认。`;
}

/** The office to contact about a document. */
export function contactOf(doc: PolicyDocument | undefined): string {
  if (!doc) return '当地市场监督管理局';
  if (doc.region === '四川省') return '四川省市场监督管理局';
  return doc.region ? `${doc.region}市场监督管理局` : '当地市场监督管理局';
}

/** Splits unit text into sentences (table rows into their columns). */
function sentencesOf(u: Unit): string[] {
  if (u.fields) return Object.entries(u.fields).filter(([, v]) => v).map(([k, v]) => `${k}：${v}`);
  return u.text
    .replace(/^(第[一二三四五六七八九十百]+条|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|\d{1,2}[.．、]?)\s*/, '')
    .split(/(?<=[。；;])|\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 1);
}

/** What kind of fact a question asks for. */
interface Ask {
  number: boolean;
  money: boolean;
  department: boolean;
  when: boolean;
  yesNo: boolean;
  list: boolean;
}

/** Reads what kind of fact the question wants. */
function askOf(q: string, intent: string): Ask {
  const lower = q.toLowerCase();
  return {
    number: /多少|几|比例|率|数量|how many|how much|what share|percentage|目标/.test(lower) || (intent === 'target_lookup' && !/谁|哪个部门|哪个单位|牵头|负责|who|which department/.test(lower)),
    money: /奖金|资助|多少钱|奖多少(?![个家项名种张件次期])|奖励多少(?![个家项名种张件次期])|补贴|补助|钱|how much|reward|bonus|money|prize|奖励金额|最少奖|最低奖|能拿多少|给多少(?![个家项名种张件次期])|奖几|补多少|收费|费用|多少费|fee/.test(lower) || intent === 'award_amount',
    department: /谁|哪个部门|哪个单位|哪个局|哪个处|哪些部门|哪些单位|部门|牵头|负责|找谁|who|which department|设在哪/.test(lower) || intent === 'department_lookup',
    when: /什么时候|何时|哪天|日期|几号|施行|生效|when/.test(lower),
    yesNo: /吗[?？]?$|能不能|可不可以|是否|有没有|can |is it|does /.test(lower),
    list: /哪些|哪几|什么目标|目标是什么|目标有|有什么|都有|列出|所有|全部|几项|targets|what are|which/.test(lower),
  };
}

/** Scores a sentence against the question. */
function scoreSentence(s: string, terms: Map<string, number>, search: UnitSearch, ask: Ask): number {
  let score = 0;
  for (const [t, w] of terms) if (s.toLowerCase().includes(t)) score += w * search.idf(t);
  if (ask.number && /\d/.test(s)) score += 1.5;
  if (ask.money && /元/.test(s)) score += 3;
  if (ask.department && /(局|处|部门|牵头|负责|单位|小组)/.test(s)) score += 1.5;
  if (ask.list && (s.match(/、/g) ?? []).length >= 2) score += 2;
  return score;
}

/** Departments named in a clause's closing parenthesis, as the plans attribute tasks. */
function departmentsOf(u: Unit): string | undefined {
  if (u.fields) {
    const keys = ['牵头单位', '指导单位', '责任单位', '配合单位', '相关单位'];
    const parts = keys.filter((k) => u.fields![k]).map((k) => `${k}：${u.fields![k]}`);
    return parts.length ? parts.join('；') : undefined;
  }
  const m = /[（(\[]([^（()）\[\]]*?(?:局|处|部|政府|协会|负责|单位|海关|委)[^（()）\[\]]*)[）)\]][。]?\s*$/.exec(u.text.trim());
  return m ? m[1] : undefined;
}

/** Builds the fact sentence for the top unit. */
function factFrom(u: Unit, terms: Map<string, number>, search: UnitSearch, ask: Ask, question: string): string {
  const sentences = sentencesOf(u);
  if (ask.department && !ask.number) {
    const deps = departmentsOf(u);
    if (deps && !/设在|组长|主任|担任|批准|解释|核查|受理/.test(question)) {
      const what = u.fields?.['工作措施'] ?? u.fields?.['工作内容'] ?? sentences[0] ?? '';
      return `${u.fields ? deps : `负责部门：${deps}`}（事项：${tidyFact(what).slice(0, 60)}）`;
    }
  }
  if (u.fields && ask.number) {
    const target = u.fields['工作目标'];
    if (target) return `工作目标：${tidyFact(target)}`;
  }
  // A clause's opening title ("全面整治民生领域计量器具。") names the topic; the sentences after it hold the facts.
  const titled = !u.fields && sentences.length > 1 && sentences[0].length <= 20;
  const ranked = sentences
    .map((s, i) => ({ s, i, score: scoreSentence(s, terms, search, ask) * (titled && i === 0 ? 0.4 : 1) }))
    .sort((a, b) => b.score - a.score || a.i - b.i);
  const best = ranked[0];
  if (!best) return tidyFact(u.text);
  if (/[：:]$/.test(best.s)) {
    // The sentence introduces a list: the items are the fact.
    return [best.s, ...sentences.slice(best.i + 1)].map(tidyFact).join(' ');
  }
  const picked = [best];
  if (ask.list && ask.number) {
    // A question for several targets: every figure-bearing sentence that matches well.
    for (const r of ranked.slice(1)) if (picked.length < 4 && /\d/.test(r.s) && r.score >= best.score * 0.6) picked.push(r);
  }
  const second = ranked[1];
  if (picked.length === 1 && second && second.score >= best.score * 0.85 && best.s.length < 80) picked.push(second);
  picked.sort((a, b) => a.i - b.i);
  if (picked.length === 1 && ask.number && !ask.list) {
    const clause = figureClause(best.s, u.text, terms, search, ask);
    if (clause) return clause;
  }
  return picked.map((p) => tidyFact(p.s)).join('');
}

/** The one clause of a long sentence that holds the asked figure, with the target year when the sentence gives one. */
function figureClause(sentence: string, unitText: string, terms: Map<string, number>, search: UnitSearch, ask: Ask): string | undefined {
  if (sentence.length < 50) return undefined;
  const clauses = sentence.split(/[，,；;]/).map((c) => c.trim()).filter(Boolean);
  if (clauses.length < 3) return undefined;
  const scored = clauses.map((c) => ({ c, score: scoreSentence(c, terms, search, ask) })).filter((x) => /\d/.test(x.c));
  scored.sort((a, b) => b.score - a.score);
  const [first, second] = scored;
  if (!first || (second && second.score >= first.score * 0.9)) return undefined;
  const span = /^(\d{4}\s*[-—－至]\s*\d{4}\s*年(底)?)/.exec(sentence)?.[1];
  const year = /(到|至)\s*(20\d{2})\s*年(底)?/.exec(sentence) ?? (span || /每年/.test(sentence) ? null : /(到|至)\s*(20\d{2})\s*年(底)?/.exec(unitText));
  let prefix = span && !first.c.includes(span) ? `${span}，` : year && !first.c.includes(year[2]) ? `${year[1] ?? '到'}${year[2]}年${year[3] ?? ''}，` : '';
  if (/每年/.test(sentence) && !/每年/.test(first.c)) prefix += '每年';
  return tidyFact(`${prefix}${first.c.replace(/^(其中|并|且|同时)/, '')}`);
}

/**
 * A plain yes or no to put first, when the question asks one and the clause says it outright. The deciding sentence is
 * the one holding the question's rarest word (印在产品包装上吗 → the sentence about 包装), and it joins the fact.
 */
function yesNoLead(q: string, u: Unit, fact: string, terms: Map<string, number>, search: UnitSearch, ask: Ask): string | undefined {
  if (!ask.yesNo || ask.number) return undefined;
  const sentences = sentencesOf(u);
  const inUnit = [...terms.entries()].filter(([t, w]) => w >= 1 && t.length >= 2 && !GENERIC.has(t) && sentences.some((x) => x.includes(t)));
  if (!inUnit.length) return undefined;
  const rarest = inUnit.sort((a, b) => search.idf(b[0]) - search.idf(a[0]))[0][0];
  const deciding = sentences.find((x) => x.includes(rarest))!;
  const withSentence = (lead: string) => (fact.includes(tidyFact(deciding)) ? lead : `${lead}${tidyFact(deciding)} `);
  const asksMay = /可以|能|可不可以|能不能|允许|行不行|算不算|认不认|can |may |allowed/i.test(q);
  if (/名额|限制|限额|上限/.test(q) && /不限/.test(deciding)) return withSentence('没有限制。');
  if (asksMay && /不得|不能|不予|禁止|严禁|不推荐/.test(deciding)) return withSentence('不可以。');
  if (asksMay && /(?<!不)(可以|可多项|可重新|可在|可|允许)/.test(deciding) && !/不得|不能|不予|禁止|严禁/.test(deciding)) return withSentence('可以。');
  return undefined;
}

/** Ends a sentence with a full stop if it has none (a trailing comma or semicolon becomes the full stop). */
function period(s: string): string {
  const t = s.replace(/[；;，,、：:\s]+$/, '');
  return /[。！？.!?]$/.test(t) ? t : `${t}。`;
}

/** Province names people use without 省. */
const PROVINCES = new Set(['广东', '浙江', '江苏', '福建', '山东', '湖南', '湖北', '河南', '河北', '海南', '江西', '安徽', '山西', '陕西', '辽宁', '吉林', '黑龙江', '云南', '贵州', '甘肃', '青海', '台湾']);

/** The reply when the corpus does not cover a question. */
export function notCovered(question: string, intent: string, entities: Entities, reason?: string): PolicyAnswer {
  const place = entities.otherPlaces[0];
  const province = place && (/省$/.test(place) || PROVINCES.has(place));
  const office = place ? `${place.replace(/[省市]$/, '')}${province ? '省' : '市'}市场监督管理局` : entities.regions[0] ? `${entities.regions[0]}市场监督管理局` : '当地市场监督管理局（开平企业可咨询开平市市场监督管理局）';
  const scope = '开平市水暖卫浴质量提升工作方案与产品质量优秀奖评审管理办法、中山市工业产品质量提升三年行动计划、汕头市2013年质量发展重点行动计划、四川省重点消费品质量提升专项行动计划、江门市质量认证体系建设实施方案';
  const lead = place ? `现有政策库未收录${place}的相关政策` : reason ?? '现有政策库没有涉及这个问题的条款';
  return {
    question,
    intent,
    found: false,
    answer: `抱歉，${lead}，我不便猜测。建议咨询${office}。\n目前可查询的文件：${scope}。`,
    citations: [],
  };
}

/** Answers one policy question at the given date; never throws (an internal error becomes a polite not-found reply). */
export function answerQuestion(k: Knowledge, rawQuestion: string, now: Date): PolicyAnswer {
  try {
    return answerOrThrow(k, rawQuestion, now);
  } catch (err) {
    if (process.env.DEBUG_ANSWER) process.stderr.write(`answer failed: ${(err as Error).stack}\n`);
    return { question: rawQuestion, intent: 'error', found: false, answer: '抱歉，处理这个问题时出了点问题，请换个说法再问一次，或咨询当地市场监督管理局。', citations: [] };
  }
}

/** The body of answerQuestion. */
function answerOrThrow(k: Knowledge, rawQuestion: string, now: Date): PolicyAnswer {
  const question = rawQuestion;
  const q = normalizeText(rawQuestion);
  if (!q) {
    return { question, intent: 'empty', found: false, answer: '您好，请直接输入您想了解的政策问题，例如“优秀奖奖金多少”或“江门管理体系认证目标是多少”。', citations: [] };
  }
  const guess = k.classifier.classify(q);
  const intent = guess.intent;
  const entities = extractEntities(q);
  const terms = k.search.queryTerms(q);
  for (const t of INTENT_TERMS[intent] ?? []) if (!terms.has(t)) terms.set(t, 0.5);
  const ask = askOf(q, intent);

  if (CHAT_INTENTS.has(intent) && guess.confidence > 0.6 && q.length <= 12) {
    return { question, intent, found: false, answer: chatReply(intent), citations: [] };
  }
  if (entities.otherPlaces.length && !entities.regions.length) return notCovered(question, intent, entities);
  const foreign = foreignTopics(k, q);
  const yearMiss = missingYear(k, q, entities);
  if (yearMiss) return notCovered(question, intent, entities, yearMiss);

  const regions = entities.awards.includes('优秀奖') && !entities.regions.includes('开平市') ? [...entities.regions, '开平市'] : entities.regions;
  const regionFilter = regions.length ? (u: Unit) => regions.includes(u.region) : undefined;
  const hits = phraseBoost(sentenceBoost(rerank(k.search.search(terms, 12, regionFilter), intent, entities, ask, q), terms, k.search, ask), k, q);

  // Money: only the Kaiping excellence award states an amount.
  const otherAward = entities.awards.filter((a) => a !== '优秀奖');
  const wantsAmount = ask.money && (/多少|几|how much|金额|奖励标准|补贴标准|怎么算|计算|最少|最低|最多/.test(q.toLowerCase()) || (entities.times !== undefined && /奖金|奖励|钱|reward|bonus/.test(q.toLowerCase())));
  if (wantsAmount) {
    const kaiping = !entities.regions.length || entities.regions.includes('开平市');
    const aboutAward = entities.awards.includes('优秀奖') || (!otherAward.length && /奖金|奖励|奖|award|reward|bonus|prize|合格/.test(q.toLowerCase()) && !/补贴|补助|资助/.test(q));
    if (kaiping && aboutAward && !otherAward.length && foreign.length === 0) return awardAmount(k, question, intent, entities, now);
    const what = otherAward[0] ? `${otherAward[0]}的奖励金额` : '这项补贴或奖励的具体金额';
    return notCovered(question, intent, entities, `现有政策文件没有规定${what}`);
  }
  const aboutAwardItself = /优秀奖|获奖|奖项|award/.test(q) && !/办法|文件|政策|规定|方案|计划|policy|rules/.test(q);
  if ((!aboutAwardItself || /still valid|in force|scheme|还管用|还执行|作废|失效/.test(q)) && /还有效|有效吗|过期|失效|废止|作废|还能用吗|还管用|还算数|还执行|还适用|施行|生效|实施的|开始实施|still valid|in force|expired|有效期/.test(q)) {
    const v = policyValidity(k, question, intent, q, entities, hits, now);
    if (v) return v;
  }

  const kaipingAward = (!entities.regions.length || entities.regions.includes('开平市')) && !otherAward.length;
  const aboutApplying = /优秀奖|评|申报|申请|报名|能报|参评|获奖|拿奖|奖|apply|award|eligible/i.test(q);
  if (kaipingAward && aboutApplying && (entities.awards.includes('优秀奖') || /^(award_|precheck|profile|spot_check)/.test(intent)) && (ask.yesNo || /够不够|够吗|行不行|符不符合|符合吗|能评|能报|能申|can we|eligible/i.test(q))) {
    const e = eligibilityFromQuestion(q, now);
    if (e) {
      const lines = [period(e.fact), ...e.citations.map((c) => sourceLine(c, e.citations[0]))];
      const warn = validityWarning(k.documents.find((d) => d.id === e.document), now);
      if (warn) lines.push(warn);
      return { question, intent, found: true, answer: lines.join('\n'), citations: e.citations };
    }
  }
  const topics = significantTerms(terms);
  const top = hits[0];
  if (process.env.DEBUG_ANSWER) process.stderr.write(`${JSON.stringify({ q, foreign, hits: hits.slice(0, 4).map((h) => [h.unit.article, +h.score.toFixed(2)]) })}\n`);
  if (!top || !covers(k, topics, top, foreign)) {
    return notCovered(question, intent, entities, foreign.length ? `现有政策文件没有涉及“${foreign[0]}”的条款` : undefined);
  }

  const citations: Citation[] = [citationOf(top.unit)];
  const second = hits[1];
  if (second && second.unit.docId === top.unit.docId && second.score >= top.score * 0.8 && second.unit.article !== top.unit.article && !top.unit.article.startsWith(second.unit.article)) {
    citations.push(citationOf(second.unit));
  }
  if (!regions.length) {
    // No place named: a close match in another document is shown too, since the owner may mean either city.
    const other = hits.find((h) => h.unit.docId !== top.unit.docId && h.unit.region !== top.unit.region);
    if (other && other.score >= top.score * 0.85 && covers(k, topics, other, foreign)) citations.push(citationOf(other.unit));
  }
  let fact = factFrom(top.unit, terms, k.search, ask, q);
  const lapsedNow = NOW_WORDS.test(q) && Boolean(validityWarning(k.documents.find((d) => d.id === top.unit.docId), now));
  const verdict = yesNoLead(q, top.unit, fact, terms, k.search, ask);
  // A policy that has lapsed gets no plain "可以" about the present: the warning comes first, then what it said.
  if (verdict && !(lapsedNow && verdict.startsWith('可以'))) fact = `${verdict}${fact}`;
  else if (lapsedNow) fact = `按原文件的规定：${fact}`;
  if (/不合格|没过|没通过/.test(q) && /(能|可以|可不可以|还能|能否|影响)/.test(q) && /评|奖|申报|申请|报/.test(q) && (!entities.regions.length || entities.regions.includes('开平市'))) {
    // A failed spot check bars the award: the rules' condition and the plan's one-year ban together.
    const cond = k.units.find((u) => u.docId === 'kaiping-award' && u.article === '第五条（三）');
    const ban = k.units.find((u) => u.docId === 'kaiping-plan' && u.article === '三、（十）2');
    if (cond && ban) {
      citations.splice(0, citations.length, citationOf(cond), citationOf(ban));
      fact = '不能。申报优秀奖要求近3年内同类产品抽检连续3次以上合格且没有不合格记录；而且抽检不合格的企业一年内不得参与（不推荐参与）各类评奖';
    }
  }
  const doc = k.documents.find((d) => d.title === citations[0].title) ?? k.documents.find((d) => d.id === top.unit.docId);
  const lines = [period(fact), ...citations.map((c) => sourceLine(c, citations[0]))];
  const warn = validityWarning(doc, now);
  // Asked about now ("现在还能申请吗"): the lapse is the first thing to say.
  if (warn && NOW_WORDS.test(q)) lines.unshift(warn);
  else if (warn) lines.push(warn);
  return { question, intent, found: true, answer: lines.join('\n'), citations };
}

/** A figure with its unit, as targets state them ("300家", "95%", "7500张"). */
const QUANTITY = /\d+(\.\d+)?\s*(家|个|项|种|名|%|次|张|件|期|年|天|元|千|万)/g;

/** Re-ranks hits with priors: award questions prefer the award rules, number questions prefer clauses with figures. */
function rerank(hits: Hit[], intent: string, e: Entities, ask: Ask, q: string): Hit[] {
  const awardTopic = (/^(award_|publicity)/.test(intent) || e.awards.includes('优秀奖')) && (!e.regions.length || e.regions.includes('开平市')) && !e.awards.some((a) => a !== '优秀奖');
  const scored = hits.map((h) => {
    let score = h.score;
    if (awardTopic && h.unit.docId === 'kaiping-award') score *= 1.4;
    if (ask.number) score *= 1 + 0.08 * Math.min(6, (h.unit.text.match(QUANTITY) ?? []).length);
    if (ask.department && (h.unit.fields || /[（(][^（()）]*(局|处|部门|政府)[^（()）]*[）)]。?$/.test(h.unit.text.trim()))) score *= 1.1;
    if (/问题.*(找|反映)|有问题找|遇到问题/.test(q) && h.unit.kind === 'notice') score *= 2;
    return { ...h, score };
  });
  return scored.sort((a, b) => b.score - a.score);
}

/** Adds a bonus for each pair of adjacent question words that the unit contains as one phrase ("抽检计划"). */
function phraseBoost(hits: Hit[], k: Knowledge, q: string): Hit[] {
  if (!k.segmenter) return hits;
  const words = k.segmenter.words(q).filter((w) => /[\u4e00-\u9fff]/.test(w) && !GENERIC.has(w));
  const phrases: { p: string; w: number }[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    if (words[i].length + words[i + 1].length < 3) continue;
    phrases.push({ p: words[i] + words[i + 1], w: k.search.idf(words[i]) + k.search.idf(words[i + 1]) });
  }
  if (!phrases.length) return hits;
  return hits
    .map((h) => {
      const text = h.unit.text.replace(/\s+/g, '');
      const bonus = phrases.filter((x) => text.includes(x.p)).reduce((a, x) => a + x.w, 0);
      return bonus ? { ...h, score: h.score + 0.5 * bonus } : h;
    })
    .sort((a, b) => b.score - a.score);
}

/** Adds the best sentence's match to each unit's score, so a dense sentence beats a long clause that mentions everything once. */
function sentenceBoost(hits: Hit[], terms: Map<string, number>, search: UnitSearch, ask: Ask): Hit[] {
  return hits
    .map((h) => {
      let best = 0;
      for (const s of sentencesOf(h.unit)) best = Math.max(best, scoreSentence(s, terms, search, ask));
      return { ...h, score: h.score + 0.5 * best };
    })
    .sort((a, b) => b.score - a.score);
}

/** Colloquial words whose absence from the corpus is expected. */
const COLLOQUIAL = new Set(['奖金', '钱', '补贴', '补助', '过期', '失效', '公示期', '几年', '多久', '门槛', '资格', '申请', '报名', '注册', '成立',
  '纳税证明', '完税证明', '没过', '抽捡', '优秀将', '公式期', '公式', '拿到', '能拿', '最少', '最低', '最多', '一共', '总共', '合格', '获奖', '评上',
  '客户', '老板', '厂子', '工厂', '水龙头', '龙头', '花洒', '卫浴', '产品', '名额', '后果', '影响', '收费', '免费', '费用', '资料', '材料', '证书',
  '奖牌', '结果', '记录', '时间', '日期', '期限', '年限', '次数', '数量', '多少家', '目标', '指标', '任务', '措施', '内容', '作用', '意思', '区别', '比例', '时候', '怎么回事', '级别', '要求', '条件', '算数', '算不算', '认不认', '这一步', '一步', '步骤', '流程', '环节']);

/** Part-of-speech tags of words that name a topic. */
const TOPIC_TAGS = new Set(['n', 'nz', 'j', 'vn', 'nt', 'l']);

/** Weight of a topic word the corpus never uses, against the idf of the words it does know. */
const FOREIGN_WEIGHT = 6;

/** Topic words in the question that the corpus never uses (社保, 个税, 最低工资 …), with their unknown parts. */
export function foreignTopics(k: Knowledge, q: string): string[] {
  const out: string[] = [];
  const english = q.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  const cjk = q.match(/[\u4e00-\u9fff]/g) ?? [];
  if (english.length >= 3 && english.length * 2 > cjk.length) {
    const content = english.filter((w) => !GENERIC.has(w) && !/^(kaiping|zhongshan|shantou|sichuan|jiangmen)$/.test(w));
    if (!content.some((w) => SYNONYM_TABLE[w]?.length)) out.push(...content);
  }
  if (!k.segmenter) return out;
  for (const { word, tag } of k.segmenter.tagged(q, false)) {
    if (!TOPIC_TAGS.has(tag) || GENERIC.has(word) || COLLOQUIAL.has(word) || word in SYNONYM_TABLE) continue;
    if (!/^[\u4e00-\u9fff]{2,}$/.test(word) || /^(开平|中山|汕头|四川|江门|水口)/.test(word)) continue;
    if (k.search.knows(word)) continue;
    const parts = k.segmenter.terms(word).filter((p) => p.length >= 2 && p !== word);
    const covered = new Set<number>();
    for (const p of parts) {
      if (!k.search.knows(p) && !COLLOQUIAL.has(p)) continue;
      const at = word.indexOf(p);
      for (let i = at; i >= 0 && i < at + p.length; i++) covered.add(i);
    }
    if (covered.size / word.length >= 0.6) continue;
    out.push(word);
  }
  return [...new Set(out)];
}

/** A reason to decline when the question names a plan year the region's documents do not cover. */
function missingYear(k: Knowledge, q: string, e: Entities): string | undefined {
  const m = /((?:19|20)\d{2})\s*年?.{0,10}(计划|方案|办法|文件|政策)/.exec(q);
  if (!m || e.regions.length !== 1) return undefined;
  const year = m[1];
  const docs = k.documents.filter((d) => d.region === e.regions[0]);
  const covered = docs.some((d) => d.title.includes(year) || (d.effective && d.expires && d.effective.slice(0, 4) <= year && year <= d.expires.slice(0, 4)) || d.issued?.startsWith(year));
  if (covered || !docs.length) return undefined;
  return `现有政策库没有${e.regions[0]}${year}年的相关文件（已收录：${docs.map((d) => `《${d.title}》`).join('、')}）`;
}

/** The query's topic terms (from its weighted search terms): no expansions, generic words, numbers or place names. */
function significantTerms(terms: Map<string, number>): string[] {
  const places = /开平|中山|汕头|四川|江门|水口/;
  return [...terms.entries()]
    .filter(([t, w]) => w >= 1 && t.length >= 2 && !GENERIC.has(t) && !places.test(t) && !/\d|^[一二两三四五六七八九十]+[次年个家项]$/.test(t) && !/^[a-z]{1,2}$/.test(t))
    .map(([t]) => t);
}

/**
 * Whether the top hit answers the question: its clause covers half of the question's topic weight, or its clause a
 * third and its whole document three quarters (an owner's extra context words rarely sit in the one clause).
 */
function covers(k: Knowledge, topics: string[], hit: Hit, foreign: string[]): boolean {
  const unit = coverage(k, topics, hit.unit.text + ' ' + hit.unit.heading + ' ' + hit.unit.title, foreign);
  if (unit >= 0.5) return true;
  if (unit < 0.3) return false;
  const docText = k.units.filter((u) => u.docId === hit.unit.docId).map((u) => u.text).join(' ');
  return coverage(k, topics, `${docText} ${hit.unit.title}`, foreign) >= 0.75;
}

/** Share of the question's known topic weight that the text covers, counting synonyms. */
function coverage(k: Knowledge, terms: string[], covered: string, foreign: string[] = []): number {
  const text = covered.toLowerCase();
  let total = 0;
  let got = 0;
  for (const t of terms) {
    const syn = SYNONYM_TABLE[t] ?? [];
    if (!k.search.knows(t) && !syn.length) continue;
    const w = k.search.knows(t) ? k.search.idf(t) : 2;
    total += w;
    if (text.includes(t) || syn.some((s) => text.includes(s))) got += w;
  }
  for (const f of foreign) if (!terms.includes(f) || !k.search.knows(f)) total += FOREIGN_WEIGHT;
  return total ? got / total : 0;
}

/** The award amount, computed for a stated number of passed inspections. */
function awardAmount(k: Knowledge, question: string, intent: string, e: Entities, now: Date): PolicyAnswer {
  const unit = k.units.find((u) => u.docId === 'kaiping-award' && u.article === '第七条');
  if (!unit) return notCovered(question, intent, e);
  const doc = k.documents.find((d) => d.id === unit.docId);
  const n = e.times;
  let fact: string;
  const citations = [citationOf(unit)];
  if (n !== undefined && n >= 3) {
    fact = `检验合格${n}次可获奖励${(3000 * n).toLocaleString('en-US').replace(/,/g, '')}元（3000元 × ${n}次 = ${3000 * n}元）。每检验合格一次奖励3000元（原文“3千元”），每家获奖企业最少奖励9000元（原文“9千元”）。`;
  } else if (n !== undefined) {
    const cond = k.units.find((u) => u.docId === 'kaiping-award' && u.article === '第五条（三）');
    if (cond) citations.unshift(citationOf(cond));
    fact = `合格${n}次还不够申报：申报条件要求近3年内连续3次以上（含3次）抽检合格，所以暂时拿不到奖励。达到条件后，每检验合格一次奖励3000元，每家最少9000元。`;
  } else {
    fact = '每检验合格一次奖励3000元（原文“3千元”），每家获奖企业最少奖励9000元（原文“9千元”，即至少3次），合格次数越多奖励越多；另颁发奖牌和证书。';
  }
  const lines = [fact, ...citations.map((c) => sourceLine(c, citations[0]))];
  const warn = validityWarning(doc, now);
  if (warn) lines.push(warn);
  return { question, intent: 'award_amount', found: true, answer: lines.join('\n'), citations };
}

/** Answers whether a policy is still in force, judged at the date of asking. */
function policyValidity(k: Knowledge, question: string, intent: string, q: string, e: Entities, hits: Hit[], now: Date): PolicyAnswer | undefined {
  let doc: PolicyDocument | undefined;
  if (/优秀奖|评审|办法/.test(q) || (!e.regions.length && !hits.length)) doc = k.documents.find((d) => d.id === 'kaiping-award');
  if (!doc && e.regions.includes('开平市')) doc = k.documents.find((d) => d.id === (/方案/.test(q) ? 'kaiping-plan' : 'kaiping-award'));
  if (!doc && e.regions.length) doc = k.documents.find((d) => d.region === e.regions[0]);
  if (!doc && hits[0]) doc = k.documents.find((d) => d.id === hits[0].unit.docId);
  if (!doc) return undefined;
  if (/优秀奖/.test(q) && /有效期/.test(q) && !/办法|文件|政策/.test(q)) return undefined; // the award's own 3-year validity
  const today = isoDay(now);
  const units = k.units.filter((u) => u.docId === doc!.id);
  const clause = units.find((u) => /施行|有效期\s*\d/.test(u.text) && u.kind !== 'notice') ?? units.find((u) => u.kind === 'notice') ?? units.find((u) => u.kind === 'preamble') ?? units[0];
  let fact: string;
  if (doc.issued && today < doc.issued) {
    fact = `按提问日期${cnDate(today)}，《${doc.title}》尚未印发（印发日期为${cnDate(doc.issued)}）。`;
  } else if (doc.expires && today > doc.expires) {
    fact = `已过有效期。《${doc.title}》${doc.effective ? `自${cnDate(doc.effective)}起施行，` : ''}${doc.validityNote ? `${doc.validityNote}，` : ''}已于${cnDate(doc.expires)}到期；按提问日期${cnDate(today)}判断已失效，现行规定请向${contactOf(doc)}确认。`;
  } else if (doc.expires) {
    fact = `仍在有效期内。《${doc.title}》有效期至${cnDate(doc.expires)}（按提问日期${cnDate(today)}判断）。`;
  } else {
    fact = `《${doc.title}》${doc.issued ? `于${cnDate(doc.issued)}印发，` : ''}文件没有写明有效期${doc.validityNote ? `（${doc.validityNote}）` : ''}，是否仍在执行请向${contactOf(doc)}确认。`;
  }
  return { question, intent: 'policy_validity', found: true, answer: [fact, sourceLine(citationOf(clause))].join('\n'), citations: [citationOf(clause)] };
}

/** Canned replies for conversational intents. */
export function chatReply(intent: string): string {
  switch (intent) {
    case 'greeting':
      return '您好！我是政策助手，可以回答开平、中山、汕头、四川、江门的产品质量政策问题，每个回答都附文件和条款原文。发送“帮助”查看用法。';
    case 'thanks':
      return '不客气！还有其他政策问题随时问我。';
    default:
      return HELP_TEXT;
  }
}

/** The help text listing what the bot can do. */
export const HELP_TEXT = [
  '我可以帮您：',
  '1. 查政策：直接提问，如“优秀奖奖金多少”“江门管理体系认证目标多少家”“中山首席质量官谁牵头”；',
  '2. 预检开平水暖卫浴产品质量优秀奖申报条件：发送 /precheck 或“我们能评优秀奖吗”；',
  '3. 订阅公示和到期提醒：发送 /subscribe（可加标签，如 /subscribe 水口镇），退订发送 /unsubscribe；',
  '4. 登记获奖日期以便到期提醒：发送 /award 2024-03-01，查看发送 /awards。',
  '其他命令：/cancel 取消预检，/back 修改上一题，/forget 删除企业资料。',
].join('\n');
