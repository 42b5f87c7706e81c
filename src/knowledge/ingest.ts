/** Splits policy text into citable units following the document's own numbering, mending page-break damage. */
import type { PolicyMeta, Unit } from './policy-schema.ts';
import { headerKind } from './metadata.ts';

/** The list of a notice's attachments: "附件：1.2026年度…申请表". */
const RE_ANNEX_LIST = /^附件\s*[:：]\s*\S/;

/** Header kinds of a web page's own lines, never part of a unit. */
const PAGE_LINE = ['breadcrumb', 'publication'];

/** A notice's salutation: "各县（市、区）市场监督管理局：", "各区、县（市）市场监督管理局，各有关单位：". */
const SALUTATION = /^各[^。；：:]{1,100}[：:]/;

/** One raw line with its 1-based line number in the source file. */
export interface SourceLine {
  no: number;
  text: string;
}

/** A document part to split: its identity and the lines it spans. */
export interface PartInput {
  docId: string;
  title: string;
  region: string;
  lines: SourceLine[];
}

const CN_NUM = '一二三四五六七八九十百零〇';
const RE_CHAPTER = new RegExp(`^第[${CN_NUM}]+章`);
const RE_ARTICLE = new RegExp(`^第([${CN_NUM}]+)条[\\s\\u3000]*`);
const RE_L1 = new RegExp(`^([${CN_NUM}]+)、\\s*`);
const RE_L2 = new RegExp(`^[（(]\\s*([${CN_NUM}]+)\\s*[）)]\\s*`);
const RE_L3_DOT = /^(\d{1,2})\s*[.．、](?!\d)\s*/;
const RE_L3_BARE = /^(\d{1,2})(?=[\u4e00-\u9fff])(?![年月日个家项号])/;
const RE_ANNEX = /^附件\s*(\d*)\s*[:：]?\s*$/;
const TERMINAL = /[。！？；;）)\]】]$|[。！？][”」』]*$/;

/** Whether a line opens a numbered clause or heading at any level. */
function isNumbered(text: string): boolean {
  return RE_CHAPTER.test(text) || RE_ARTICLE.test(text) || RE_L1.test(text) || RE_L2.test(text) || RE_L3_DOT.test(text) || RE_L3_BARE.test(text);
}

/** Normalises whitespace inside a line without touching its words. */
function clean(text: string): string {
  return text.replace(/[\u00a0\u3000\t]/g, ' ').replace(/\s+$/g, '').replace(/^\s+/g, '');
}

/**
 * Joins lines broken mid-sentence by page layout: a line that does not end a sentence,
 * and reads as running prose, continues on the next line unless that one opens a new clause.
 */
export function mendLines(lines: SourceLine[]): SourceLine[] {
  const out: SourceLine[] = [];
  for (const raw of lines) {
    const text = clean(raw.text);
    // Blank lines and page numbers ("—1—", "- 2 -") left by a printed page are not text.
    if (!text || /^[-—–－]+\s*\d{1,3}\s*[-—–－]+$/.test(text)) {
      continue;
    }
    const prev = out[out.length - 1];
    // (A contact line ends with its phone number: "…科：陈老师，联系电话：0574-88106327" is whole.)
    if (prev && !TERMINAL.test(prev.text) && !/(?<!\d)0\d{2,3}-\d{7,8}$|(?<!\d)1[3-9]\d{9}$/.test(prev.text) && looksLikeProse(prev.text) && !isNumbered(text) && !RE_ANNEX.test(text) && !RE_ANNEX_LIST.test(text)) {
      prev.text += text;
      continue;
    }
    out.push({ no: raw.no, text });
  }
  return out;
}

/** Whether a line is running prose (so a missing full stop means it was cut), not a heading or signature. */
function looksLikeProse(text: string): boolean {
  const body = text.replace(RE_L1, '').replace(RE_L2, '').replace(RE_ARTICLE, '');
  return /[，、；,]/.test(body) || body.length >= 40;
}

/** Numbering context while walking a document. */
interface Context {
  chapter: string;
  l1: string;
  l1Title: string;
  l2: string;
  l2Title: string;
  article: string;
  lastL3: number;
  annex: string;
}

/** A clause being collected before it becomes a unit. */
interface Block {
  article: string;
  heading: string;
  kind: Unit['kind'];
  line: number;
  parts: string[];
  hasChildren: boolean;
  headingOnly: boolean;
}

/** Splits one document part into units; tables are recognised and split into rows. */
export function splitPart(part: PartInput, meta?: Pick<PolicyMeta, 'title'>): Unit[] {
  const units: Unit[] = [];
  const push = (b: Omit<Unit, 'id' | 'docId' | 'title' | 'region'>) => {
    units.push({ id: `${part.docId}#${units.length + 1}`, docId: part.docId, title: part.title, region: part.region, ...b });
  };
  const { prose, tables } = separateTables(part.lines);
  const lines = mendLines(prose);
  const ctx: Context = { chapter: '', l1: '', l1Title: '', l2: '', l2Title: '', article: '', lastL3: 0, annex: '' };
  const blocks: Block[] = [];
  let current: Block | undefined;
  let articleBlock: Block | undefined;
  let seenTitle = false;
  const titleText = meta?.title ?? part.title;
  const notice: SourceLine[] = [];
  const intro: SourceLine[] = [];

  const open = (b: Omit<Block, 'parts' | 'hasChildren' | 'headingOnly'>, text: string, headingOnly = false) => {
    current = { ...b, parts: [text], hasChildren: false, headingOnly };
    blocks.push(current);
    return current;
  };

  // "附件：1.申请表" and its indented entries list the attachments; they are no part of the clause before them.
  let annexList = false;
  for (const line of lines) {
    const text = line.text;
    if (RE_ANNEX_LIST.test(text)) {
      annexList = true;
      continue;
    }
    if (annexList && /^[\s\u3000]*\d{1,2}\s*[.．、]/.test(text) && text.length <= 60 && !/[。；，]/.test(text)) continue;
    annexList = false;
    if (!seenTitle && (text === titleText || text === part.title || (text.startsWith(part.title) && text.length <= part.title.length + 4))) {
      seenTitle = true;
      current = undefined;
      continue;
    }
    const annex = RE_ANNEX.exec(text);
    if (annex) {
      ctx.annex = `附件${annex[1]}`;
      current = undefined;
      continue;
    }
    if (RE_CHAPTER.test(text)) {
      ctx.chapter = text;
      current = undefined;
      articleBlock = undefined;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = RE_ARTICLE.exec(text))) {
      seenTitle = true;
      ctx.article = `第${m[1]}条`;
      articleBlock = open({ article: ctx.article, heading: ctx.chapter, kind: 'article', line: line.no }, text);
      continue;
    }
    if (articleBlock && (m = RE_L2.exec(text))) {
      articleBlock.parts.push(text);
      articleBlock.hasChildren = true;
      open({ article: `${ctx.article}（${m[1]}）`, heading: `${ctx.chapter} ${articleBlock.parts[0].slice(0, 40)}`, kind: 'item', line: line.no }, text);
      continue;
    }
    if ((m = RE_L1.exec(text)) && !articleBlock) {
      seenTitle = true;
      ctx.l1 = `${m[1]}、`;
      ctx.l1Title = text;
      ctx.l2 = '';
      ctx.l2Title = '';
      ctx.lastL3 = 0;
      open({ article: ctx.l1, heading: text, kind: 'section', line: line.no }, text, isShortHeading(text));
      continue;
    }
    if ((m = RE_L2.exec(text)) && !articleBlock) {
      seenTitle = true;
      ctx.l2 = `（${m[1]}）`;
      ctx.l2Title = text;
      ctx.lastL3 = 0;
      const parent = blocks.findLast((b) => b.article === ctx.l1);
      if (parent) parent.hasChildren = true;
      open({ article: `${ctx.l1}${ctx.l2}`, heading: `${ctx.l1Title} ${text.slice(0, 40)}`, kind: 'section', line: line.no }, text, isShortHeading(text));
      continue;
    }
    const l3 = RE_L3_DOT.exec(text) ?? RE_L3_BARE.exec(text);
    if (l3 && !articleBlock && (Number(l3[1]) === ctx.lastL3 + 1 || Number(l3[1]) === 1)) {
      seenTitle = true;
      ctx.lastL3 = Number(l3[1]);
      const parent = blocks.findLast((b) => b.article === `${ctx.l1}${ctx.l2}`);
      if (parent) parent.hasChildren = true;
      open({ article: `${ctx.l1}${ctx.l2}${ctx.lastL3}`, heading: `${ctx.l1Title} ${ctx.l2Title.slice(0, 40)}`, kind: 'item', line: line.no }, text);
      continue;
    }
    // Unnumbered paragraph: continues the open clause, or belongs to the notice / introduction.
    // (A line that introduces a list, "申报单位应当同时符合下列条件：", is part of its clause however short.)
    // (So is a labelled figure, "系统技术支持：0851-86597302（工作日9:00—17:00）", under a heading.)
    const isSentence = /[。；;，,]/.test(text) || text.length >= 40 || (Boolean(current) && (/(?:下列|以下|如下)[\u4e00-\u9fff]{0,8}[：:]\s*$/.test(text) || /^[^：:]{2,16}[：:]\s*[^：:\s]*\d{3,}/.test(text.trim())));
    // (A web page's breadcrumb, publication line or toolbar is the page's, not the document's.)
    if (!isSentence || /^(公开方式|政策解读|抄送|所在位置|信息来源)/.test(text) || PAGE_LINE.includes(headerKind(text) ?? '')) {
      continue;
    }
    if (current) {
      current.parts.push(text);
      current.headingOnly = false;
      if (articleBlock && current !== articleBlock) articleBlock.parts.push(text);
    } else if (!seenTitle) {
      notice.push(line);
    } else {
      intro.push(line);
    }
  }

  // Plain paragraphs: a short covering notice or preface stays one unit; a document written in paragraphs (a notice with
  // no numbering) makes each paragraph a unit of its own, numbered as the reader counts them (第3段).
  const paragraphs = [...notice, ...intro].sort((a, b) => a.no - b.no);
  if (paragraphs.length >= 4) {
    // (A paragraph opening with a salutation, "各区、县（市）市场监督管理局，各有关单位：…", is the notice's own opening.)
    paragraphs.forEach((l, k) => push({ article: `第${k + 1}段`, heading: titleText, kind: notice.includes(l) || SALUTATION.test(l.text) ? 'notice' : 'preamble', line: l.no, text: l.text }));
  } else {
    if (notice.length) {
      push({ article: '印发通知', heading: '通知', kind: 'notice', line: notice[0].no, text: notice.map((l) => l.text).join('\n') });
    }
    if (intro.length) {
      // A salutation ("各县（市、区）市场监督管理局：…现将有关事项通知如下") opens a notice, not the document's own text.
      const text = intro.map((l) => l.text).join('\n');
      push({ article: '前言', heading: '前言', kind: SALUTATION.test(text) ? 'notice' : 'preamble', line: intro[0].no, text });
    }
  }
  for (const b of blocks) {
    if (b.headingOnly && b.hasChildren) continue;
    if (b.headingOnly && b.parts.length === 1 && b.hasChildren === false && b.kind === 'section' && isShortHeading(b.parts[0]) && !/[。]/.test(b.parts[0])) continue;
    if (b.kind === 'section' && b.parts.length > 2) {
      // A long unnumbered section: each paragraph is its own unit, the heading kept with the first.
      b.parts.slice(1).forEach((p, k) => {
        push({ article: b.article, heading: `${b.heading.trim()} ${b.parts[0]}`.trim(), kind: b.kind, line: b.line, text: k === 0 ? `${b.parts[0]}\n${p}` : p });
      });
      continue;
    }
    push({ article: b.article, heading: b.heading.trim(), kind: b.kind, line: b.line, text: b.parts.join('\n') });
  }
  for (const t of tables) {
    for (const row of t.rows) push(row);
  }
  return units;
}

/** Whether a numbered line is only a short title (its body follows on later lines). */
function isShortHeading(text: string): boolean {
  return text.length <= 30 && !/[，,；;]/.test(text.replace(/^[（(][^）)]*[）)]/, ''));
}

/** A table found in the text, already split into row units. */
interface ParsedTable {
  rows: Omit<Unit, 'id' | 'docId' | 'title' | 'region'>[];
}

/** Separates table regions (cell-per-line or `|`-separated) from prose, parsing each table into row units. */
function separateTables(lines: SourceLine[]): { prose: SourceLine[]; tables: ParsedTable[] } {
  const prose: SourceLine[] = [];
  const tables: ParsedTable[] = [];
  let annex = '';
  let i = 0;
  while (i < lines.length) {
    const t = lines[i].text.trim();
    const a = RE_ANNEX.exec(t);
    if (a) annex = `附件${a[1]}`;
    if (t === '序号' && lines.slice(i + 1, i + 30).some((l) => /^(任务名称|工作内容|工作目标)$/.test(l.text.trim()))) {
      const end = findEnd(lines, i, (s) => /^(政策解读|附件\s*\d*\s*[:：]?$)/.test(s));
      tables.push(parseCellTable(lines.slice(i, end), annex || '附件'));
      i = end;
      continue;
    }
    if (t.includes('|') && lines.slice(i, i + 12).filter((l) => l.text.includes('|')).length >= 4) {
      const end = findEnd(lines, i, (s) => RE_ANNEX.test(s) && !s.includes('|'));
      tables.push(parsePipeTable(lines.slice(i, end), annex || '附件'));
      i = end;
      continue;
    }
    prose.push(lines[i]);
    i++;
  }
  return { prose, tables };
}

/** Index of the first line after `start` whose trimmed text satisfies `stop`, or the end. */
function findEnd(lines: SourceLine[], start: number, stop: (s: string) => boolean): number {
  for (let j = start + 1; j < lines.length; j++) {
    if (stop(lines[j].text.trim())) return j;
  }
  return lines.length;
}

/** Whether a cell names departments or units rather than a task. */
function isUnitCell(c: string): boolean {
  return c === '' || (c.length <= 45 && !c.includes('。') && /(局|政府|海关|办公室|单位|工会|部|部门|处|院|站|所|中心|委员会)$/.test(c));
}

/** Parses a table flattened one cell per line (blank line between cells, a no-break space for an empty cell). */
function parseCellTable(lines: SourceLine[], annex: string): ParsedTable {
  const cells: { text: string; no: number }[] = [];
  for (const l of lines) {
    if (l.text.replace(/[ \t\r]/g, '') === '') continue;
    cells.push({ text: clean(l.text), no: l.no });
  }
  const headerEnd = cells.findIndex((c) => /^\d+$/.test(c.text));
  const header = cells.slice(0, Math.max(headerEnd, 0)).map((c) => c.text).filter((c) => c !== '序号');
  const rows: ParsedTable['rows'] = [];
  let expected = 1;
  let group: { no: number; line: number; cells: string[] } | undefined;
  const groups: { no: number; line: number; cells: string[] }[] = [];
  for (const c of cells.slice(headerEnd)) {
    if (c.text === String(expected)) {
      group = { no: expected, line: c.no, cells: [] };
      groups.push(group);
      expected++;
      continue;
    }
    group?.cells.push(c.text);
  }
  const cols = header.length >= 6 ? header : ['任务名称', '工作内容', '工作措施', '牵头单位', '配合单位', '工作目标'];
  const last: Record<string, string> = {};
  for (const g of groups) {
    const cs = [...g.cells];
    while (cs.length > 1 && cs[cs.length - 1] === '') cs.pop();
    const target = cs.pop() ?? '';
    const unitCells: string[] = [];
    while (unitCells.length < 2 && cs.length > 1 && isUnitCell(cs[cs.length - 1])) unitCells.unshift(cs.pop()!);
    if (unitCells.length === 0 && cs.length >= 1 && isUnitCell(cs[cs.length - 1]) && cs[cs.length - 1] !== '') unitCells.unshift(cs.pop()!);
    const textCols = cols.slice(0, 3);
    const fields: Record<string, string> = {};
    const offset = 3 - cs.length;
    textCols.forEach((name, k) => {
      const v = k >= offset ? cs[k - offset] : '';
      fields[name] = v || last[name] || '';
    });
    if (unitCells.length === 2) {
      fields[cols[3]] = unitCells[0] || last[cols[3]] || '';
      fields[cols[4]] = unitCells[1];
    } else if (unitCells.length === 1) {
      fields[cols[3]] = unitCells[0];
      fields[cols[4]] = '';
    } else {
      fields[cols[3]] = last[cols[3]] ?? '';
      fields[cols[4]] = last[cols[4]] ?? '';
    }
    fields[cols[5]] = target;
    Object.assign(last, fields);
    rows.push({
      article: `${annex}第${g.no}项`,
      heading: `${annex} 任务分解表 ${fields[cols[0]]}`,
      kind: 'table-row',
      line: g.line,
      fields,
      text: formatRow(g.no, fields),
    });
  }
  return { rows };
}

/**
 * A table pasted one row a line ("序号|重点任务|工作内容|牵头单位|…" then "1|…|…"): its first row names the columns, each
 * later row with as many cells is a row unit whose fields are named by them. Undefined when the lines are not so laid out.
 */
function parseLineTable(lines: SourceLine[], annex: string): ParsedTable | undefined {
  const split = (t: string) => t.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const grid = lines.filter((l) => l.text.includes('|') && !/^[\s|:：\-]+$/.test(l.text)).map((l) => ({ no: l.no, cells: split(l.text) }));
  const width = grid[0]?.cells.length ?? 0;
  if (width < 3 || grid.length < 3 || grid.some((r) => r.cells.length !== width) || grid[0].cells.some((c) => !c || c.length > 12 || /\d{2}/.test(c))) return undefined;
  const header = grid[0].cells;
  const numbered = /^序号|^编号|^No\.?$/i.test(header[0]);
  const rows: ParsedTable['rows'] = grid.slice(1).map((r, k) => {
    const no = numbered && /^\d{1,3}$/.test(r.cells[0]) ? Number(r.cells[0]) : k + 1;
    const fields: Record<string, string> = {};
    header.forEach((h, c) => {
      if (!(numbered && c === 0)) fields[h] = r.cells[c];
    });
    const name = numbered ? r.cells[1] : r.cells[0];
    return { article: `${annex}第${no}项`, heading: `${annex} ${name}`, kind: 'table-row', line: r.no, fields, text: formatRow(no, fields) };
  });
  return { rows };
}

/** Parses a table flattened with `|` between cells; each numbered content cell opens a row. */
function parsePipeTable(lines: SourceLine[], annex: string): ParsedTable {
  const byLine = parseLineTable(lines, annex);
  if (byLine) return byLine;
  const joined: { text: string; no: number }[] = [];
  let buf = '';
  let bufNo = lines[0]?.no ?? 1;
  for (const l of lines) {
    const pieces = l.text.split('|');
    pieces.forEach((p, k) => {
      if (k > 0) {
        joined.push({ text: buf, no: bufNo });
        buf = '';
        bufNo = l.no;
      }
      if (!buf) bufNo = l.no;
      buf += (buf && p.trim() ? '\n' : '') + p.trim();
    });
  }
  if (buf.trim()) joined.push({ text: buf, no: bufNo });
  const cells = joined.map((c) => ({ text: c.text.trim(), no: c.no })).filter((c) => c.text !== '');
  const rows: ParsedTable['rows'] = [];
  const headers: string[] = [];
  let row: { no: number; line: number; content: string; units: string[] } | undefined;
  const all: NonNullable<typeof row>[] = [];
  for (const c of cells) {
    const m = /^(\d{1,3})\s*[.．、]\s*/.exec(c.text);
    if (m) {
      row = { no: Number(m[1]), line: c.no, content: c.text.replace(/\n/g, ''), units: [] };
      all.push(row);
    } else if (/^(重点|主要|工作)\s*(目标|工作|要求)/.test(c.text)) {
      continue;
    } else if (row) {
      row.units.push(c.text.replace(/\s*\n\s*/g, ' ').replace(/\s+/g, ' '));
    } else {
      headers.push(c.text.replace(/\s+/g, ''));
    }
  }
  const unitCols = headers.filter((h) => h !== '内容').slice(0, 3);
  const names = unitCols.length === 3 ? unitCols : ['指导单位', '责任单位', '配合单位'];
  for (const r of all) {
    const fields: Record<string, string> = { 工作内容: r.content.replace(/^\d{1,3}\s*[.．、]\s*/, '') };
    if (r.units.length >= 3) names.forEach((n, k) => (fields[n] = r.units[k]));
    else if (r.units.length === 2) [fields[names[0]], fields[names[1]]] = r.units;
    else if (r.units.length === 1) fields['相关单位'] = r.units[0];
    rows.push({
      article: `${annex}第${r.no}项`,
      heading: `${annex} 重点工作任务分解表`,
      kind: 'table-row',
      line: r.line,
      fields,
      text: formatRow(r.no, fields),
    });
  }
  if (all.length === 0 && cells.length) {
    rows.push({ article: annex, heading: annex, kind: 'annex', line: cells[0].no, text: cells.map((c) => c.text.replace(/\s+/g, '')).join('｜') });
  }
  return { rows };
}

/** Renders a table row as one quotable unit with its columns kept together. */
function formatRow(no: number, fields: Record<string, string>): string {
  const parts = Object.entries(fields).filter(([, v]) => v).map(([k, v]) => `${k}：${v}`);
  return `第${no}项｜${parts.join('｜')}`;
}
