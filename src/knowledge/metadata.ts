/**
 * Reads a published notice's own metadata from its text: the title (of the document it issues, or of the notice),
 * the issuer, the document number, the issue date and the parts it carries (a 配套文件, an annex with articles).
 * Letterheads, document numbers, web breadcrumbs, publication lines and addressee lines are recognised and skipped.
 */
import type { SourceLine } from './ingest.ts';

/** One document inside a file: its title and the index (into the body lines) where its text starts. */
export interface DerivedPart {
  title: string;
  start: number;
}

/** What the text says about itself. */
export interface DerivedMeta {
  title: string;
  issuer?: string;
  docNumber?: string;
  issued?: string;
  parts: DerivedPart[];
}

const CN_NUM = '一二三四五六七八九十百零〇';
const RE_HEADING = new RegExp(`^(第[${CN_NUM}]+[章条]|[${CN_NUM}]+、|[（(][${CN_NUM}]+[）)])`);
const ORG_END = /(人民政府|政府|办公室|办公厅|局|厅|委员会|委|协会|管委会|中心|领导小组|总局|部|署|院)$/;
const RE_DOC_NO = /([\u4e00-\u9fff]{1,12})\s*[〔（(［\[【]\s*(\d{4})\s*[〕）)］\]】]\s*(?:第\s*)?(\d{1,4})\s*号/;
const RE_BREADCRUMB = /^(所在位置|当前位置|您的位置|您现在的位置|您当前的位置|当前页面|位置)\s*[:：]|[>＞»›]\s*\S+\s*[>＞»›]|^首页\s*[>＞»›]/;
const PUB_KEYS = '信息来源|来源|发布日期|发布时间|发文日期|成文日期|印发日期|发布机构|发文机关|发文单位|浏览次数|访问次数|点击数|点击量|阅读次数|浏览量|索引号|主题分类|分类|文号|发文字号|字号|字体|【字体|打印|关闭|分享到|时效|时间|日期';
const RE_PUB = new RegExp(`^[【\\[]?(${PUB_KEYS})\\s*[】\\]]?\\s*[:：]`);
const RE_PUB_FIELD = new RegExp(`(${PUB_KEYS})\\s*[:：]\\s*([^\\s:：]+(?:\\s+\\d{1,2}:\\d{2}(?::\\d{2})?)?)`, 'g');
const CN_DIGIT: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** Text with spaces removed, for comparing a title with the line that carries it. */
export const squash = (s: string) => s.replace(/[\s\u3000\u00a0]+/g, '');

const pad = (n: number) => String(n).padStart(2, '0');

/** Reads a date written "2016年8月5日", "2018-10-08", "2018/10/8" or "二〇一六年八月五日", as YYYY-MM-DD. */
export function readDate(text: string): string | undefined {
  const t = squash(text);
  const m = /(\d{4})(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})日?/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) return `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}`;
  const c = /([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日/.exec(t);
  if (!c) return undefined;
  const year = [...c[1]].map((ch) => CN_DIGIT[ch]).join('');
  const small = (s: string) => (s.length === 1 ? CN_DIGIT[s] : s.length === 2 ? (s[0] === '十' ? 10 + CN_DIGIT[s[1]] : CN_DIGIT[s[0]] * 10) : CN_DIGIT[s[0]] * 10 + CN_DIGIT[s[2]]);
  return `${year}-${pad(small(c[2]))}-${pad(small(c[3]))}`;
}

/** A document number in its usual form ("开府办（2016）38号" → "开府办〔2016〕38号"). */
export function readDocNumber(text: string): string | undefined {
  const m = RE_DOC_NO.exec(squash(text));
  return m ? `${m[1]}〔${m[2]}〕${m[3]}号` : undefined;
}

/** What kind of line of a published page's header this is, if it is not part of the document. */
export function headerKind(text: string): 'breadcrumb' | 'publication' | 'letterhead' | 'docnumber' | 'addressee' | 'date' | 'signature' | undefined {
  const t = text.trim();
  const s = squash(t);
  if (RE_BREADCRUMB.test(t)) return 'breadcrumb';
  if (RE_PUB.test(t)) return 'publication';
  if (s.length <= 40 && /^[\u4e00-\u9fff（）()、]{2,36}文件$/.test(s)) return 'letterhead';
  if (RE_DOC_NO.test(s) && s.replace(RE_DOC_NO, '').replace(/^[\u4e00-\u9fff]{0,4}[:：]?/, '').length <= 2) return 'docnumber';
  if (/[:：]$/.test(s) && s.length <= 160 && !/[。？！]/.test(s) && (/^各/.test(s) || /[,，、]各|有关|各有关|所属/.test(s))) return 'addressee';
  if (s.length <= 16 && readDate(s) && /^[\d〇零一二三四五六七八九十年月日\-/.印发]+$/.test(s)) return 'date';
  if (s.length <= 30 && ORG_END.test(s) && !/[，,。；;：:]/.test(s)) return 'signature';
  return undefined;
}

/** A web page's title line: "成府发〔2014〕7号《成都市人民政府关于印发〈…〉的通知》" → the notice title alone. */
function unwrap(text: string): string {
  const rest = text.replace(/^[\u4e00-\u9fff]{1,12}\s*[〔（(［\[【]\s*\d{4}\s*[〕）)］\]】]\s*(?:第\s*)?\d{1,4}\s*号\s*/, '');
  const t = rest.length >= 6 ? rest : text;
  const w = /^《(.+)》$/.exec(t.trim());
  return w && !/[《》]/.test(w[1].replace(/[〈〉]/g, '')) ? w[1] : t;
}

/** Whether a line reads as a sentence of running text rather than a title. */
function isSentence(text: string): boolean {
  return /[。；;！？]/.test(text) || (/[，,]/.test(text) && text.length > 30);
}

/** A notice's own title line: "（issuer）关于……的通知". */
const RE_NOTICE_TITLE = /^(.{0,40}?)关于(.{2,120})的(通知|决定|意见|批复|公告|通告|公示|函|报告)$/;

/** Titles in 《》 that a 印发/转发 sentence issues ("现将《X》印发给你们", "《X》及其配套文件《Y》…现印发"). */
function issuedTitles(sentences: string[]): string[] {
  const out: string[] = [];
  for (const sentence of sentences) {
    if (!/印发|转发|下发|颁布/.test(sentence)) continue;
    for (const m of sentence.matchAll(/《([^《》]{4,80})》/g)) {
      if (RE_NOTICE_TITLE.test(squash(m[1]))) continue;
      // The document is issued by the verb after it ("现将《X》印发给你们", "《X》…现予印发"), not named before it.
      if (!/印发|转发|下发|颁布/.test(sentence.slice(m.index + m[0].length))) continue;
      const before = sentence.slice(Math.max(0, m.index - 6), m.index);
      if (/(根据|按照|依据|贯彻|落实|参照|执行|对照)[^《]*$/.test(before)) continue;
      if (!out.includes(m[1])) out.push(m[1]);
    }
  }
  return out;
}

/** A title compared loosely: spaces, bracket widths, dashes and quotation marks aside ("（2018—2020年）" = "(2018-2020年)"). */
export const looseTitle = (s: string) =>
  squash(s)
    .replace(/[（［【]/g, '(')
    .replace(/[）］】]/g, ')')
    .replace(/[—–－~～至]/g, '-')
    .replace(/[“”"‘’'《》〈〉「」]/g, '');

/**
 * Where the document titled `title` starts: a line that carries that title (loosely compared), or a title wrapped onto
 * two lines, after `from`.
 */
function findTitleLine(lines: SourceLine[], title: string, from = 0): number {
  const want = looseTitle(title);
  for (let i = from; i < lines.length; i++) {
    const s = looseTitle(lines[i].text);
    if (!s) continue;
    if (s === want || (s.startsWith(want) && s.length <= want.length + 2)) return i;
    const next = lines.slice(i + 1, i + 3).find((l) => l.text.trim() !== '');
    if (next && want.startsWith(s) && s.length >= 4 && s + looseTitle(next.text) === want) return i;
  }
  return -1;
}

/** An annex that is a document of its own: "附件2" followed by a title and, soon after, its first article or section. */
function annexParts(lines: SourceLine[], from: number): DerivedPart[] {
  const out: DerivedPart[] = [];
  for (let i = from; i < lines.length; i++) {
    if (!/^附件\s*\d*\s*[:：]?\s*$/.test(lines[i].text.trim()) && !/^配套文件\s*\d*\s*[:：]?\s*$/.test(lines[i].text.trim())) continue;
    const next = lines.slice(i + 1).findIndex((l) => l.text.trim() !== '');
    if (next < 0) continue;
    const at = i + 1 + next;
    const title = lines[at].text.trim();
    if (title.length > 60 || isSentence(title) || /表$|[:：]$/.test(title) || RE_HEADING.test(title)) continue;
    const after = lines.slice(at + 1, at + 12).map((l) => l.text.trim()).filter(Boolean).slice(0, 5);
    if (after.some((t) => /^第[一二三四五六七八九十]+[章条]/.test(t) || /^一、/.test(t))) out.push({ title, start: at });
  }
  return out;
}

/** Reads title, issuer, document number, date and parts from a document's lines. */
export function readMetadata(body: SourceLine[]): DerivedMeta {
  const lines = body;
  const firstHeading = lines.findIndex((l) => RE_HEADING.test(l.text.trim()));
  const headerEnd = Math.min(firstHeading < 0 ? lines.length : firstHeading, 60);
  const header = lines.slice(0, headerEnd).map((l, k) => ({ k, text: l.text.trim() })).filter((l) => l.text !== '');
  // A long notice title wrapped onto two lines ("…关于印发某某市水暖" / "卫浴行业质量提升工作方案的通知") is one line.
  for (let h = 0; h + 1 < header.length; h++) {
    const a = header[h].text;
    const b = header[h + 1].text;
    if (/关于/.test(a) && !RE_NOTICE_TITLE.test(squash(a)) && !isSentence(a) && !isSentence(b) && RE_NOTICE_TITLE.test(squash(a + b))) {
      header.splice(h, 2, { k: header[h].k, text: a + b });
    }
  }

  let issuer: string | undefined;
  let docNumber: string | undefined;
  let issued: string | undefined;
  let pubIssuer: string | undefined;
  let pubDate: string | undefined;
  let signature: string | undefined;
  let signedDate: string | undefined;
  let noticeTitle: { k: number; text: string; issuer: string; inner: string } | undefined;
  const sentences: string[] = [];

  for (let h = 0; h < header.length; h++) {
    const { k } = header[h];
    const text = unwrap(header[h].text);
    // A web page's title line may open with the document number ("成府发〔2014〕7号《…的通知》").
    if (text !== header[h].text && RE_DOC_NO.test(squash(header[h].text).slice(0, 24))) docNumber ??= readDocNumber(header[h].text);
    const kind = headerKind(text);
    const fields = [...text.matchAll(RE_PUB_FIELD)];
    if (kind === 'publication' || (fields.length >= 2 && !isSentence(text))) {
      for (const m of fields) {
        if (/来源|机构|机关|单位/.test(m[1]) && m[2].length >= 4 && !pubIssuer) pubIssuer = m[2];
        if (/日期|时间/.test(m[1]) && !pubDate) pubDate = readDate(m[2]);
        if (/号/.test(m[1]) && !docNumber) docNumber = readDocNumber(m[2]);
      }
      if (kind === 'publication') continue;
    }
    if (kind === 'letterhead') {
      issuer ??= squash(text).replace(/文件$/, '');
      continue;
    }
    if (kind === 'docnumber') {
      docNumber ??= readDocNumber(text);
      continue;
    }
    if (kind === 'signature') {
      signature ??= squash(text);
      const next = header[h + 1];
      if (next && headerKind(next.text) === 'date') signedDate ??= readDate(next.text);
      continue;
    }
    if (kind === 'date') {
      signedDate ??= readDate(text);
      continue;
    }
    if (kind) continue;
    const n = RE_NOTICE_TITLE.exec(squash(text));
    if (n && !noticeTitle && !isSentence(text)) {
      noticeTitle = { k, text: squash(text), issuer: ORG_END.test(n[1]) ? n[1] : '', inner: n[2] };
      continue;
    }
    sentences.push(...text.split(/(?<=[。！？])/));
  }

  // The documents a 印发/转发 notice issues; the notice title names one when the body quotes none.
  let titles = issuedTitles(sentences);
  if (!titles.length && noticeTitle && /^(印发|转发|颁布|下发)/.test(noticeTitle.inner)) {
    const inner = noticeTitle.inner.replace(/^(印发|转发|颁布|下发)/, '');
    const quoted = [...inner.matchAll(/[《〈]([^《》〈〉]{4,80})[》〉]/g)].map((m) => m[1]);
    titles = quoted.length ? quoted : inner.length >= 4 ? [inner.replace(/[《》〈〉]/g, '')] : [];
  }
  const parts: DerivedPart[] = [];
  let from = noticeTitle ? noticeTitle.k + 1 : 0;
  for (const t of titles) {
    const at = findTitleLine(lines, t, from);
    if (at < 0) continue;
    parts.push({ title: t, start: parts.length ? at : 0 });
    from = at + 1;
  }
  if (!parts.length) {
    let title: string | undefined;
    if (titles.length) title = titles[0];
    else if (noticeTitle) title = noticeTitle.text;
    else {
      // The line just before the first article or outline heading, if it reads as a title.
      // (A bracketed note such as "（2023年6月16日市政府常务会议通过）" or a "目录" line is not the title.)
      const before = header.filter((l) => !headerKind(l.text) && !isSentence(l.text) && l.text.length <= 80 && squash(l.text).length >= 4 && !/^[（(].*[）)]$/.test(squash(l.text)) && !/^目录$/.test(squash(l.text)));
      const last = before[before.length - 1];
      title = last && (firstHeading < 0 || last.k >= header[0].k) ? squash(last.text) : undefined;
      if (!title) title = header.find((l) => !headerKind(l.text))?.text ?? header[0]?.text ?? '';
    }
    parts.push({ title, start: 0 });
  }
  // A second document attached as an annex with its own title and articles.
  const after = parts.length > 1 ? parts[parts.length - 1].start : 0;
  for (const p of annexParts(lines, after + 1)) if (!parts.some((q) => squash(q.title) === squash(p.title))) parts.push(p);
  parts.sort((a, b) => a.start - b.start);

  if (!issuer && noticeTitle?.issuer) issuer = noticeTitle.issuer;
  issuer ??= pubIssuer ?? signature;
  issued = signedDate ?? pubDate;
  return { title: parts[0].title, issuer, docNumber, issued, parts };
}

/** A line of a web page's footer: downloadable files, print/close/share buttons, the site's sponsor and registrations. */
const PAGE_FOOTER = /^(相关附件|附件下载|附件\s*\d*\s*[.．、:：]?.*\.(docx?|xlsx?|pdf|wps|zip|rar|et)$|[【\[]?(打印本页|关闭窗口|打印|关闭|返回顶部)|分享到|扫一扫|主办[:：]|承办[:：]|协办[:：]|网站标识码|.*ICP备|.*公网安备|版权所有|Copyright|联系我们|网站地图|技术支持)/i;

/** The issuing body a document signs with on one of its last lines, and the date beside it. */
export function readSignature(lines: SourceLine[]): { issuer?: string; issued?: string } {
  const kept = lines.map((l) => l.text.trim()).filter(Boolean);
  // A web page ends in its own chrome after the signature: the files to download, print and share buttons, the site's footer.
  while (kept.length && PAGE_FOOTER.test(kept[kept.length - 1])) kept.pop();
  const tail = kept.slice(-5);
  const issuer = tail.find((t) => headerKind(t) === 'signature');
  let issued: string | undefined;
  for (const t of [...tail].reverse()) {
    if (headerKind(t) === 'date' || /^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(印发)?$/.test(t)) {
      issued = readDate(t);
      break;
    }
  }
  return { issuer: issuer ? squash(issuer) : undefined, issued };
}
