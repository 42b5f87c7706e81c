/** The staff console's SQL: sign-in links, sessions, the audit log, unanswered questions and dashboard queries. */
import { createHash, randomBytes } from 'node:crypto';
import { OUTBOX_PRIORITY, type AppStore } from '../storage/store.ts';
import { companyNameOf, loadProfileDef, sanitizeCompany } from '../dialogue/profile.ts';

/** How long a sign-in link stays valid. */
export const LINK_TTL_MS = 10 * 60_000;

/** How long a console session lasts without signing in again. */
export const SESSION_TTL_MS = 12 * 3600_000;

/** The part of the store the console needs. */
export type ConsoleStore = Pick<AppStore, 'runExclusive'>;

/** SHA-256 of a secret, so the database never holds a usable token. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A fresh random secret, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Creates a one-time sign-in token for `staff` (a "channel:id" address), valid for ten minutes from `now`. */
export async function createSignInToken(db: ConsoleStore, staff: string, now: Date): Promise<string> {
  const token = newSecret();
  await db.runExclusive(async (c) => {
    await c.run('DELETE FROM staff_links WHERE expires_at < ?', [now.getTime() - 24 * 3600_000]);
    await c.run('INSERT INTO staff_links (token_hash, staff, created_at, expires_at) VALUES (?, ?, ?, ?)', [hashSecret(token), staff, now.getTime(), now.getTime() + LINK_TTL_MS]);
  }, true);
  return token;
}

/** Why a sign-in token was refused. */
export type TokenRefusal = 'unknown' | 'used' | 'expired';

/** Uses a sign-in token once: resolves the staff address, or why it was refused; a used token never works again. */
export async function redeemSignInToken(db: ConsoleStore, token: string, now: Date): Promise<{ staff: string } | { refused: TokenRefusal }> {
  return db.runExclusive(async (c) => {
    const row = await c.get<{ staff: string; expires_at: number; used_at: number | null }>('SELECT staff, expires_at, used_at FROM staff_links WHERE token_hash = ?', [hashSecret(token)]);
    if (!row) return { refused: 'unknown' as const };
    if (row.used_at !== null) return { refused: 'used' as const };
    if (row.expires_at < now.getTime()) return { refused: 'expired' as const };
    const r = await c.run('UPDATE staff_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL', [now.getTime(), hashSecret(token)]);
    return r.changes === 1 ? { staff: row.staff } : { refused: 'used' as const };
  }, true);
}

/** Opens a session for `staff`; resolves the session id to put in the cookie. */
export async function createSession(db: ConsoleStore, staff: string, now: Date): Promise<string> {
  const id = newSecret();
  await db.runExclusive(async (c) => {
    await c.run('DELETE FROM staff_sessions WHERE expires_at < ?', [now.getTime()]);
    await c.run('INSERT INTO staff_sessions (id_hash, staff, created_at, expires_at) VALUES (?, ?, ?, ?)', [hashSecret(id), staff, now.getTime(), now.getTime() + SESSION_TTL_MS]);
  }, true);
  return id;
}

/** The staff address of a live session, or undefined. */
export async function sessionStaff(db: ConsoleStore, id: string, now: Date): Promise<string | undefined> {
  const row = await db.runExclusive((c) => c.get<{ staff: string; expires_at: number }>('SELECT staff, expires_at FROM staff_sessions WHERE id_hash = ?', [hashSecret(id)]));
  return row && row.expires_at >= now.getTime() ? row.staff : undefined;
}

/** Ends a session. */
export async function endSession(db: ConsoleStore, id: string): Promise<void> {
  await db.runExclusive((c) => c.run('DELETE FROM staff_sessions WHERE id_hash = ?', [hashSecret(id)]));
}

/** One recorded staff action. */
export interface AuditEntry {
  at: number;
  staff: string;
  action: string;
  detail: string;
}

/** Records a staff action: who, what, when. */
export async function audit(db: ConsoleStore, staff: string, action: string, detail: string, now: Date): Promise<void> {
  await db.runExclusive((c) => c.run('INSERT INTO staff_audit (at, staff, action, detail) VALUES (?, ?, ?, ?)', [now.getTime(), staff, action, detail.slice(0, 2000)]));
}

/** The most recent staff actions, newest first. */
export function listAudit(db: ConsoleStore, limit: number): Promise<AuditEntry[]> {
  return db.runExclusive((c) => c.all<AuditEntry>('SELECT at, staff, action, detail FROM staff_audit ORDER BY at DESC, id DESC LIMIT ?', [limit]));
}

/** A question the bot could not answer well. */
export interface UnansweredEntry {
  at: number;
  channel: string;
  chat: string;
  question: string;
  /** The normalised wording questions are grouped by. */
  wording: string;
  /** not_covered or low_confidence. */
  reason: string;
  reply: string;
}

/** Logs a question answered "not covered" or with low confidence. */
export async function logUnanswered(db: ConsoleStore, e: UnansweredEntry): Promise<void> {
  await db.runExclusive((c) =>
    c.run('INSERT INTO unanswered (at, channel, chat, question, wording, reason, reply) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      e.at,
      e.channel,
      e.chat,
      e.question.slice(0, 2000),
      e.wording.slice(0, 500),
      e.reason,
      e.reply.slice(0, 4000),
    ]),
  );
}

/** Logged questions, newest first, with the time their wording was marked handled (if it was). */
export function listUnanswered(db: ConsoleStore, limit: number): Promise<(UnansweredEntry & { handledAt: number | null })[]> {
  return db.runExclusive((c) =>
    c.all<UnansweredEntry & { handledAt: number | null }>(
      `SELECT u.at, u.channel, u.chat, u.question, u.wording, u.reason, u.reply, h.handled_at AS handledAt
       FROM unanswered u LEFT JOIN unanswered_handled h ON h.wording = u.wording ORDER BY u.at DESC, u.id DESC LIMIT ?`,
      [limit],
    ),
  );
}

/** Marks wordings handled at `now`; a later question with the same wording opens the group again. */
export async function markHandled(db: ConsoleStore, wordings: string[], staff: string, now: Date): Promise<void> {
  await db.runExclusive(async (c) => {
    for (const w of wordings) {
      await c.run('INSERT INTO unanswered_handled (wording, handled_at, handled_by) VALUES (?, ?, ?) ON CONFLICT (wording) DO UPDATE SET handled_at = excluded.handled_at, handled_by = excluded.handled_by', [
        w,
        now.getTime(),
        staff,
      ]);
    }
  }, true);
}

/** Active subscribers per channel and per tag. */
export async function subscriberCounts(db: ConsoleStore): Promise<{ total: number; byChannel: { channel: string; n: number }[]; byTag: { tag: string; n: number }[] }> {
  return db.runExclusive(async (c) => {
    const byChannel = await c.all<{ channel: string; n: number }>('SELECT channel, COUNT(*) AS n FROM subscribers WHERE active = 1 GROUP BY channel ORDER BY channel');
    const rows = await c.all<{ tags: string }>('SELECT tags FROM subscribers WHERE active = 1');
    const tags = new Map<string, number>();
    for (const r of rows) for (const t of JSON.parse(r.tags) as string[]) tags.set(t, (tags.get(t) ?? 0) + 1);
    const byTag = [...tags].map(([tag, n]) => ({ tag, n })).sort((a, b) => b.n - a.n || a.tag.localeCompare(b.tag));
    return { total: rows.length, byChannel, byTag };
  });
}

/** Outbox rows by state created (queued) or settled within the window ending at `now`. */
export async function deliveryCounts(db: ConsoleStore, now: Date, windowMs = 24 * 3600_000): Promise<{ queued: number; sent: number; failed: number; cancelled: number }> {
  return db.runExclusive(async (c) => {
    const since = now.getTime() - windowMs;
    const row = await c.get<{ queued: number | null; sent: number | null; failed: number | null; cancelled: number | null }>(
      `SELECT SUM(CASE WHEN state IN ('pending', 'sending') THEN 1 ELSE 0 END) AS queued,
              SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END) AS sent,
              SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed,
              SUM(CASE WHEN state = 'cancelled' THEN 1 ELSE 0 END) AS cancelled
       FROM outbox WHERE created_at >= ? OR sent_at >= ? OR state IN ('pending', 'sending')`,
      [since, since],
    );
    return { queued: row?.queued ?? 0, sent: row?.sent ?? 0, failed: row?.failed ?? 0, cancelled: row?.cancelled ?? 0 };
  });
}

/** A reminder the scheduler will send on a coming day. */
export interface UpcomingReminder {
  kind: 'award' | 'publicity';
  id: number;
  on: string;
  /** The award's grant date or the publicity's title. */
  what: string;
  /** The award's last valid day or the publicity's last day. */
  until: string;
  channel?: string;
  chat?: string;
  /** The company's name, for an award whose chat gave one. */
  company?: string;
}

/** The next reminders due, earliest first. */
export async function upcomingReminders(db: ConsoleStore, limit: number): Promise<UpcomingReminder[]> {
  return db.runExclusive(async (c) => {
    const awards = await c.all<{ id: number; on: string; awarded_on: string; expires: string; channel: string; chat: string; state: string | null }>(
      `SELECT a.id, a.next_reminder_on AS "on", a.awarded_on, a.expires, a.channel, a.chat, s.state
       FROM awards a LEFT JOIN chat_state s ON s.channel = a.channel AND s.chat = a.chat WHERE a.next_reminder_on IS NOT NULL ORDER BY a.next_reminder_on, a.id LIMIT ?`,
      [limit],
    );
    const pubs = await c.all<{ id: number; on: string; title: string; ends: string }>(
      'SELECT id, next_reminder_on AS "on", title, ends FROM publicity WHERE next_reminder_on IS NOT NULL ORDER BY next_reminder_on, id LIMIT ?',
      [limit],
    );
    const all: UpcomingReminder[] = [
      ...awards.map((a) => ({ kind: 'award' as const, id: a.id, on: a.on, what: a.awarded_on, until: a.expires, channel: a.channel, chat: a.chat, company: companyOfState(a.state) })),
      ...pubs.map((p) => ({ kind: 'publicity' as const, id: p.id, on: p.on, what: p.title, until: p.ends })),
    ];
    return all.sort((a, b) => a.on.localeCompare(b.on) || a.id - b.id).slice(0, limit);
  });
}

/** One award registration with its coming reminder. */
export interface AwardRow {
  id: number;
  channel: string;
  chat: string;
  awardedOn: string;
  expires: string;
  nextReminderOn: string | null;
  /** The company's name, when the chat gave one in its profile ("我们公司叫…"). */
  company?: string;
}

/** The company name a saved chat state holds, if any (the profile's name field; nothing when the state cannot be read). */
function companyOfState(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const def = loadProfileDef();
    return companyNameOf(sanitizeCompany((JSON.parse(raw) as { company?: unknown } | null)?.company, def), def);
  } catch {
    return undefined;
  }
}

/** Award registrations, soonest expiry first, each with the company name its chat gave. */
export async function listAllAwards(db: ConsoleStore, limit: number): Promise<AwardRow[]> {
  const rows = await db.runExclusive((c) =>
    c.all<AwardRow & { state: string | null }>(
      `SELECT a.id, a.channel, a.chat, a.awarded_on AS "awardedOn", a.expires, a.next_reminder_on AS "nextReminderOn", s.state
       FROM awards a LEFT JOIN chat_state s ON s.channel = a.channel AND s.chat = a.chat ORDER BY a.expires, a.id LIMIT ?`,
      [limit],
    ),
  );
  return rows.map(({ state, ...a }) => {
    const company = companyOfState(state);
    return company ? { ...a, company } : a;
  });
}

/** One announced publicity. */
export interface PublicityRow {
  id: number;
  title: string;
  starts: string;
  ends: string;
  createdBy: string;
  nextReminderOn: string | null;
}

/** Announced publicity periods, newest first. */
export function listAllPublicity(db: ConsoleStore, limit: number): Promise<PublicityRow[]> {
  return db.runExclusive((c) =>
    c.all<PublicityRow>('SELECT id, title, starts, ends, created_by AS createdBy, next_reminder_on AS nextReminderOn FROM publicity ORDER BY starts DESC, id DESC LIMIT ?', [limit]),
  );
}

/** Cancels a broadcast's deliveries that are still waiting; resolves how many were cancelled. */
export function cancelQueued(db: ConsoleStore, broadcastId: string): Promise<number> {
  if (!/^\d+$/.test(broadcastId)) return Promise.resolve(0);
  return db.runExclusive(
    async (c) => (await c.run(`UPDATE outbox SET state = 'cancelled', last_error = 'cancelled by staff' WHERE broadcast_id = ? AND state = 'pending'`, [Number(broadcastId)])).changes,
    true,
  );
}

/** Escapes LIKE wildcards so a value matches literally (with ESCAPE '\'), as the store does for tags. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** SQL matching active subscribers carrying any of `tags` (a JSON array column holding the tag as a whole element). */
function anyTagWhere(tags: string[]): { where: string; params: string[] } {
  return { where: `active = 1 AND (${tags.map(() => "tags LIKE ? ESCAPE '\\'").join(' OR ')})`, params: tags.map((t) => `%${likeLiteral(JSON.stringify(t))}%`) };
}

/** Active subscribers carrying at least one of `tags`, each counted once. */
export async function countAnyTag(db: ConsoleStore, tags: string[]): Promise<number> {
  const { where, params } = anyTagWhere(tags);
  return db.runExclusive(async (c) => (await c.get<{ n: number }>(`SELECT COUNT(*) AS n FROM subscribers WHERE ${where}`, params))?.n ?? 0);
}

/**
 * A broadcast to the subscribers carrying any of several tags, each reached once: the same broadcast row and the same
 * outbox rows (key `broadcast:<id>:<channel>:<chat>`, kind broadcast) as the store's `createBroadcast` writes for one
 * tag, in one transaction, so the delivery service paces, reports and cancels it like any other.
 */
export async function createAnyTagBroadcast(
  db: ConsoleStore,
  b: { senderChannel: string; senderChat: string; text: string; tags: string[] },
  at: Date,
): Promise<{ id: string; recipients: number }> {
  const { where, params } = anyTagWhere(b.tags);
  return db.runExclusive(async (c) => {
    const r = await c.run('INSERT INTO broadcasts (sender_channel, sender_chat, text, tag, recipients, created_at, report_sent) VALUES (?, ?, ?, ?, 0, ?, 0)', [
      b.senderChannel,
      b.senderChat,
      b.text,
      b.tags.join('、'),
      at.getTime(),
    ]);
    const id = r.lastID;
    const fan = await c.run(
      `INSERT INTO outbox (key, kind, channel, chat, text, data, due_at, state, attempts, broadcast_id, created_at, priority)
       SELECT ? || channel || ':' || chat, 'broadcast', channel, chat, ?, ?, 0, 'pending', 0, ?, ?, ${OUTBOX_PRIORITY.bulk}
       FROM subscribers WHERE ${where}
       ON CONFLICT (key) DO NOTHING`,
      [`broadcast:${id}:`, b.text, JSON.stringify({ broadcast: { id: String(id) } }), id, at.getTime(), ...params],
    );
    await c.run('UPDATE broadcasts SET recipients = ?, report_sent = ? WHERE id = ?', [fan.changes, fan.changes === 0 ? 1 : 0, id]);
    return { id: String(id), recipients: fan.changes };
  }, true);
}

/** One award registration by id. */
export async function getAward(db: ConsoleStore, id: number): Promise<AwardRow | undefined> {
  const row = await db.runExclusive((c) =>
    c.get<AwardRow & { state: string | null }>(
      `SELECT a.id, a.channel, a.chat, a.awarded_on AS "awardedOn", a.expires, a.next_reminder_on AS "nextReminderOn", s.state
       FROM awards a LEFT JOIN chat_state s ON s.channel = a.channel AND s.chat = a.chat WHERE a.id = ?`,
      [id],
    ),
  );
  if (!row) return undefined;
  const { state, ...award } = row;
  const company = companyOfState(state);
  return company ? { ...award, company } : award;
}

/** The publicity already announced for the period starting on `starts` (a period is one publicity, whatever its title). */
export async function publicityOnPeriod(db: ConsoleStore, starts: string): Promise<PublicityRow | undefined> {
  return db.runExclusive((c) =>
    c.get<PublicityRow>('SELECT id, title, starts, ends, created_by AS createdBy, next_reminder_on AS nextReminderOn FROM publicity WHERE starts = ? ORDER BY id LIMIT 1', [starts]),
  );
}

/** How many subscribers a publicity's start notice was queued for. */
export async function publicityRecipients(db: ConsoleStore, id: number): Promise<number> {
  const prefix = `publicity:${id}:start:`;
  return db.runExclusive(async (c) => (await c.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE key >= ? AND key < ?", [prefix, `publicity:${id}:start;`]))?.n ?? 0);
}
