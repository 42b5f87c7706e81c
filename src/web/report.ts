/**
 * Delivery reports that tell the truth: every count comes from the outbox rows, one reason per state, in words a
 * clerk understands, and the counts add up to the reach.
 */
import type { ConsoleStore } from './console-db.ts';
import { channelName } from './names.ts';

/** Outbox rows grouped by what happened to them. */
export interface OutboxGroup {
  state: string;
  channel: string;
  lastError: string | null;
  n: number;
}

/** One line of a report. */
export interface ReportLine {
  /** Stable key for tests and styling: sent, failed, cancelled_staff, skipped_unsubscribed, cancelled_other, waiting_channel, retrying, queued. */
  key: string;
  /** What happened, in words. */
  label: string;
  n: number;
  /** Why, when there is more to say (the platform's error, the channel waiting for its connection). */
  detail?: string;
}

/** A report: its lines (in a fixed order) and their total, which is the reach. */
export interface DeliveryReport {
  total: number;
  lines: ReportLine[];
  /** Messages still to go out (queued, retrying or waiting for a channel). */
  open: number;
  /** Messages waiting only because their channel is not connected. */
  waitingForChannel: number;
}

/** The outbox rows of one broadcast, grouped. */
export function broadcastGroups(db: ConsoleStore, broadcastId: string): Promise<OutboxGroup[]> {
  return db.runExclusive((c) =>
    c.all<OutboxGroup>('SELECT state, channel, last_error AS lastError, COUNT(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY state, channel, last_error', [Number(broadcastId)]),
  );
}

/** Outbox rows created or settled in the window ending at `now`, and every row still open, grouped. */
export function recentGroups(db: ConsoleStore, now: Date, windowMs = 24 * 3600_000): Promise<OutboxGroup[]> {
  const since = now.getTime() - windowMs;
  return db.runExclusive((c) =>
    c.all<OutboxGroup>(
      `SELECT state, channel, last_error AS lastError, COUNT(*) AS n FROM outbox
       WHERE created_at >= ? OR sent_at >= ? OR state IN ('pending', 'sending') GROUP BY state, channel, last_error`,
      [since, since],
    ),
  );
}

/** A platform's error message in words, with the original kept after it. */
export function errorInWords(error: string | null): string {
  if (!error) return '原因不明';
  const e = error.toLowerCase();
  const known: [RegExp, string][] = [
    [/blocked by the user|bot was blocked/, '对方已屏蔽机器人'],
    [/chat not found|user not found|peer_id_invalid/, '找不到这个聊天（对方可能已删除会话）'],
    [/deactivated|deleted/, '对方账号已停用'],
    [/kicked|not a member/, '机器人已被移出群聊'],
    [/too many requests|retry after|flood/, '平台限流'],
    [/timeout|timed out|etimedout|econnreset|network|socket/, '网络问题'],
    [/logged out|not logged in|logout|login/, '微信未登录'],
    [/no channel|not connected|not running/, '渠道未连接'],
  ];
  const hit = known.find(([re]) => re.test(e));
  const original = error.length > 120 ? `${error.slice(0, 120)}…` : error;
  return hit ? `${hit[1]}（平台信息：${original}）` : `平台返回的错误：${original}`;
}

/** Turns grouped outbox rows into report lines; `connected` names the channels that can send right now. */
export function deliveryReport(groups: OutboxGroup[], connected: ReadonlySet<string>): DeliveryReport {
  const lines = new Map<string, ReportLine>();
  const add = (key: string, label: string, n: number, detail?: string) => {
    const id = detail ? `${key}\u0000${detail}` : key;
    const line = lines.get(id) ?? { key, label, n: 0, ...(detail ? { detail } : {}) };
    line.n += n;
    lines.set(id, line);
  };
  let waitingForChannel = 0;
  for (const g of groups) {
    if (g.state === 'sent') add('sent', '已送达', g.n);
    else if (g.state === 'failed') add('failed', '发送失败', g.n, errorInWords(g.lastError));
    else if (g.state === 'cancelled') {
      if (g.lastError === 'cancelled by staff') add('cancelled_staff', '已由工作人员取消', g.n);
      else if (g.lastError === 'unsubscribed') add('skipped_unsubscribed', '未发送：对方在发送前已退订', g.n);
      else if (g.lastError === 'award removed') add('cancelled_other', '已取消：获奖登记已删除', g.n);
      else add('cancelled_other', '已取消', g.n);
    } else if (!connected.has(g.channel)) {
      waitingForChannel += g.n;
      add('waiting_channel', `等待中：${channelName(g.channel)}没有连接`, g.n, `${channelName(g.channel)}连接后会自动发送；也可以取消尚未发送的部分。`);
    } else if (g.lastError) add('retrying', '等待重试', g.n, `上次没有发出：${errorInWords(g.lastError)}`);
    else add('queued', '排队待发送', g.n);
  }
  const ORDER = ['sent', 'queued', 'retrying', 'waiting_channel', 'failed', 'cancelled_staff', 'skipped_unsubscribed', 'cancelled_other'];
  const sorted = [...lines.values()].sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key));
  const total = sorted.reduce((n, l) => n + l.n, 0);
  const open = sorted.filter((l) => l.key === 'queued' || l.key === 'retrying' || l.key === 'waiting_channel').reduce((n, l) => n + l.n, 0);
  return { total, lines: sorted, open, waitingForChannel };
}

/** A report in one sentence, for lists: "已送达 8，已由工作人员取消 2，共 10 位". */
export function reportSentence(r: DeliveryReport): string {
  if (r.total === 0) return '没有收件人';
  return `${r.lines.map((l) => `${l.label} ${l.n}`).join('，')}；共 ${r.total} 位`;
}
