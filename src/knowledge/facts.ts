/** Typed facts found in a clause at ingest: amounts, durations, dates, cadences, quotas, thresholds, bodies, prohibitions. */

import type { Unit } from './policy-schema.ts';

/** Splits unit text into sentences (table rows into their columns), without the clause's own number. */
export function sentencesOf(u: Pick<Unit, 'text' | 'fields'>): string[] {
  let cached = SENTENCES.get(u);
  if (!cached) SENTENCES.set(u, (cached = splitSentences(u)));
  return cached;
}

/** Sentences of each unit object, split once. */
const SENTENCES = new WeakMap<object, string[]>();

/** The body of sentencesOf. */
function splitSentences(u: Pick<Unit, 'text' | 'fields'>): string[] {
  if (u.fields) return Object.entries(u.fields).filter(([, v]) => v).map(([k, v]) => `${k}：${v}`);
  return u.text
    .replace(/^(第[一二三四五六七八九十百]+条|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|\d{1,2}[.．、]?)\s*/, '')
    .split(/(?<=[。；;])|\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 1)
    .reduce<string[]>((out, s) => {
      // A short title sentence ("（三）材料评审。") belongs with the sentence that follows it.
      const prev = out[out.length - 1];
      if (prev !== undefined && prev.length <= 12 && /。$/.test(prev) && !/[，,]/.test(prev)) out[out.length - 1] = prev + s;
      else out.push(s);
      return out;
    }, []);
}

/** The kinds of fact a user asks for. */
export type FactType = 'amount' | 'duration' | 'date' | 'deadline' | 'cadence' | 'quota' | 'threshold' | 'percent' | 'count' | 'body' | 'place' | 'submit' | 'prohibition' | 'permission' | 'contact';

/** One typed fact: what it says, and the sentence and clause of the unit that hold it. */
export interface Fact {
  type: FactType;
  /** The matched words, as the document writes them ("3千元", "有效期为3年"). */
  text: string;
  /** Index of the sentence in `sentencesOf(unit)`. */
  sentence: number;
  /** The comma-delimited clause that holds the fact. */
  clause: string;
  /** A numeric value where the fact has one (yuan for amounts, days/years for durations, the count for quotas). */
  value?: number;
  /** For amounts stated per unit ("每检验合格一次…3千元"): the unit counted (次). */
  per?: string;
  /** For amounts: a floor ("最少", "不低于") or a ceiling ("最高", "不高于", "不超过"). */
  bound?: 'min' | 'max';
  /** For where materials are sent: the sender is an office passing on what it received, not the applicant. */
  relay?: boolean;
  /** For where materials are sent: through an online system, not to an office. */
  online?: boolean;
}

const DIGIT = '\\d+(?:\\.\\d+)?';
const CN = '[零〇一二两三四五六七八九十百千]+';
const NUM = `(?:${DIGIT}|${CN})`;

/** Chinese numerals up to the thousands, or Arabic digits, as a number. */
export function numberOf(s: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const digits: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
  const units: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
  let total = 0;
  let cur = 0;
  for (const ch of s) {
    if (ch in digits) cur = digits[ch];
    else if (ch in units) {
      total += (cur || 1) * units[ch];
      cur = 0;
    } else return undefined;
  }
  return total + cur;
}

/** Yuan in an amount written as "3千元", "100万元", "1.5亿元" or "9000元". */
function yuan(n: string, scale: string): number | undefined {
  const v = numberOf(n);
  if (v === undefined) return undefined;
  const f: Record<string, number> = { '': 1, 千: 1000, 万: 10_000, 亿: 100_000_000 };
  return Math.round(v * (f[scale] ?? 1));
}

/** Body names: departments, offices, committees, groups, associations, governments. */
const BODY = /[^\s\d的由和与及对在向经为是将把被等奖励，。；、（）()：:“”"|｜]{1,10}(?:局|委员会|办公室|领导小组|小组|协会|商会|人民政府|政府|财政|中心|海关|部门|管委会|总队|支队|检验所|研究所|研究院|质检院|检验站|监督站|[\u4e00-\u9fff]{2}处(?![理置罚分]))(?![长员])|[^\s\d的和与及对在向经为是将把被等，。；、（）()：:“”"|｜]{0,8}?(?:副市长|市长|副局长|局长|主任|组长|负责人|法定代表人)/g;

/** Where a destination ends: an office, a window, an online system, a mailbox, a township or park ("向所在镇（街道）提出申请"). */
const DEST_END = '(?:局|处|科|股|室|中心|窗口|大厅|办公室|部门|政府|委员会|协会|商会|系统|平台|网站|服务网|邮箱|院|所|站|小组|镇|街道|园区|开发区)';
/** A destination: the words up to its last office or system word, within one clause, with an address in brackets after it. */
const DEST = `(?:[^，。；;：:\\s由的并和及或（()）]|[（(][^（()）]{1,6}[）)]){1,36}${DEST_END}(?:[（(][^（()）]{2,60}[）)])?|[\\w.-]+@[\\w.-]+\\.[a-z]{2,}`;

/**
 * Where materials are sent, as notices write it: a sending verb and its destination ("报送所在区、县（市）市场监督管理局",
 * "报送至…标准化处（地址）", "发送至…@…"), "向…部门提交", an online system ("通过…系统在线填报", "网上申报"), or a
 * labelled place ("受理地点：…"). Whose sending it is (an applicant's, or an office forwarding what it received) is read
 * when answering.
 */
const SUBMIT = new RegExp(
  [
    `(?:报送|递交|提交|上交|送交|送达|寄送|邮寄|发送|上报)(?:[^，。；;：:\\s]{0,16}?(?:至|到|给))?(?:${DEST})`,
    `(?:交至|交到|交给|报至|送至|送到|寄至|寄到|寄往|送往|发至)(?:${DEST})`,
    `向(?:${DEST})(?:[或及和](?:${DEST}|${DEST_END}))*(?:提交|报送|递交|申报|申请|报名|提出)`,
    `(?:通过|登录|登陆|登入|进入|在)[^，。；;：:\\s]{2,30}?(?:系统|平台|网站|服务网|小程序|APP|App)(?:(?!下载)[^，。；;]){0,10}?(?:申报|填报|提交|报送|上传)`,
    // ("网上提交成功后" dates the next step; it names no way of sending.)
    '(?:网上|在线|线上)(?:申报|填报|提交|报送)(?!成功|完成|之?后)',
    // (申报单位, 申请单位 name the applicant: "申报单位为标准第一起草单位" says who applies, not where.)
    '(?:(?:受理|报送|申报|递交|提交|寄送|邮寄|收件)(?:地点|地址|窗口|邮箱)|(?:受理|收件)(?:单位|部门))(?:为|是|在|[:：])\\s*[^。；;\\n]{2,60}',
  ].join('|'),
  'g',
);

/** A sentence whose subject is an office ("各区、县（市）市场监督管理局负责…", "市市场监督管理局组织…"), not an applicant. */
const OFFICE_SUBJECT = /^(?:各|由)?[^，,。；;：:\s向的将把对在与和及可应须需请登通]{0,14}?(?:局|政府|部门|委员会|办公室|管委会|领导小组|工作专班)(?![\u4e00-\u9fff]{0,2}(?:提交|报送|递交|申报|申请))/;

/** A submission made online ("通过…系统在线填报", "网上申报", "发送至…@…"). */
const ONLINE = /系统|平台|网站|服务网|小程序|APP|App|网上|在线|线上|@/;

const DAY = '\\d{4}\\s*年\\s*\\d{1,2}\\s*月\\s*\\d{1,2}\\s*日';
const CLOCK = '\\d{1,2}\\s*[:：]\\s*\\d{2}';
/** An application window, closing on its last day: "申报时间：2026年5月15日至2026年6月19日17:00", "受理期限为…至…". */
const WINDOW = `(?:申报|受理|申请|报名|征集|推荐|报送)(?:截止)?(?:时间|期限|日期)\\s*(?:[:：]|为|是)?\\s*(?:(?:自|从)?\\s*${DAY}(?:\\s*${CLOCK})?\\s*(?:至|到|起至|—|–|-|~|～)\\s*)?${DAY}(?:\\s*${CLOCK})?`;

/** Words every body name ends with (BODY's alternatives): a sentence without any of them names no body. */
const BODY_WORDS = /局|委员会|办公室|小组|协会|商会|政府|财政|中心|海关|部门|管委会|总队|支队|所|院|站|处|市长|主任|组长|负责人|法定代表人/;

interface Pattern {
  type: FactType;
  re: RegExp;
  /** Words every match contains: a sentence without any of them is not scanned (ingest runs every pattern on every sentence). */
  needs?: RegExp;
  value?: (m: RegExpExecArray) => number | undefined;
}

/** Fact patterns, most specific first; a clause may hold several facts. */
const PATTERNS: Pattern[] = [
  // ("每年3月31日前" is a yearly deadline, not a cadence.)
  { type: 'cadence', needs: /每|届|年度奖/, re: new RegExp(`每(?:${NUM})?(?:个)?(?:年|季度|月|半年)(?!\\s*\\d{1,2}\\s*月\\s*\\d{1,2}\\s*日)(?:评选|评审|开展|组织|举办|评)?(?:一届|一次|${NUM}次)?|${NUM}年(?:评选|评审|举办)?一届|年度奖`, 'g') },
  { type: 'deadline', re: new RegExp(`${NUM}个?工作日(?:内)?|(?:截止|截至)(?:时间|日期)?(?:为|是|到)?\\s*${DAY}|${WINDOW}|(?:于|在)\\s*${DAY}(?:\\s*${CLOCK})?\\s*(?:前|之前|以前)|(?:于|在)?\\s*每年\\s*\\d{1,2}\\s*月\\s*\\d{1,2}\\s*日\\s*(?:前|之前|以前)`, 'g'), value: (m) => numberOf(/^(\S+?)个?工作日/.exec(m[0])?.[1] ?? '') },
  { type: 'date', needs: /年/, re: /\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|(?:到|至|截至|截止)?\s*\d{4}\s*年(?:底|前|以前|之前)?(?![\d-])/g },
  // A day of every year ("每年3月31日前"): a date with no year of its own.
  { type: 'date', re: /(?<!\d\s*年\s*)(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*日(?:前|以前|之前)?/g },
  // A part of every year ("每年第一季度", "一季度", "上半年", "3月底前", "每年4月"): a window with no day of its own.
  { type: 'date', needs: /季度|半年|月/, re: /(?:第[一二三四1-4]|(?<![每第\d一二三四五六七八九十])[一二三四1-4])\s*季度(?:末|初|内|前|以前|之前)?|[上下]半年(?:内|前)?|(?<!\d\s*年\s*)(?<![\d.])\d{1,2}\s*月(?:底|末|中旬|上旬|下旬|初)(?:前|以前|之前)?|(?<=每年\s*)\d{1,2}\s*月(?:份)?(?![\d\s]*[日号])/g },
  { type: 'duration', needs: /[年月天日]/, re: new RegExp(`(?:有效期|期限|期)(?:为|是)?\\s*${NUM}\\s*(?:年|个月|天|日)|${NUM}\\s*(?:个)?(?:年|个月|天|日)(?!规划|计划|行动|远景)(?:内|以上|以下|的?有效期)?`, 'g'), value: (m) => numberOf(new RegExp(`(${NUM})`).exec(m[0])?.[1] ?? '') },
  { type: 'amount', needs: /元/, re: new RegExp(`(${DIGIT}|${CN})\\s*(千|万|亿)?元`, 'g'), value: (m) => yuan(m[1], m[2] ?? '') },
  // ("不限获奖企业家数": no limit is the answer to how many may win, so it is a quota, with no value.)
  { type: 'quota', needs: /最多|不超过|不多于|限|名额|以内/, re: new RegExp(`(?:最多|不超过|不多于|限|名额)(?:为)?\\s*${NUM}\\s*(?:个|家|名|项|位|人)|${NUM}\\s*(?:个|家|名|项)以内|不限[\\u4e00-\\u9fff]{0,6}?(?:家数|名额|数量|人数|个数|数目)`, 'g'), value: (m) => (m[0].startsWith('不限') ? undefined : numberOf(new RegExp(`(${NUM})`).exec(m[0])?.[1] ?? '')) },
  { type: 'threshold', needs: /分/, re: new RegExp(`${NUM}\\s*分(?:以上|及以上|以下)?`, 'g') },
  { type: 'percent', needs: /[%％]|百分之/, re: /\d+(?:\.\d+)?\s*[%％]|百分之[零一二三四五六七八九十百]+/g },
  { type: 'count', re: new RegExp(`${NUM}\\s*(?:家|个|项|种|名|张|件|次|期|批|条|所|人|座|台|户|份)(?:以上)?`, 'g'), value: (m) => numberOf(new RegExp(`(${NUM})`).exec(m[0])?.[1] ?? '') },
  // Where materials are sent (see SUBMIT): "报送所在区、县（市）市场监督管理局", "向所在区市场监督管理部门提交".
  { type: 'submit', re: SUBMIT },
  // Where something is: "设在水口水暖卫浴创新中心", "位于…", "地点为…".
  { type: 'place', needs: /设在|设于|位于|落户|建在|地点|地址|located /, re: /(?:设在|设于|位于|落户(?:在|于)?|建在|地点(?:为|是|在)|地址(?:为|是|在)|located (?:in|at))[^，。；,;（()]{2,30}/g },
  // A phone number, with or without its label ("联系电话：0573-82345678").
  { type: 'contact', needs: /\d/, re: /(?:联系|咨询|服务|监督)?(?:电话|热线|传真)\s*[:：]?\s*[(（]?\d{3,4}[)）-]?\s*\d{7,8}|(?<!\d)(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9})(?!\d)/g },
  { type: 'prohibition', re: /不得|不予|不收取|禁止|严禁|不能|不推荐|取消其?|撤销/g },
  { type: 'permission', re: /(?<!不)(?:可以|可重新|可多项|可在|允许|可)(?!能)/g },
];

/** Splits a sentence into comma clauses, keeping each with its punctuation removed. */
function clausesOf(sentence: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let start = 0;
  for (const m of sentence.matchAll(/[，,；;：:]/g)) {
    out.push({ text: sentence.slice(start, m.index), start });
    start = m.index! + 1;
  }
  out.push({ text: sentence.slice(start), start });
  return out.filter((c) => c.text.trim());
}

/** Extracts typed facts from a unit's sentences. */
export function extractFacts(sentences: string[]): Fact[] {
  const facts: Fact[] = [];
  sentences.forEach((s, i) => {
    const clauses = clausesOf(s);
    const clauseAt = (at: number) => (clauses.findLast((c) => c.start <= at) ?? clauses[0])?.text.trim() ?? s;
    // A title quoted in the sentence ("《2026年度…申请表》") names a document; its year or figures are not the clause's facts.
    const taken: [number, number][] = [...s.matchAll(/《[^《》]*》/g)].map((m) => [m.index!, m.index! + m[0].length]);
    for (const p of PATTERNS) {
      if (p.needs && !p.needs.test(s)) continue;
      for (const m of s.matchAll(p.re)) {
        const at = m.index!;
        const end = at + m[0].length;
        // A span already typed by a more specific pattern ("5个工作日" is a deadline, not a count).
        if (taken.some(([a, b]) => at < b && end > a)) continue;
        // "第十四个五年规划" is an ordinal, not a quantity.
        if (p.type === 'count' && s[at - 1] === '第') continue;
        // "一批", "一次性" name no quantity.
        if (p.type === 'count' && /^一(批|些|系列|次性|件事)|^一次(?!以上)/.test(m[0]) && !/每/.test(s.slice(Math.max(0, at - 3), at))) continue;
        if (p.type !== 'prohibition' && p.type !== 'permission') taken.push([at, end]);
        let clause = clauseAt(at);
        // A labelled destination ("受理地点：市民中心3楼") runs past its label's colon: the clause is the whole of it.
        if (p.type === 'submit' && !clause.includes(m[0].trim())) clause = s.slice(clauses.findLast((c) => c.start <= at)?.start ?? 0, Math.max(end, s.slice(end).search(/[，,；;。]|$/) + end)).trim();
        const fact: Fact = { type: p.type, text: m[0].replace(/\s+/g, ''), sentence: i, clause };
        // "各区、县（市）市场监督管理局负责初审，并…报送市市场监督管理局": an office sends on what it received.
        if (p.type === 'submit' && OFFICE_SUBJECT.test(s)) fact.relay = true;
        if (p.type === 'submit' && ONLINE.test(m[0])) fact.online = true;
        const v = p.value?.(m as RegExpExecArray);
        if (v !== undefined) fact.value = v;
        if (p.type === 'amount') {
          const before = s.slice(Math.max(0, at - 24), at);
          const per = /每[^，。；]{0,12}?([一1])\s*(次|个|项|家|件|人|名)[^，。；]{0,6}$/.exec(before) ?? /每(次|个|项|家|件|人|名)/.exec(before);
          if (per) fact.per = per[2] ?? per[1];
          if (/(最少|最低|不低于|至少)[^，。；]{0,6}$/.test(before)) fact.bound = 'min';
          else if (/(最高|不高于|不超过|最多|上限)[^，。；]{0,6}$/.test(before)) fact.bound = 'max';
        }
        facts.push(fact);
      }
    }
    if (BODY_WORDS.test(s)) for (const m of s.matchAll(BODY)) facts.push({ type: 'body', text: m[0], sentence: i, clause: clauseAt(m.index!) });
  });
  return facts;
}
