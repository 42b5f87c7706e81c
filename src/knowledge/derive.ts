/** What ingest derives from a document's own text: validity, place aliases and award names. */
import { numberOf } from './facts.ts';
import type { Unit } from './policy-schema.ts';

/** Validity derived from a document: when it took effect, when it lapses, and the words that say so. */
export interface DerivedValidity {
  effective?: string;
  expires?: string;
  note?: string;
  source?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The day before the same date `years` later, as YYYY-MM-DD (a 5-year term from 2016-10-01 ends 2021-09-30). */
export function addYearsLessADay(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const t = new Date(Date.UTC(y + years, m - 1, d) - 86_400_000);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Reads "自2016年10月1日起施行，有效期5年" from the clauses, or a plan period ("2018-2020年", "2013年…计划") from the title. */
export function deriveValidity(title: string, units: Unit[]): DerivedValidity {
  for (const u of units) {
    const text = u.text.replace(/\s+/g, '');
    const m = /自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|实施|执行|生效)[。，,；]?[^。]{0,20}?有效期(?:为)?([一二三四五六七八九十两]+|\d{1,2})年/.exec(text);
    if (m) {
      const effective = `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}`;
      const years = numberOf(m[4]);
      const sentence = m[0];
      return { effective, expires: years ? addYearsLessADay(effective, years) : undefined, note: `${u.article}：${sentence.replace(/[。；]$/, '')}`, source: u.article };
    }
    const until = /自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|实施|执行)[^。]{0,12}?(?:有效期)?至(\d{4})年(\d{1,2})月(\d{1,2})日/.exec(text);
    if (until) {
      return {
        effective: `${until[1]}-${pad(Number(until[2]))}-${pad(Number(until[3]))}`,
        expires: `${until[4]}-${pad(Number(until[5]))}-${pad(Number(until[6]))}`,
        note: `${u.article}：${until[0]}`,
        source: u.article,
      };
    }
  }
  for (const u of units) {
    // "本方案自印发之日起施行，有效期至2027年12月31日": the end is stated, the start is the issue date.
    const to = /(?:本(?:方案|办法|通知|计划|规定|细则|意见|措施|政策)[^。]{0,20}?|自(?:印发|发布|公布|颁布)之日起(?:施行|实施|执行|生效)[，,；]?)有效期(?:为)?(?:至|到)(\d{4})年(\d{1,2})月(\d{1,2})日(?:止)?/.exec(u.text.replace(/\s+/g, ''));
    if (to) return { expires: `${to[1]}-${pad(Number(to[2]))}-${pad(Number(to[3]))}`, note: `${u.article}：${to[0]}`, source: u.article };
  }
  for (const u of units) {
    const m = /自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|实施|执行)/.exec(u.text.replace(/\s+/g, ''));
    if (m) return { effective: `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}`, source: u.article };
  }
  const span = /[（(]?\s*(\d{4})\s*[-—–－~至到]\s*(\d{4})\s*年?\s*[)）]?/.exec(title);
  if (span && /计划|方案|规划|纲要/.test(title)) return { expires: `${span[2]}-12-31`, note: `计划期为${span[1]}-${span[2]}年`, source: '标题' };
  const year = /(\d{4})\s*年(?:度)?[\u4e00-\u9fff]{0,8}(?:计划|要点|方案)/.exec(title);
  if (year) return { expires: `${year[1]}-12-31`, note: `本计划为${year[1]}年度计划`, source: '标题' };
  return {};
}

/** Towns, streets and districts a document names, as other names of its place ("某某镇" → also "某某"). */
export function deriveAliases(region: string, units: Unit[]): string[] {
  const out = new Set<string>();
  const short = region.replace(/(省|市|县|区|自治区)$/, '');
  if (short.length >= 2 && short !== region) out.add(short);
  for (const u of units) {
    for (const m of u.text.matchAll(/(?<![各对和、与及])([\u4e00-\u9fff]{2,3})(镇|街道)(?![区村长政])/g)) {
      const name = m[1];
      if (/^(各|全|本|建立|纳入|所在|乡|城|属地|相关|有关|重点|特色)/.test(name) || /[对和与及各的在]/.test(name)) continue;
      out.add(name + m[2]);
      if (m[2] === '镇') out.add(name);
    }
  }
  return [...out];
}

/**
 * Award and programme names a document sets or governs: from its title ("…产品质量优秀奖评审管理办法" → "水暖卫浴产品质量优秀奖",
 * "…质量奖励办法" → "…质量奖", "…评选办法"), from a "设立…奖" sentence of its body, and the programme a 申报通知
 * invites ("关于组织申报…标准化项目资助的通知" → "标准化项目资助").
 */
export function deriveAwards(title: string, region: string, units: Unit[] = []): string[] {
  const found: string[] = [];
  const t = title.replace(/^.*?关于(?:印发|转发)?/, '').replace(/的通知$/, '').replace(/[《》]/g, '');
  const m = /([\u4e00-\u9fff]{2,24}?(?:奖|称号))(?:评审|评选|评定|认定|管理|实施|申报|暂行)?(?:管理)?(?:办法|细则|规定|方案|通知)/.exec(t);
  if (m) found.push(m[1]);
  const reward = /([\u4e00-\u9fff]{2,24}?)奖励(?:评审|评选|实施|管理|暂行)?(?:管理)?(?:办法|细则|规定)/.exec(t);
  if (!m && reward) found.push(`${reward[1]}奖`);
  // A 申报通知 or 申报指南 names the programme it invites ("组织申报2025年度…标准化项目资助", "…补助资金申报指南").
  const core = t.replace(/^(?:组织|做好|开展)?(?:申报|申请)?(?:\d{4}年度?)?/, '').replace(/(?:的)?(?:申报|申请)?(?:指南|工作|通知)$/, '');
  const programme = /^(?:\d{4}年度?)?([\u4e00-\u9fff]{2,24}?(?:资助|补助|奖补|补贴|奖励))(?:资金|项目|经费)*$/.exec(core);
  if (!m && !reward && programme && /申报|申请/.test(title)) found.push(programme[1]);
  // Rules written in articles name their award in an opening article ("第二条 设立鹰潭市市长质量奖……").
  for (const u of units.filter((x) => x.kind === 'article').slice(0, 4)) {
    for (const s of u.text.matchAll(/设立(?!的)[“"「]?([\u4e00-\u9fff]{2,20}?(?:奖|称号))(?![项励金])/g)) found.push(s[1]);
  }
  // The short name an article gives the award ("湖州市家居产品质量奖（以下简称“家居质量奖”）").
  for (const u of units.filter((x) => x.kind === 'article').slice(0, 4)) {
    for (const s of u.text.matchAll(/([\u4e00-\u9fff]{2,24}?(?:奖|称号))[（(]以下简称[“"「]([\u4e00-\u9fff]{2,12}?(?:奖|称号))[”"」]/g)) {
      if (found.some((f) => s[1].endsWith(f.replace(/^.*?(?:市|省|县|区)/, '')))) found.push(s[2]);
    }
  }
  // A programme the notice names in quotes in its title ("关于组织申报2026年度“黔品质造”品牌培育工程项目的通知"), or
  // in its body before a programme word ("培育一批“黔品质造”品牌"), or by the short name a sentence gives it.
  for (const q of t.matchAll(/[“"「]([\u4e00-\u9fff]{3,12})[”"」]/g)) found.push(q[1]);
  for (const u of units.slice(0, 12)) {
    for (const q of u.text.matchAll(/[“"「]([\u4e00-\u9fff]{3,8})[”"」](?=品牌|工程|行动|专项|示范|计划|项目|称号)/g)) found.push(q[1]);
    for (const q of u.text.matchAll(/(?:工程|项目|计划|行动|专项|资金|品牌|示范)[（(]以下简称[“"「]([\u4e00-\u9fff]{3,12})[”"」]/g)) found.push(q[1]);
  }
  const short = region.replace(/(省|市|县|区)$/, '');
  const names = found.map((n) => {
    let name = n.replace(/^(?:\d{4}年度?)/, '');
    for (const p of [region, short]) if (p && name.startsWith(p) && name.length > p.length + 2) name = name.slice(p.length);
    return name;
  });
  return [...new Set(names.filter((n) => n.length >= 3))];
}
