/** The console's pages as server-rendered HTML; every value from users or files is escaped by `html`. */
import { splitText } from '../channels/telegram-format.ts';
import type { OutgoingMessage, PolicyAnswer } from '../core/types.ts';
import { cnDate } from '../knowledge/answer.ts';
import type { PolicyDocument, Unit } from '../knowledge/policy-schema.ts';
import { daysBetween, formatDayZh } from '../scheduling/dates.ts';
import type { BroadcastStats, StoreHealth } from '../storage/store.ts';
import type { AuditEntry, AwardRow, PublicityRow, UpcomingReminder } from './console-db.ts';
import { channelName, companyChatName, staffName } from './names.ts';
import { reportSentence, type DeliveryReport } from './report.ts';
import { validityText, type UploadProblem } from './documents.ts';
import { html, localTime, type Safe } from './html.ts';
import type { TokenRefusal } from './console-db.ts';
import { frameLine, type QuestionGroup } from './unanswered.ts';

/** A hidden CSRF field. */
function csrfField(csrf: string): Safe {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

/** The sign-in page: with a token, one button that uses it; without, how to get a link. It shows no data. */
export function signInPage(token: string | undefined, csrf: string): Safe {
  if (!token) {
    return html`<div class="card narrow"><p>请使用一次性登录链接进入控制台。</p>
<ul><li>在任意聊天中向机器人发送 <code>/console</code>（仅限工作人员），或</li>
<li>在服务器上运行 <code>npm run --silent cli -- staff-link 您的工作人员ID</code>。</li></ul>
<p class="muted">链接 10 分钟内有效，只能使用一次。</p></div>`;
  }
  return html`<div class="card narrow"><p>您正在登录政策助手工作人员控制台。</p>
<form method="post" action="/signin">${csrfField(csrf)}<input type="hidden" name="token" value="${token}">
<button type="submit" class="primary" id="signin">确认登录</button></form>
<p class="muted">此链接只能使用一次。如果不是您本人申请的链接，请关闭本页。</p></div>`;
}

/** The refusal after a bad, used or expired link. */
export function signInRefused(reason: TokenRefusal): Safe {
  const why = reason === 'used' ? '这个登录链接已经用过了。' : reason === 'expired' ? '这个登录链接已过期（有效期 10 分钟）。' : '这个登录链接无效。';
  return html`<div class="card narrow"><p class="error">${why}</p><p>请在聊天中向机器人发送 <code>/console</code> 获取新的链接。</p></div>`;
}

/** The page after a post that came without a live session; `kept` when the form was kept as a draft. */
export function signedOutPage(kept: boolean): Safe {
  return html`<div class="card narrow" id="signed-out"><p class="error">登录已过期（或已退出），这一步没有执行。</p>
${kept ? html`<p id="draft-kept">您填写的内容已经保存为草稿，没有发送。用新的登录链接在<strong>这个浏览器</strong>中登录后，会自动回到这份草稿。</p>` : ''}
<p>获取新的登录链接：在聊天中向机器人发送 <code>/console</code>，或在服务器上运行 <code>npm run --silent cli -- staff-link 您的工作人员ID</code>。</p></div>`;
}

/** What the overview shows. */
export interface Overview {
  subscribers: { total: number; byChannel: { channel: string; n: number }[]; byTag: { tag: string; n: number }[] };
  deliveries: DeliveryReport;
  reminders: UpcomingReminder[];
  documents: PolicyDocument[];
  health?: StoreHealth;
  /** The latest broadcasts with their reports. */
  recent: { b: BroadcastStats; report: DeliveryReport }[];
}

const PROBLEMS: Record<string, string> = {
  damaged: '数据库检查发现损坏，已停止发送提醒和群发（问题仍可回答）。请按 README 的“数据恢复”一节处理。',
  full: '磁盘已满，新的数据暂时无法保存。请清理磁盘空间，恢复后会自动继续。',
  readonly: '数据库只读，新的数据无法保存。请检查文件权限。',
  unavailable: '数据库暂时无法访问。',
};

/** The store's health in words. */
function healthView(h: StoreHealth | undefined): Safe {
  if (!h) return html`<p class="muted">存储未提供健康检查。</p>`;
  const rows: Safe[] = [];
  if (!h.ok) rows.push(html`<tr><th>问题</th><td class="error">${PROBLEMS[h.problem ?? 'unavailable'] ?? PROBLEMS.unavailable}</td></tr>`);
  if (!h.ok && h.since) rows.push(html`<tr><th>开始时间</th><td>${localTime(h.since)}</td></tr>`);
  if (h.lastCheck) rows.push(html`<tr><th>上次完整性检查</th><td>${localTime(h.lastCheck.at)}，${h.lastCheck.ok ? '通过' : '未通过'}</td></tr>`);
  rows.push(html`<tr><th>上次备份</th><td>${h.lastBackup ? localTime(h.lastBackup.at) : '还没有备份'}</td></tr>`);
  return html`<p class="${h.ok ? 'ok' : 'error'}" id="health">${h.ok ? '存储正常' : '存储异常'}</p><table class="kv">${rows}</table>`;
}

/** A report as a list: one line per reason, with its count and, when there is one, why. */
export function reportList(r: DeliveryReport, id = 'report'): Safe {
  if (r.total === 0) return html`<p class="muted" id="${id}">没有消息。</p>`;
  return html`<ul class="report" id="${id}">${r.lines.map(
    (l) => html`<li class="line-${l.key}" data-key="${l.key}"><span class="label">${l.label}</span> <strong>${l.n}</strong>${l.detail ? html`<div class="muted">${l.detail}</div>` : ''}</li>`,
  )}<li class="total">合计 <strong>${r.total}</strong></li></ul>`;
}

/** The overview page. */
export function overviewPage(o: Overview, now: Date): Safe {
  const d = o.deliveries;
  return html`<div class="grid">
<section class="card"><h2>订阅者</h2><p class="big" id="subscribers-total">${o.subscribers.total}</p>
<table><thead><tr><th>渠道</th><th>人数</th></tr></thead><tbody>${o.subscribers.byChannel.map((r) => html`<tr><td>${channelName(r.channel)}</td><td>${r.n}</td></tr>`)}</tbody></table>
<h3>按标签</h3>${o.subscribers.byTag.length ? html`<table><thead><tr><th>标签</th><th>人数</th></tr></thead><tbody>${o.subscribers.byTag.map((r) => html`<tr><td>${r.tag}</td><td>${r.n}</td></tr>`)}</tbody></table>` : html`<p class="muted">还没有带标签的订阅者。</p>`}</section>
<section class="card"><h2>最近 24 小时的发送</h2><div id="deliveries">${reportList(d, 'deliveries-report')}</div>
<h3>存储状态</h3>${healthView(o.health)}</section>
${o.recent.length ? html`<section class="card"><h2>最近的群发</h2><ul class="reports" id="recent-broadcasts">${o.recent.map(
    (x) => html`<li><a href="/broadcast/${x.b.id}">群发 #${x.b.id}</a> <span class="muted">${localTime(x.b.createdAt)}，${audience(x.b.tag)}</span><div>${reportSentence(x.report)}</div></li>`,
  )}</ul></section>` : ''}
<section class="card"><h2>即将发送的提醒</h2>${
    o.reminders.length
      ? html`<table><thead><tr><th>日期</th><th>类型</th><th>内容</th></tr></thead><tbody>${o.reminders.map(
          (r) => html`<tr><td>${formatDayZh(r.on)}</td><td>${r.kind === 'award' ? '获奖到期' : '公示'}</td><td>${r.kind === 'award' ? html`${companyChatName(r.channel ?? '', r.chat ?? '', r.company)}：${formatDayZh(r.what)}获奖，有效期至${formatDayZh(r.until)}` : html`${r.what}（公示至${formatDayZh(r.until)}）`}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">暂无待发送的提醒。</p>`
  }</section>
<section class="card wide"><h2>政策文件有效性（按今天 ${cnDate(isoLocal(now))}）</h2><table><thead><tr><th>文件</th><th>状态</th></tr></thead><tbody>${o.documents.map((doc) => {
    const v = validityText(doc, now);
    return html`<tr><td>${doc.title}</td><td class="state-${v.state}">${v.text}</td></tr>`;
  })}</tbody></table></section></div>`;
}

/** YYYY-MM-DD of a date in Shanghai. */
function isoLocal(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** A broadcast's audience in words; a broadcast to several tags stores them joined by 、. */
function audience(tag: string | string[] | undefined): string {
  const tags = Array.isArray(tag) ? tag : tag ? tag.split('、') : [];
  if (tags.length === 0) return '全部订阅者';
  return tags.length === 1 ? `标签“${tags[0]}”的订阅者` : `带有标签${tags.map((t) => `“${t}”`).join('或')}的订阅者`;
}

/** A hidden field carrying the draft's idempotency key. */
function draftField(key: string): Safe {
  return html`<input type="hidden" name="draft" value="${key}">`;
}

/** The compose form; `draft` is the key made when the form was first shown, kept through preview and confirm. */
export function broadcastCompose(v: {
  csrf: string;
  draft: string;
  tags: { tag: string; n: number }[];
  total: number;
  text: string;
  chosen: string[];
  error?: string;
  notice?: string;
  recent: { b: BroadcastStats; report: DeliveryReport }[];
}): Safe {
  return html`${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}${v.notice ? html`<p class="ok" role="status" id="notice">${v.notice}</p>` : ''}
<form method="post" action="/broadcast/preview" class="card" id="compose">${csrfField(v.csrf)}${draftField(v.draft)}
<label for="text">通知内容</label><textarea id="text" name="text" rows="6" maxlength="4096" required placeholder="例如：2025年度优秀奖申报材料请于1月20日前报送。">${v.text}</textarea>
<fieldset><legend>发给谁</legend>
<p class="muted">不选标签：发给全部 ${v.total} 位订阅者。选一个或几个标签：发给带有其中任一标签的订阅者。</p>
${v.tags.length ? v.tags.map((t) => html`<label class="choice"><input type="checkbox" name="tag" value="${t.tag}" ${v.chosen.includes(t.tag) ? 'checked' : ''}> 标签“${t.tag}”（${t.n} 位）</label>`) : html`<p class="muted">订阅者还没有标签。</p>`}
</fieldset>
<p class="reach" id="reach-live" aria-live="polite"></p>
<p class="muted">每位订阅者只收到一次（带有多个所选标签的也只收到一次）；已退订的人不会收到。发送按各平台限速进行。下一步可预览并查看确切人数。</p>
<button type="submit" class="primary" id="preview">预览</button></form>
${v.recent.length ? html`<section class="card"><h2>最近的群发</h2><table><thead><tr><th>编号</th><th>对象</th><th>进度</th><th>内容</th></tr></thead><tbody>${v.recent.map(
    ({ b, report }) => html`<tr><td><a href="/broadcast/${b.id}">#${b.id}</a></td><td>${audience(b.tag)}</td><td>${reportSentence(report)}</td><td>${b.text.slice(0, 60)}</td></tr>`,
  )}</tbody></table></section>` : ''}`;
}

/** The preview: reach, Telegram and WeChat renderings, and the confirm button carrying the draft key. */
export function broadcastPreview(v: { csrf: string; draft: string; text: string; tags: string[]; recipients: number; same?: BroadcastStats }): Safe {
  const parts = splitText(v.text);
  return html`<section class="card"><p class="reach">将发送给<strong id="reach">${v.recipients}</strong>位${audience(v.tags)}。</p>
${v.same ? html`<p class="error" role="alert" id="same-warning">注意：${localTime(v.same.createdAt)} 已经向同样的对象发送过相同的内容（<a href="/broadcast/${v.same.id}">群发 #${v.same.id}</a>）。如果不是有意再发一次，请不要确认。</p>` : ''}
<div class="previews"><div class="phone telegram"><div class="phone-head">Telegram 中显示为</div>${parts.map((p) => html`<div class="bubble">${p}</div>`)}${parts.length > 1 ? html`<p class="muted">（超过 Telegram 单条长度，分 ${parts.length} 条发送）</p>` : ''}</div>
<div class="phone wechat"><div class="phone-head">微信中显示为</div><div class="bubble">${v.text}</div></div></div>
${v.recipients === 0 ? html`<p class="error">没有可发送的订阅者，不能发送。</p><p><a href="/broadcast?draft=${v.draft}">返回修改</a></p>` : html`<form method="post" action="/broadcast/send" class="confirm" data-once>${csrfField(v.csrf)}<input type="hidden" name="text" value="${v.text}">${v.tags.map((t) => html`<input type="hidden" name="tag" value="${t}">`)}${draftField(v.draft)}
<button type="submit" class="primary" id="confirm">确认发送</button> <a href="/broadcast?draft=${v.draft}">返回修改</a></form>`}</section>`;
}

/** Machine-readable progress of one broadcast, every count from its outbox rows. */
export function progressJson(b: BroadcastStats, r: DeliveryReport): {
  id: string;
  recipients: number;
  sent: number;
  failed: number;
  queued: number;
  cancelled: number;
  done: boolean;
  status: string;
  lines: { key: string; label: string; n: number; detail?: string }[];
} {
  const count = (...keys: string[]) => r.lines.filter((l) => keys.includes(l.key)).reduce((n, l) => n + l.n, 0);
  return {
    id: b.id,
    recipients: r.total,
    sent: count('sent'),
    failed: count('failed'),
    queued: r.open,
    cancelled: count('cancelled_staff', 'skipped_unsubscribed', 'cancelled_other'),
    done: r.open === 0,
    status: progressStatus(r),
    lines: r.lines,
  };
}

/** The progress sentence: done, sending, or waiting for a channel that is not connected (said in words). */
export function progressStatus(r: DeliveryReport): string {
  if (r.open === 0) return '已全部处理完毕。';
  if (r.waitingForChannel === r.open) return `其余 ${r.open} 条在等待渠道连接，连接后会自动发送。`;
  return '正在发送……';
}

/** The progress page; console.js follows the event stream and updates the report live. */
export function broadcastProgress(b: BroadcastStats, r: DeliveryReport, csrf: string): Safe {
  const p = progressJson(b, r);
  const settled = r.total - r.open;
  return html`<section class="card" id="progress" data-events="/api/broadcasts/${b.id}/events">
<p>发给${audience(b.tag)}，共 <strong id="recipients">${p.recipients}</strong> 位；创建于 ${localTime(b.createdAt)}。</p>
<progress id="bar" max="${Math.max(1, r.total)}" value="${r.total ? settled : 1}">${r.total ? Math.round((settled / r.total) * 100) : 100}%</progress>
<p class="counts"><span>已送达 <strong id="sent">${p.sent}</strong></span><span>待发送 <strong id="queued">${p.queued}</strong></span><span>失败 <strong id="failed">${p.failed}</strong></span><span>已取消或跳过 <strong id="cancelled">${p.cancelled}</strong></span></p>
<div id="report-box">${reportList(r)}</div>
<p id="status" class="${p.done ? 'ok' : ''}">${p.status}</p>
<form method="post" action="/broadcast/${b.id}/cancel" id="cancel-form" data-once ${p.done ? 'hidden' : ''}>${csrfField(csrf)}<button type="submit" class="danger" id="cancel">取消尚未发送的部分</button></form>
<h3>内容</h3><div class="bubble">${b.text}</div></section><p><a href="/broadcast">返回群发</a></p>`;
}

/** The publicity compose form, with its draft key. */
export function publicityCompose(v: { csrf: string; draft: string; starts: string; title: string; days: number; defaultTitle?: string; error?: string; notice?: string }): Safe {
  return html`${v.error ? html`<p class="error" role="alert" id="notice">${v.error}</p>` : ''}${v.notice ? html`<p class="ok" role="status" id="notice">${v.notice}</p>` : ''}
<form method="post" action="/publicity/preview" class="card" id="publicity-form">${csrfField(v.csrf)}${draftField(v.draft)}<h2>发布${v.days}天公示</h2>
<label for="starts">开始日期</label><input type="date" id="starts" name="starts" required value="${v.starts}" min="2000-01-01" max="2100-12-31">
${v.defaultTitle
    ? html`<label for="title">标题（可不填）</label><input type="text" id="title" name="title" maxlength="200" value="${v.title}" placeholder="${v.defaultTitle}">`
    : html`<label for="title">标题</label><input type="text" id="title" name="title" maxlength="200" value="${v.title}" required>`}
<p class="muted">公示期 ${v.days} 天（含首日）。下一步先预览：看清标题、日期和通知人数后再确认发布。同一个公示期只能发布一次。</p>
<button type="submit" class="primary" id="publicity-preview">预览</button></form>`;
}

/** The publicity preview: what subscribers will read, when, how many; confirm carries the draft key. */
export function publicityPreview(v: { csrf: string; draft: string; starts: string; ends: string; title: string; untitled: boolean; recipients: number; notice: string; reminders: string[] }): Safe {
  return html`<section class="card" id="publicity-preview-card"><h2>确认发布公示</h2>
<table class="kv"><tr><th>标题</th><td id="pv-title">${v.title}${v.untitled ? html`<div class="error" id="untitled-warning">您没有填写标题，将使用上面的默认标题。</div>` : ''}</td></tr>
<tr><th>公示期</th><td>${formatDayZh(v.starts)}至${formatDayZh(v.ends)}，共 ${daysBetween(v.starts, v.ends) + 1} 天</td></tr>
<tr><th>通知对象</th><td>全部 <strong id="reach">${v.recipients}</strong> 位订阅者，确认后立即发送</td></tr>
<tr><th>之后的提醒</th><td>${v.reminders.length ? v.reminders.map(formatDayZh).join('、') : '—'}</td></tr></table>
<h3>订阅者将收到</h3><div class="bubble" id="pv-text">${v.notice}</div>
<form method="post" action="/publicity/send" class="confirm" data-once>${csrfField(v.csrf)}${draftField(v.draft)}<input type="hidden" name="starts" value="${v.starts}"><input type="hidden" name="title" value="${v.untitled ? '' : v.title}">
<button type="submit" class="primary" id="publicity-confirm">确认发布</button> <a href="/publicity?draft=${v.draft}">返回修改</a></form></section>`;
}

/** The publicity and awards page. */
export function publicityPage(v: { compose: Safe; publicity: PublicityRow[]; awards: AwardRow[]; awardName: string; csrf: string; today: string }): Safe {
  return html`${v.compose}
<section class="card"><h2>已发布的公示</h2>${
    v.publicity.length
      ? html`<table id="publicity-list"><thead><tr><th>编号</th><th>标题</th><th>公示期</th><th>下次提醒</th><th>发布人</th></tr></thead><tbody>${v.publicity.map(
          (p) => html`<tr><td>#${p.id}</td><td>${p.title}</td><td>${formatDayZh(p.starts)}至${formatDayZh(p.ends)}${p.ends < v.today ? html` <span class="muted">（已结束）</span>` : ''}</td><td>${p.nextReminderOn ? formatDayZh(p.nextReminderOn) : '—'}</td><td>${staffName(p.createdBy)}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">还没有发布过公示。</p>`
  }</section>
<section class="card"><h2>获奖登记与到期提醒</h2>${
    v.awards.length
      ? html`<table id="awards"><thead><tr><th>企业</th><th>奖项</th><th>获奖日期</th><th>有效期至</th><th>下次提醒</th><th></th></tr></thead><tbody>${v.awards.map(
          (a) => html`<tr><td class="company">${companyChatName(a.channel, a.chat, a.company)}</td><td>${v.awardName}</td><td>${formatDayZh(a.awardedOn)}</td><td class="${a.expires < v.today ? 'state-expired' : ''}">${formatDayZh(a.expires)}${a.expires < v.today ? '（已到期）' : ''}</td><td>${a.nextReminderOn ? formatDayZh(a.nextReminderOn) : '不再提醒'}</td>
<td><form method="post" action="/awards/remove" data-confirm="确定删除这条获奖登记吗？删除后不再发送它的到期提醒。">${csrfField(v.csrf)}<input type="hidden" name="id" value="${a.id}"><button type="submit" class="danger">删除</button></form></td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">还没有企业登记获奖（企业在聊天中发送 /award 获奖日期 即可登记）。</p>`
  }</section>`;
}

/** The unanswered-questions page: groups of similar wordings, open ones first. */
export function unansweredPage(groups: QuestionGroup[], csrf: string): Safe {
  if (groups.length === 0) return html`<p class="muted">还没有未能回答的问题。</p>`;
  const reason = (r: string) => (r === 'low_confidence' ? '把握不大' : '未收录');
  return html`<p class="muted">机器人回答“未收录”或把握不大的问题都记在这里，相似的问法归为一组。处理后（例如补充了文件）可标记为已处理；之后再有人这样问，这一组会重新出现。</p>
<table id="unanswered"><thead><tr><th>问题（最近的问法）</th><th>次数</th><th>最近一次</th><th>渠道</th><th>原因</th><th>机器人的回答</th><th></th></tr></thead><tbody>${groups.map(
    (g) => html`<tr class="${g.handled ? 'handled' : ''}"><td><strong>${g.example}</strong>${g.variants.length > 1 ? html`<div class="muted">其他问法：${g.variants.slice(1).join(' / ')}</div>` : ''}${g.frame ? html`<div class="muted frame">理解为：${frameLine(g.frame)}</div>` : ''}</td><td>${g.count}</td><td>${localTime(g.lastAt)}</td><td>${g.channels.map(channelName).join('、')}</td><td>${g.reasons.map(reason).join('、')}</td><td class="reply">${g.lastReply.slice(0, 160)}</td>
<td>${g.handled ? html`<span class="ok">已处理</span>` : html`<form method="post" action="/unanswered/handled">${csrfField(csrf)}<input type="hidden" name="wordings" value="${JSON.stringify(g.wordings)}"><button type="submit">标记已处理</button></form>`}</td></tr>`,
  )}</tbody></table>`;
}

/** A question tried on the documents page and the bot's answer to it. */
export interface TrialAnswer {
  question: string;
  answer: PolicyAnswer;
}

/** Result shown after an upload or removal. */
export type DocumentNotice = { ok: true; text: string } | { ok: false; problems: UploadProblem[] };

/** The documents page: loaded documents with their validity, upload and removal. */
export function documentsPage(v: { csrf: string; documents: PolicyDocument[]; units: Unit[]; files: string[]; notice?: DocumentNotice; trial?: TrialAnswer }, now: Date): Safe {
  const notice = v.notice
    ? v.notice.ok
      ? html`<p class="ok" role="status" id="notice">${v.notice.text}</p>`
      : html`<div class="error" role="alert" id="notice"><p>上传或删除没有完成，现有文件和机器人的回答都没有改变。请修改后重试：</p><ul>${v.notice.problems.map(
          (p) => html`<li>${p.file ? html`<code>${p.file}</code> ` : ''}${p.line !== undefined ? html`第 ${p.line} 行：` : p.field ? html`字段 <code>${p.field}</code>：` : ''}${p.message}</li>`,
        )}</ul></div>`
    : '';
  const byFile = v.files.map((f) => ({ file: f, docs: v.documents.filter((d) => d.file === f) }));
  return html`${notice}
<section class="card"><h2>已加载的文件</h2><table id="documents"><thead><tr><th>文件</th><th>标题</th><th>发文机关 / 文号</th><th>条款数</th><th>有效性（今天）</th><th></th></tr></thead><tbody>${byFile.map(
    ({ file, docs }) =>
      html`<tr><td><code>${file}</code></td><td>${docs.map((d) => html`<div>${d.title}</div>`)}</td><td>${docs[0]?.issuer ?? ''}${docs[0]?.docNumber ? html`<div class="muted">${docs[0].docNumber}</div>` : ''}</td><td>${docs.reduce((n, d) => n + v.units.filter((u) => u.docId === d.id).length, 0)}</td><td>${docs.map((d) => {
        const s = validityText(d, now);
        return html`<div class="state-${s.state}">${s.text}</div>`;
      })}</td><td><form method="post" action="/documents/remove" data-confirm="确定删除 ${file} 吗？删除后机器人不再引用它。">${csrfField(v.csrf)}<input type="hidden" name="file" value="${file}"><button type="submit" class="danger">删除</button></form></td></tr>`,
  )}</tbody></table></section>
<form method="post" action="/documents/upload" enctype="multipart/form-data" class="card" id="upload">${csrfField(v.csrf)}<h2>上传新文件</h2>
<p>UTF-8 编码的 <code>.txt</code> 文件。第一行非空文字是标题，可在标题前加一段元数据：</p>
<pre>---
issuer: 某市人民政府办公室
docNumber: 某府办〔2024〕1号
issued: 2024-01-02
effective: 2024-02-01
expires: 2029-01-31
---
某市某某产品质量奖励办法
第一条 ……</pre>
<label for="file">选择文件</label><input type="file" id="file" name="file" accept=".txt,text/plain" required>
<button type="submit" class="primary" id="upload-button">上传并启用</button>
<p class="muted">先检查文件，有错误会逐行指出，且不会改动任何东西；检查通过后立即生效，无需重启。</p></form>
<form method="get" action="/documents#try" class="card" id="try"><h2>试问机器人</h2>
<label for="q">问题</label><input type="text" id="q" name="q" maxlength="500" value="${v.trial?.question ?? ''}" placeholder="例如：优秀奖奖金多少">
<button type="submit">提问</button>
${v.trial ? html`<div class="bubble" id="trial-answer">${v.trial.answer.answer}</div>${v.trial.answer.found ? '' : html`<p class="muted">（这个问题现有文件没有覆盖）</p>`}` : ''}
<p class="muted">回答与聊天中完全一样，但不会记入未答问题。</p></form>`;
}

/** The audit page. */
export function auditPage(entries: AuditEntry[]): Safe {
  const ACTIONS: Record<string, string> = {
    signin: '登录',
    signin_refused: '登录被拒绝',
    signout: '退出',
    broadcast: '群发通知',
    broadcast_cancel: '取消群发',
    publicity: '发布公示',
    unanswered_handled: '标记问题已处理',
    document_upload: '上传文件',
    document_upload_rejected: '上传被拒绝',
    document_remove: '删除文件',
    award_remove: '删除获奖登记',
  };
  const REFUSALS: Record<string, string> = { used: '登录链接已用过', expired: '登录链接已过期', unknown: '登录链接无效' };
  const detail = (e: AuditEntry) =>
    e.action === 'signin_refused' ? (REFUSALS[e.detail] ?? e.detail.replace(/^(\S+) is no longer staff$/, (_, who: string) => `${staffName(who)} 已不在工作人员名单中`)) : e.detail;
  if (entries.length === 0) return html`<p class="muted">还没有操作记录。</p>`;
  return html`<table id="audit"><thead><tr><th>时间</th><th>工作人员</th><th>操作</th><th>详情</th></tr></thead><tbody>${entries.map(
    (e) => html`<tr><td>${localTime(e.at)}</td><td>${staffName(e.staff)}</td><td>${ACTIONS[e.action] ?? '其他操作'}</td><td>${detail(e)}</td></tr>`,
  )}</tbody></table>`;
}
