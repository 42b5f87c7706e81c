/** Server-side HTML: a tagged template that escapes every interpolated value, and the console's page layout. */

import { staffName } from './names.ts';

/** Markup that is already safe and must not be escaped again. */
export class Safe {
  /** Wraps trusted markup. */
  constructor(readonly html: string) {}
  /** The markup. */
  toString(): string {
    return this.html;
  }
}

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders one interpolated value: Safe as is, arrays joined, null/undefined/false as nothing, anything else escaped. */
function part(v: unknown): string {
  if (v instanceof Safe) return v.html;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

/** Tagged template for HTML: `html\`<p>${userText}</p>\`` escapes userText. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0];
  values.forEach((v, i) => {
    out += part(v) + strings[i + 1];
  });
  return new Safe(out);
}

/** One entry of the navigation bar. */
const NAV: { href: string; label: string }[] = [
  { href: '/', label: '概览' },
  { href: '/broadcast', label: '群发通知' },
  { href: '/publicity', label: '公示与获奖' },
  { href: '/unanswered', label: '未答问题' },
  { href: '/matches', label: '奖项匹配' },
  { href: '/documents', label: '政策文件' },
  { href: '/audit', label: '操作记录' },
];

/** What every page of a signed-in staff member needs. */
export interface PageContext {
  staff?: string;
  csrf?: string;
  path: string;
}

/** The page shell: head, navigation (when signed in), the body and the console script. */
export function layout(title: string, ctx: PageContext, body: Safe, opts: { refreshSeconds?: number } = {}): string {
  const nav = ctx.staff
    ? html`<nav><span class="brand">政策助手 · 工作人员控制台</span>${NAV.map(
        (n) => html`<a href="${n.href}" class="${ctx.path === n.href || (n.href !== '/' && ctx.path.startsWith(n.href)) ? 'on' : ''}">${n.label}</a>`,
      )}<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><span class="who">${staffName(ctx.staff)}</span><button type="submit">退出</button></form></nav>`
    : html`<nav><span class="brand">政策助手 · 工作人员控制台</span></nav>`;
  return `<!doctype html>
${html`<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · 政策助手控制台</title><link rel="stylesheet" href="/assets/console.css">
${opts.refreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${opts.refreshSeconds}"></noscript>` : ''}
<script src="/assets/console.js" defer></script></head>
<body>${nav}<main><h1>${title}</h1>${body}</main></body></html>`}`;
}

/** Formats ms since epoch as Shanghai local time, "2026-01-05 14:03". */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const parts = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
