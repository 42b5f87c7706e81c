/** Outbox conventions: idempotency keys, retry backoff, per-channel pacing and the broadcast report. */
import type { BroadcastStats, NewOutboxItem } from '../storage/store.ts';

/** Due time meaning "send at once", whatever the clock says. */
export const IMMEDIATE = 0;

/** Key of one award reminder; one award gets each stage at most once. */
export function awardReminderKey(awardId: number, stage: string): string {
  return `award:${awardId}:${stage}`;
}

/** Key prefix of one publicity reminder; the store appends `channel:chat` for each subscriber. */
export function publicityKeyPrefix(publicityId: number, stage: string): string {
  return `publicity:${publicityId}:${stage}:`;
}

/** Key of the sender's report of a broadcast. */
export function broadcastReportKey(broadcastId: string): string {
  return `broadcast-report:${broadcastId}`;
}

/** Retry settings. */
export interface RetryPolicy {
  /** First retry delay, doubled on each further attempt. */
  baseBackoffMs: number;
  /** Longest retry delay. */
  maxBackoffMs: number;
}

/** Delay before the next attempt after `attempts` failed ones: exponential backoff, never shorter than the platform's retry-after. */
export function retryDelayMs(attempts: number, retryAfterMs: number | undefined, policy: RetryPolicy): number {
  const backoff = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(retryAfterMs ?? 0, backoff);
}

/** Pacing limits of one channel. */
export interface PaceLimits {
  /** Smallest gap between two sends on the channel (1000 / messages per second). */
  minIntervalMs: number;
  /** Smallest gap between two sends to the same chat. */
  perChatIntervalMs: number;
}

/**
 * Keeps one channel's sends under its rate limits: an overall gap, a per-chat gap and pauses the platform asks for.
 * Times come from the caller's clock (the delivery pass clock, which follows simulated time in tests); every wait is
 * capped at the limit that caused it, so a clock that jumps backwards cannot stall the channel.
 */
export class Pacer {
  private nextAt = -Infinity;
  private pausedUntil = -Infinity;
  private pauseMs = 0;
  private readonly chatNext = new Map<string, number>();

  /** Builds a pacer for one channel's limits. */
  constructor(readonly limits: PaceLimits) {}

  /** Milliseconds to wait at time `now` before a send to `chat` may start; 0 when it may start now. */
  waitMs(chat: string, now: number): number {
    const channelWait = Math.min(this.nextAt - now, this.limits.minIntervalMs);
    const pauseWait = Math.min(this.pausedUntil - now, this.pauseMs);
    const chatWait = Math.min((this.chatNext.get(chat) ?? -Infinity) - now, this.limits.perChatIntervalMs);
    return Math.max(0, channelWait, pauseWait, chatWait);
  }

  /** Records that a send to `chat` starts at `now`. */
  started(chat: string, now: number): void {
    this.nextAt = now + this.limits.minIntervalMs;
    if (this.limits.perChatIntervalMs > 0) {
      this.chatNext.set(chat, now + this.limits.perChatIntervalMs);
      if (this.chatNext.size > 10_000) {
        for (const [c, t] of this.chatNext) if (t <= now) this.chatNext.delete(c);
      }
    }
  }

  /** Holds every send on the channel for `ms` from `now` (a platform's retry-after applies to the whole bot). */
  pause(ms: number, now: number): void {
    if (now + ms > this.pausedUntil) {
      this.pausedUntil = now + ms;
      this.pauseMs = ms;
    }
  }
}

/** The sender's report of a settled broadcast, as an outbox item. */
export function broadcastReport(b: BroadcastStats): NewOutboxItem {
  return {
    key: broadcastReportKey(b.id),
    kind: 'report',
    channel: b.senderChannel,
    chat: b.senderChat,
    text: broadcastReportText(b),
    data: broadcastReportData(b),
    dueAt: IMMEDIATE,
  };
}

/** Text of a broadcast report. */
export function broadcastReportText(b: BroadcastStats): string {
  const audience = b.tag ? `标签“${b.tag}”的订阅者` : '全部订阅者';
  const head = b.recipients === 0 ? `广播 #${b.id} 没有发出：当前没有${b.tag ? audience : '订阅者'}。` : `广播 #${b.id}（${audience}，共 ${b.recipients} 位）发送报告：`;
  let body = `已送达 ${b.delivered}，失败 ${b.failed}，待发送 ${b.pending}`;
  // A row is cancelled when its chat unsubscribed or when staff cancelled the rest of the broadcast: no single cause.
  if (b.cancelled > 0) body += `，未发送 ${b.cancelled}（退订或被工作人员取消）`;
  return `${head}${body}。`;
}

/** Machine-readable part of a broadcast report. */
export function broadcastReportData(b: BroadcastStats): Record<string, unknown> {
  return {
    broadcast_report: { id: b.id, recipients: b.recipients, delivered: b.delivered, failed: b.failed, pending: b.pending, cancelled: b.cancelled },
  };
}
