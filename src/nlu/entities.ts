/** Entity extraction: places, awards, certification types, counts, amounts and dates. */
import { parseChineseNumber } from './chinese-numbers.ts';

/** Places the corpus covers, with the words that name them. */
export const CORPUS_REGIONS: Record<string, string[]> = {
  开平市: ['开平', '水口'],
  中山市: ['中山'],
  汕头市: ['汕头'],
  四川省: ['四川', '川字号', '成都'],
  江门市: ['江门'],
};

/** Places people ask about that the corpus does not cover. */
const OTHER_PLACES = [
  '佛山', '深圳', '广州', '东莞', '珠海', '惠州', '肇庆', '湛江', '茂名', '阳江', '云浮', '清远', '韶关', '河源', '梅州', '潮州', '揭阳', '汕尾',
  '台山', '恩平', '鹤山', '新会', '北京', '上海', '天津', '重庆', '浙江', '江苏', '福建', '山东', '湖南', '湖北', '河南', '河北', '广西', '海南',
  '杭州', '宁波', '温州', '厦门', '泉州', '南京', '苏州', '武汉', '长沙', '西安', '香港', '澳门', '台湾', '全国',
];

/** English place names mapped to Chinese. */
const ENGLISH_PLACES: Record<string, string> = {
  kaiping: '开平市', zhongshan: '中山市', shantou: '汕头市', sichuan: '四川省', jiangmen: '江门市',
  foshan: '佛山', shenzhen: '深圳', guangzhou: '广州', dongguan: '东莞', zhuhai: '珠海', beijing: '北京', shanghai: '上海',
};

/** Awards the corpus mentions; only the Kaiping excellence award carries an amount. */
export const AWARDS: { name: string; pattern: RegExp }[] = [
  { name: '优秀奖', pattern: /优秀奖|优秀将|质量优秀|excellence/i },
  { name: '政府质量奖', pattern: /政府质量奖|市长质量奖|government quality award/i },
  { name: '中国质量奖', pattern: /中国质量奖/ },
  { name: '天府质量奖', pattern: /天府质量奖/ },
  { name: '名牌', pattern: /名牌|名标|驰名商标/ },
];

/** Certification types named in the corpus. */
export const CERTIFICATIONS = [
  '质量管理体系', '环境管理体系', '职业健康安全管理体系', '管理体系', '强制性产品认证', '自愿性工业产品认证', '自愿性', '测量管理体系',
  '能源管理体系', '信息安全管理体系', '食品安全管理体系', '绿色产品认证', '低碳产品认证', '有机产品认证', 'HACCP', 'GAP', '3C', 'CCC',
];

/** Entities found in one message. */
export interface Entities {
  /** Corpus regions named (full names such as 开平市). */
  regions: string[];
  /** Places named that the corpus does not cover. */
  otherPlaces: string[];
  /** Awards named. */
  awards: string[];
  /** Certification types named. */
  certifications: string[];
  /** A count of passed inspections or times ("5次"). */
  times?: number;
  /** Years mentioned as a duration ("3年"). */
  years?: number;
  /** Calendar dates mentioned, as YYYY-MM-DD. */
  dates: string[];
  /** Plain numbers in the text. */
  numbers: number[];
}

const NUM = '(\\d+|[零〇一二两三四五六七八九十百]+)';

/** Extracts entities from normalised (Simplified, half-width) text. */
export function extractEntities(text: string): Entities {
  const lower = text.toLowerCase();
  const regions = Object.entries(CORPUS_REGIONS).filter(([, ws]) => ws.some((w) => text.includes(w))).map(([r]) => r);
  const otherPlaces = OTHER_PLACES.filter((p) => text.includes(p));
  for (const [en, zh] of Object.entries(ENGLISH_PLACES)) {
    if (new RegExp(`\\b${en}\\b`).test(lower)) {
      if (CORPUS_REGIONS[zh]) regions.push(zh);
      else otherPlaces.push(zh);
    }
  }
  if (/广东省?/.test(text) && !regions.length && /广东省?(政府|的|有|出台|政策)/.test(text) && !/广东省?名牌|广东优质/.test(text)) otherPlaces.push('广东省');
  const awards = AWARDS.filter((a) => a.pattern.test(text)).map((a) => a.name);
  const certifications = CERTIFICATIONS.filter((c) => lower.includes(c.toLowerCase()));
  const timesM = new RegExp(`${NUM}\\s*(次|回)`).exec(text) ?? /(\d+)\s*(times?|spot checks?|inspections?|passes|checks?)\b/i.exec(text) ?? /passed\s+(\d+)/i.exec(text);
  const yearsM = new RegExp(`${NUM}\\s*年(?!\\d|底|月)`).exec(text.replace(/\d{4}\s*年/g, ''));
  const dates: string[] = [];
  for (const m of text.matchAll(/(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?/g)) {
    dates.push(`${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`);
  }
  const numbers = [...text.matchAll(/\d+(\.\d+)?/g)].map((m) => Number(m[0]));
  return {
    regions: [...new Set(regions)],
    otherPlaces: [...new Set(otherPlaces)],
    awards,
    certifications,
    times: timesM ? parseChineseNumber(timesM[1]) : undefined,
    years: yearsM ? parseChineseNumber(yearsM[1]) : undefined,
    dates,
    numbers,
  };
}
