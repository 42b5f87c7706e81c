/** Row shapes of the shared tables and their conversion to the store's types. */
import type { Choice } from '../store.ts';
import type { AwardRecord, BroadcastStats, OutboxItem, OutboxKind, OutboxState, Subscriber } from '../store.ts';

export interface OutboxRow {
  id: number;
  key: string;
  kind: OutboxKind;
  channel: string;
  chat: string;
  text: string;
  choices: string | null;
  data: string | null;
  due_at: number;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  broadcast_id: number | null;
  priority: number;
}

export interface AwardRow {
  id: number;
  channel: string;
  chat: string;
  awarded_on: string;
  expires: string;
  next_reminder_on: string | null;
  last_kind: string | null;
}

export interface PublicityRow {
  id: number;
  title: string;
  starts: string;
  ends: string;
  next_reminder_on: string | null;
  last_kind: string | null;
}

export interface SubscriberRow {
  channel: string;
  chat: string;
  tags: string;
  subscribed_at: number;
  active: number;
}

export interface BroadcastRow {
  id: number;
  sender_channel: string;
  sender_chat: string;
  text: string;
  tag: string | null;
  recipients: number;
  created_at: number;
  report_sent: number;
  delivered: number | null;
  failed: number | null;
  pending: number | null;
  cancelled: number | null;
}

export const OUTBOX_COLUMNS = 'id, key, kind, channel, chat, text, choices, data, due_at, state, attempts, last_error, broadcast_id, priority';

export function toOutboxItem(r: OutboxRow): OutboxItem {
  const item: OutboxItem = {
    id: r.id,
    key: r.key,
    kind: r.kind,
    channel: r.channel,
    chat: r.chat,
    text: r.text,
    dueAt: r.due_at,
    attempts: r.attempts,
    state: r.state,
    priority: Number(r.priority),
  };
  if (r.choices !== null) item.choices = JSON.parse(r.choices) as Choice[];
  if (r.data !== null) item.data = JSON.parse(r.data) as Record<string, unknown>;
  if (r.broadcast_id !== null) item.broadcastId = String(r.broadcast_id);
  if (r.last_error !== null) item.lastError = r.last_error;
  return item;
}

export function toAward(r: AwardRow): AwardRecord {
  return { id: r.id, channel: r.channel, chat: r.chat, awardedOn: r.awarded_on, expires: r.expires };
}

export function toSubscriber(r: SubscriberRow): Subscriber {
  return {
    channel: r.channel,
    chat: r.chat,
    tags: JSON.parse(r.tags) as string[],
    active: r.active === 1,
    subscribedAt: r.subscribed_at,
  };
}

export function toBroadcast(r: BroadcastRow): BroadcastStats {
  const b: BroadcastStats = {
    id: String(r.id),
    senderChannel: r.sender_channel,
    senderChat: r.sender_chat,
    text: r.text,
    createdAt: r.created_at,
    recipients: r.recipients,
    delivered: r.delivered ?? 0,
    failed: r.failed ?? 0,
    pending: r.pending ?? 0,
    cancelled: r.cancelled ?? 0,
    reportSent: r.report_sent === 1,
  };
  if (r.tag !== null) b.tag = r.tag;
  return b;
}

/** Escapes LIKE wildcards so a value matches literally (with ESCAPE '\'). */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern matching a JSON tag array that contains `tag` as a whole element. */
export function tagPattern(tag: string): string {
  return `%${likeLiteral(JSON.stringify(tag))}%`;
}
