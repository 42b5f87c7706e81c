/** Versioned schema migrations; the database records the applied version in PRAGMA user_version. */

/** One schema step: plain SQL that another engine could run with little change. */
export interface Migration {
  /** Schema version after this step; versions start at 1 and increase by one. */
  version: number;
  /** What the step does, for logs. */
  description: string;
  /** SQL statements, separated by semicolons, run in one transaction. */
  sql: string;
}

/** Every migration in order; append new steps, never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'chat state, subscribers, awards, publicity, outbox, broadcasts, seen updates',
    sql: `
      CREATE TABLE chat_state (
        channel TEXT NOT NULL,
        chat TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (channel, chat)
      );

      CREATE TABLE subscribers (
        channel TEXT NOT NULL,
        chat TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        subscribed_at INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (channel, chat)
      );
      CREATE INDEX subscribers_active ON subscribers (active);

      CREATE TABLE awards (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        chat TEXT NOT NULL,
        awarded_on TEXT NOT NULL,
        expires TEXT NOT NULL,
        next_reminder_on TEXT,
        last_kind TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX awards_next_reminder_on ON awards (next_reminder_on);
      CREATE INDEX awards_chat ON awards (channel, chat);

      CREATE TABLE publicity (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        starts TEXT NOT NULL,
        ends TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        next_reminder_on TEXT,
        last_kind TEXT
      );
      CREATE INDEX publicity_next_reminder_on ON publicity (next_reminder_on);

      CREATE TABLE broadcasts (
        id INTEGER PRIMARY KEY,
        sender_channel TEXT NOT NULL,
        sender_chat TEXT NOT NULL,
        text TEXT NOT NULL,
        tag TEXT,
        recipients INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        report_sent INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX broadcasts_report_sent ON broadcasts (report_sent);

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        chat TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT,
        due_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        broadcast_id INTEGER,
        created_at INTEGER NOT NULL,
        claimed_at INTEGER,
        sent_at INTEGER
      );
      CREATE INDEX outbox_due ON outbox (state, channel, due_at);
      CREATE INDEX outbox_broadcast ON outbox (broadcast_id, state);
      CREATE INDEX outbox_chat ON outbox (channel, chat, state);

      CREATE TABLE seen_updates (
        channel TEXT NOT NULL,
        update_id TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (channel, update_id)
      );
      CREATE INDEX seen_updates_seen_at ON seen_updates (seen_at);
    `,
  },
  {
    version: 2,
    description: 'quick-reply choices on outbox messages',
    sql: `ALTER TABLE outbox ADD COLUMN choices TEXT;`,
  },
  {
    version: 3,
    description: 'staff console: sign-in links, sessions, audit log, unanswered questions, console broadcast drafts',
    sql: `
      CREATE TABLE staff_links (
        token_hash TEXT PRIMARY KEY,
        staff TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE TABLE staff_sessions (
        id_hash TEXT PRIMARY KEY,
        staff TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE staff_audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        staff TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX staff_audit_at ON staff_audit (at);
      CREATE TABLE unanswered (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        channel TEXT NOT NULL,
        chat TEXT NOT NULL,
        question TEXT NOT NULL,
        wording TEXT NOT NULL,
        reason TEXT NOT NULL,
        reply TEXT NOT NULL
      );
      CREATE INDEX unanswered_wording ON unanswered (wording, at);
      CREATE TABLE unanswered_handled (
        wording TEXT PRIMARY KEY,
        handled_at INTEGER NOT NULL,
        handled_by TEXT NOT NULL
      );
      CREATE TABLE console_broadcasts (
        draft TEXT PRIMARY KEY,
        broadcast_id INTEGER NOT NULL,
        staff TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: 'delivery ownership: store owners with leases, the delivery lease, the owner of each outbox claim',
    sql: `
      CREATE TABLE store_owners (
        owner TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        lease_until INTEGER NOT NULL
      );
      CREATE TABLE delivery_lease (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        acquired_at INTEGER NOT NULL
      );
      ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
      CREATE INDEX outbox_claimed_by ON outbox (state, claimed_by);
    `,
  },
  {
    version: 5,
    description: 'knowledge version row: a document uploaded on one process is reloaded by all',
    sql: `CREATE TABLE knowledge_version (name TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at INTEGER NOT NULL);`,
  },
  {
    version: 6,
    description: 'staff console: drafts (the idempotency key of each broadcast or publicity form, its values, what it became) and running consoles (address and staff, for staff-link)',
    sql: `
      CREATE TABLE console_drafts (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        staff TEXT,
        form TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        result_id INTEGER
      );
      INSERT INTO console_drafts (key, kind, staff, form, created_at, updated_at, result_id)
        SELECT draft, 'broadcast', staff, '{}', 0, 0, broadcast_id FROM console_broadcasts;
      CREATE TABLE console_instances (
        owner TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        staff TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: 'update inbox: a webhook update is stored before it is acknowledged and answered after, also across a crash',
    sql: `
      CREATE TABLE inbox (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        update_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        done_at INTEGER,
        UNIQUE (channel, update_id)
      );
      CREATE INDEX inbox_open ON inbox (channel, done_at, id);
      CREATE INDEX inbox_done_at ON inbox (done_at);
    `,
  },
  {
    version: 8,
    description: 'outbox priority: replies to people are delivered before broadcasts and reminders',
    sql: `
      ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
      UPDATE outbox SET priority = 2 WHERE kind IN ('broadcast', 'award', 'publicity');
      CREATE INDEX outbox_due_priority ON outbox (state, channel, priority, due_at, id);
    `,
  },
];

/** The schema version this code expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Minimal database access the migration runner needs, so it stays independent of the driver. */
export interface MigrationTarget {
  /** Reads the applied schema version (0 for a new database). */
  getVersion(): Promise<number>;
  /** Runs one migration's SQL and records its version, atomically. */
  apply(migration: Migration): Promise<void>;
}

/** Applies every migration newer than the database's version, in order; refuses a database newer than the code. */
export async function migrate(target: MigrationTarget, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const current = await target.getVersion();
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this program supports (${latest})`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    await target.apply(m);
    applied.push(m.version);
  }
  return applied;
}
