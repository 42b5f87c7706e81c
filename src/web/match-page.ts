/** The console's match-notice section: for each award, the subscribers it may fit, a preview, and the staff's confirm. */
import { awardProblems, configuredAwards } from '../dialogue/award-loader.ts';
import type { AwardRules } from '../dialogue/award-rules.ts';
import { awardVersion, noticeCandidates, noticeKeyPrefix, type NoticeCandidate } from '../dialogue/match-notice.ts';
import { loadProfileDef } from '../dialogue/profile.ts';
import type { SchedulingStore } from '../storage/store.ts';
import type { ConsoleStore } from './console-db.ts';
import { html, type Safe } from './html.ts';
import { activeSubscriberStates, cancelIfOptedOut, queuedKeys } from './match-db.ts';

/** One award's pending notices: those it may fit that were not notified for this version of its rules file. */
export interface PendingMatch {
  award: AwardRules;
  version: string;
  pending: NoticeCandidate[];
  /** Notices of this version queued already. */
  queued: number;
}

/** The pending notices of every award (read fresh from the rules directory, so a file dropped in shows at once). */
export async function pendingMatches(db: ConsoleStore, now: Date, awards: readonly AwardRules[] = configuredAwards()): Promise<PendingMatch[]> {
  const subscribers = await activeSubscriberStates(db);
  const def = loadProfileDef();
  const out: PendingMatch[] = [];
  for (const award of awards) {
    const queued = await queuedKeys(db, noticeKeyPrefix(award));
    const all = noticeCandidates(award, subscribers, def, now);
    out.push({ award, version: awardVersion(award), pending: all.filter((c) => !queued.has(c.key)), queued: queued.size });
  }
  return out;
}

/**
 * Queues the notices of one award version after staff confirm: recomputed at this moment (opt-outs and unsubscribes
 * of the last minute count), each under its own outbox key, so a second click or a resent form queues nothing twice.
 * Resolves how many were queued; 0 when the version shown is no longer the file's.
 */
export async function confirmMatch(db: ConsoleStore & SchedulingStore, awardId: string, version: string, now: Date, awards: readonly AwardRules[] = configuredAwards()): Promise<number> {
  const award = awards.find((a) => a.id === awardId);
  if (!award || awardVersion(award) !== version) return 0;
  const candidates = noticeCandidates(award, await activeSubscriberStates(db), loadProfileDef(), now);
  let queued = 0;
  for (const c of candidates) {
    // Kind broadcast: a notice to a subscriber, cancelled if the chat unsubscribes before it is delivered.
    const created = await db.enqueue({ key: c.key, kind: 'broadcast', channel: c.channel, chat: c.chat, text: c.text, data: { matchNotice: { award: award.id, verdict: c.line.verdict } }, dueAt: 0 }, now);
    // A chat that turned match notices off after its state was read above: its opt-out cancelled nothing yet, so cancel here.
    if (created && (await cancelIfOptedOut(db, c.channel, c.chat)) === 0) queued += 1;
  }
  return queued;
}

/** The page: per award, "N 家可能符合", a preview of the first notice and a confirm button. */
export function matchPage(list: readonly PendingMatch[], csrf: string, done?: { award: string; queued: number }): Safe {
  const rows = list.map((m) => {
    const n = m.pending.length;
    const preview = m.pending[0];
    return html`<section class="card"><h2>${m.award.name}</h2>
<p><strong>${n} 家可能符合</strong>（已通知 ${m.queued} 家；规则版本 ${m.version}）</p>
${preview ? html`<p>通知预览（发给 ${preview.channel}:${preview.chat}）：</p><pre class="preview">${preview.text}</pre>
<p>收件人：${m.pending.map((c) => `${c.channel}:${c.chat}（${c.line.verdict === 'eligible' ? '可能符合' : '差1题'}）`).join('、')}</p>
<form method="post" action="/matches/send"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="award" value="${m.award.id}"><input type="hidden" name="version" value="${m.version}"><button type="submit">确认发送给这 ${n} 家</button></form>` : html`<p>没有待通知的订阅者。</p>`}
</section>`;
  });
  const note = done ? html`<p class="ok">已排队发送 ${done.queued} 条匹配提醒（${done.award}），将按频率限制陆续送达；已退订或关闭匹配提醒的不会收到。</p>` : '';
  const problems = awardProblems();
  const bad = problems.length
    ? html`<div class="error" role="alert" id="rules-problems"><p>以下奖项规则文件有误，仍在使用其上一版有效规则（新文件则暂不加载），请修正：</p><ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`
    : '';
  return html`${note}${bad}<p>新增或修改奖项规则文件后，这里列出资料显示“可能符合”或“只差1个问题”的订阅企业。确认后才会发送，每家每个版本只发一次。</p>${rows}`;
}
