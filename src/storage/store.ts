/** The narrow storage interface; SQLite is the embedded default and another engine can implement it later. */

/** A quick reply as stored with a queued message (the shape of the core's Choice; the store imports nothing from above). */
export interface Choice {
  label: string;
  value: string;
}

/** A chat subscribed to notices. */
export interface Subscriber {
  channel: string;
  chat: string;
  /** Normalised tags (town, product line) for targeted broadcasts; empty for none. */
  tags: string[];
  /** Whether the chat currently receives notices. */
  active: boolean;
  /** When the chat last subscribed, ms since epoch. */
  subscribedAt: number;
}

/** An award an enterprise registered for expiry reminders. */
export interface AwardRecord {
  id: number;
  channel: string;
  chat: string;
  /** Date the award was granted, YYYY-MM-DD. */
  awardedOn: string;
  /** Last valid day, YYYY-MM-DD (awardedOn + 3 years − 1 day). */
  expires: string;
}

/** A publicity period announced by staff. */
export interface PublicityRecord {
  id: number;
  title: string;
  /** First day, YYYY-MM-DD. */
  starts: string;
  /** Last day, YYYY-MM-DD (starts + 9 days). */
  ends: string;
}

/** One message waiting in, or done with, the outbox. */
export interface OutboxItem {
  id: number;
  /** Unique key that makes enqueueing idempotent, such as "award:12:expiring-30". */
  key: string;
  channel: string;
  chat: string;
  text: string;
  /** Quick replies to offer with the message. */
  choices?: Choice[];
  data?: Record<string, unknown>;
  /** Earliest time to send, ms since epoch. */
  dueAt: number;
  attempts: number;
  state: OutboxState;
  /** What produced the message. */
  kind: OutboxKind;
  /** Broadcast this delivery belongs to, if any. */
  broadcastId?: string;
  /** Error of the last failed attempt, if any. */
  lastError?: string;
  /** Delivery priority (see `OUTBOX_PRIORITY`): lower goes first. */
  priority?: number;
}

/**
 * Delivery order of outbox rows, lower first: a reply to a person waiting (an answer, a pre-check step), then single
 * notices and reports, then bulk sends (broadcasts, award and publicity reminders). Within one priority, oldest first.
 */
export const OUTBOX_PRIORITY = { reply: 0, notice: 1, bulk: 2 } as const;

/** A priority name of `OUTBOX_PRIORITY`. */
export type OutboxPriority = keyof typeof OUTBOX_PRIORITY;

/** The priority of a row that names none: bulk for broadcasts and reminders, notice otherwise. */
export function priorityOf(kind: OutboxKind, priority?: OutboxPriority): number {
  if (priority !== undefined) return OUTBOX_PRIORITY[priority];
  return kind === 'broadcast' || kind === 'award' || kind === 'publicity' ? OUTBOX_PRIORITY.bulk : OUTBOX_PRIORITY.notice;
}

/** Life cycle of an outbox row: pending → sending → sent | failed (or back to pending for a retry); cancelled when its reason is gone. */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';

/** What produced an outbox row; publicity and broadcast rows are cancelled when the chat unsubscribes. */
export type OutboxKind = 'award' | 'publicity' | 'broadcast' | 'report' | 'notice';

/** A message to put in the outbox; enqueueing a key that exists already does nothing. */
export interface NewOutboxItem {
  key: string;
  kind: OutboxKind;
  channel: string;
  chat: string;
  text: string;
  /** Quick replies to offer with the message. */
  choices?: Choice[];
  data?: Record<string, unknown>;
  /** Earliest time to send, ms since epoch; 0 means at once. */
  dueAt: number;
  /** Delivery priority; defaults by kind (see `priorityOf`). */
  priority?: OutboxPriority;
}

/** One message for every active subscriber (optionally only those with `tag`); each row's key is `${keyPrefix}${channel}:${chat}`. */
export interface FanOut {
  keyPrefix: string;
  kind: OutboxKind;
  text: string;
  data?: Record<string, unknown>;
  /** Only subscribers carrying this normalised tag. */
  tag?: string;
  /** Earliest time to send, ms since epoch; 0 means at once. */
  dueAt: number;
}

/** An award whose next reminder day has come. */
export interface DueAward extends AwardRecord {
  /** The reminder day the scan saw. */
  nextReminderOn: string;
  /** Stage of the last reminder sent or skipped, such as "expiring-90", or null. */
  lastStage: string | null;
}

/** A publicity whose next reminder day has come. */
export interface DuePublicity extends PublicityRecord {
  /** The reminder day the scan saw. */
  nextReminderOn: string;
  /** Stage of the last reminder sent or skipped, such as "ending", or null. */
  lastStage: string | null;
}

/** Moves one award or publicity to its next reminder stage and enqueues what is due, in the transaction that read it. */
export interface ReminderAdvance {
  id: number;
  /** New reminder day, or null when no reminder is left. */
  nextReminderOn: string | null;
  /** Stage now reached. */
  lastStage: string | null;
  /** Award reminders: the one message for the registering chat. */
  item?: NewOutboxItem;
  /** Publicity reminders: the message for every active subscriber. */
  fanOut?: FanOut;
}

/** Result of one reminder batch. */
export interface AdvanceResult {
  /** Rows that were due. */
  seen: number;
  /** Outbox rows created. */
  created: number;
}

/** Delivery counts of one broadcast. */
export interface BroadcastStats {
  id: string;
  senderChannel: string;
  senderChat: string;
  text: string;
  tag?: string;
  createdAt: number;
  /** Subscribers the broadcast was queued for. */
  recipients: number;
  delivered: number;
  failed: number;
  /** Waiting or being sent. */
  pending: number;
  /** Dropped because the chat unsubscribed before delivery. */
  cancelled: number;
  /** Whether the sender's final report has been queued. */
  reportSent: boolean;
}

/** A send that was handed to the platform: the outbox row and its attempt number. */
export interface StartedSend {
  id: number;
  attempts: number;
}

/** A platform update kept in the inbox until it has been answered. */
export interface StoredUpdate {
  updateId: string;
  /** The update as received (JSON text). */
  payload: string;
  receivedAt: number;
}

/** Counts of outbox rows by state, for monitoring and tests. */
export type OutboxCounts = Record<OutboxState, number>;

/** What a dialogue turn asks of the outbox, done atomically with saving the chat's state. */
export interface ChatEffects {
  /** Cancel the chat's match notices ("新奖项可能适合贵企业") still queued, not yet sent. */
  cancelMatchNotices?: boolean;
}

/** Storage used by the core; every method is one atomic operation. */
export interface Store {
  /** Reads the saved dialogue state of a chat (a versioned JSON value), or undefined. */
  getChatState(channel: string, chat: string): Promise<unknown | undefined>;
  /**
   * Saves the dialogue state of a chat; with `effects`, in the same transaction as what the turn asked of the outbox
   * (the match notices a chat just turned off that are still queued are cancelled).
   */
  saveChatState(channel: string, chat: string, state: unknown, effects?: ChatEffects): Promise<void>;
  /** Closes the store, flushing pending writes. */
  close(): Promise<void>;
}

/** The storage the scheduling side needs on top of `Store`: subscribers, awards, publicity, broadcasts, the outbox and update dedupe; every method is one atomic operation. */
export interface SchedulingStore extends Store {
  /** Local file of the database, when it has one (the delivery service keeps its send journal beside it). */
  readonly path?: string;
  /** Base name of send journals when the database has no local file (`<journalBase>-sending.<owner>`). */
  readonly journalBase?: string;
  /** Records a platform update id; resolves false when it was seen before (the update is a redelivery). */
  markUpdateSeen(channel: string, updateId: string | number): Promise<boolean>;
  /** Forgets update ids recorded before `before`, and inbox updates answered before it. */
  pruneSeenUpdates(before: Date): Promise<number>;
  /** Stores a platform update before it is acknowledged; resolves false when its id is stored already (a redelivery). */
  storeUpdate(channel: string, updateId: string, payload: string, at: Date): Promise<boolean>;
  /** Stored updates of a channel not yet answered, oldest first (after a crash: those to answer now). */
  openUpdates(channel: string, limit: number): Promise<StoredUpdate[]>;
  /** Records that a stored update has been answered. */
  markUpdateDone(channel: string, updateId: string, at: Date): Promise<void>;

  /** Subscribes a chat; `tags` replaces its tags, undefined keeps an active subscription's tags. Resolves the subscription and whether it was active before. */
  subscribe(channel: string, chat: string, tags: string[] | undefined, at: Date): Promise<{ subscriber: Subscriber; wasActive: boolean }>;
  /** Unsubscribes a chat and cancels its undelivered publicity and broadcast messages; resolves whether it was subscribed. */
  unsubscribe(channel: string, chat: string): Promise<boolean>;
  /** The chat's subscription, active or not, or undefined. */
  getSubscriber(channel: string, chat: string): Promise<Subscriber | undefined>;
  /** Number of active subscribers, optionally only those carrying `tag`. */
  countSubscribers(tag?: string): Promise<number>;

  /** Registers an award for a chat, unless the chat has one with the same date; `nextReminderOn` is its first reminder day. */
  addAward(award: { channel: string; chat: string; awardedOn: string; expires: string; nextReminderOn: string | null }, at: Date): Promise<{ award: AwardRecord; created: boolean }>;
  /** The chat's awards, oldest grant first. */
  listAwards(channel: string, chat: string): Promise<AwardRecord[]>;
  /** Removes one of the chat's awards and cancels its undelivered reminders; resolves false when the chat has no such award. */
  removeAward(channel: string, chat: string, id: number): Promise<boolean>;
  /** Awards whose next reminder day is on or before `today`, by reminder day (uses the index; never scans all rows). */
  listDueAwards(today: string, limit: number): Promise<DueAward[]>;

  /** Records a publicity and queues `start` for every active subscriber; an identical publicity (same start and title) is returned instead. */
  addPublicity(
    publicity: { title: string; starts: string; ends: string; createdBy: string; nextReminderOn: string | null },
    start: { text: string; data?: Record<string, unknown> },
    at: Date,
  ): Promise<{ publicity: PublicityRecord; created: boolean; recipients: number }>;
  /** Publicity periods whose next reminder day is on or before `today`. */
  listDuePublicity(today: string, limit: number): Promise<DuePublicity[]>;
  /**
   * In one transaction: reads up to `limit` awards due by `today` (through the next_reminder_on index), asks `plan`
   * what each one's next step is, and applies the steps (new reminder day and stage, enqueued message). Reading and
   * writing in one transaction makes the step happen exactly once, whatever runs concurrently.
   */
  advanceDueAwards(today: string, limit: number, plan: (due: DueAward[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult>;
  /** The same for publicity periods, fanning each due message out to the active subscribers. */
  advanceDuePublicity(today: string, limit: number, plan: (due: DuePublicity[]) => ReminderAdvance[], at: Date): Promise<AdvanceResult>;

  /** Records a broadcast and queues it for every active subscriber (with `tag`, if given), in one transaction. */
  createBroadcast(
    broadcast: { senderChannel: string; senderChat: string; text: string; tag?: string },
    at: Date,
  ): Promise<{ id: string; recipients: number }>;
  /** Delivery counts of one broadcast, or undefined. */
  getBroadcast(id: string): Promise<BroadcastStats | undefined>;
  /** The most recent broadcasts with their counts, newest first. */
  listBroadcasts(limit: number): Promise<BroadcastStats[]>;
  /** Broadcasts without a report whose deliveries on `channels` are all settled (none pending or sending there). */
  listSettledUnreported(channels: string[], limit: number): Promise<BroadcastStats[]>;
  /** Marks a broadcast reported and queues `report` (if given), atomically; resolves false when it was reported already. */
  markBroadcastReported(id: string, report: NewOutboxItem | undefined): Promise<boolean>;

  /** Adds a message to the outbox; resolves false when its key exists already. */
  enqueue(item: NewOutboxItem, at: Date): Promise<boolean>;
  /** The oldest pending messages of one channel due at `nowMs`, oldest first within each chat (an engine with several deliverers may interleave chats differently in each process). */
  dueOutbox(channel: string, nowMs: number, limit: number): Promise<OutboxItem[]>;
  /** Earliest due time of a pending message of the channel, or undefined. */
  nextDueAt(channel: string): Promise<number | undefined>;
  /** Claims pending messages for sending (pending → sending, attempts + 1); resolves the ids claimed (not those cancelled meanwhile). */
  claimOutbox(ids: readonly number[], nowMs: number): Promise<number[]>;
  /** Records successful sends. */
  markSent(ids: readonly number[], nowMs: number): Promise<void>;
  /** Puts a claimed message back for another attempt at `dueAt`. */
  markRetry(id: number, dueAt: number, error: string): Promise<void>;
  /** Records that a claimed message will not be delivered. */
  markFailed(id: number, error: string): Promise<void>;
  /**
   * Settles rows a crash left in `sending`. Those listed in `started` (every one, when `started` is undefined) may have
   * reached the platform: `assume-sent` counts them delivered, `resend` puts them back to pending. The others were
   * claimed but never handed to the platform and go back to pending. Resolves the number of rows settled.
   */
  recoverInterrupted(mode: 'assume-sent' | 'resend', nowMs: number, started?: readonly StartedSend[]): Promise<number>;
  /** Counts of outbox rows by state. */
  outboxCounts(): Promise<OutboxCounts>;
}

/** Why the database cannot be used as it should: damaged pages, a full disk, a read-only file, or another failure. */
export type StorageProblem = 'damaged' | 'full' | 'readonly' | 'unavailable';

/** Health of the store for monitoring and the staff console: `ok` is false while a problem lasts. */
export interface StoreHealth {
  ok: boolean;
  problem?: StorageProblem;
  /** Human-readable cause (an SQLite message or the first quick_check line). */
  detail?: string;
  /** Since when the problem lasts, ms since epoch. */
  since?: number;
  /** Last PRAGMA quick_check: when (ms since epoch) and whether it passed. */
  lastCheck?: { at: number; ok: boolean };
  /** Last verified backup file and when it was written (ms since epoch). */
  lastBackup?: { file: string; at: number };
}

/** A failure of the storage itself (disk full, read-only file, damaged database, closed store), as opposed to a bug. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  /** SQLite result code such as SQLITE_FULL, or STORE_CLOSED. */
  readonly code: string;
  /** Database file concerned. */
  readonly path?: string;

  /** Wraps `cause` (an SQLite error) with its code and the database path. */
  constructor(message: string, code: string, path?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}

/** Whether `err` is a storage failure (a StorageError or a raw SQLite error), so the caller can say "not saved" truthfully. */
export function isStorageError(err: unknown): boolean {
  if (err instanceof StorageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** The storage problem an error stands for, if it is a storage error. */
export function storageProblemOf(err: unknown): StorageProblem | undefined {
  if (!isStorageError(err)) return undefined;
  const code = String((err as { code?: unknown }).code);
  if (code === 'SQLITE_FULL') return 'full';
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') return 'readonly';
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return 'damaged';
  return 'unavailable';
}

/** Thrown when a claim is refused because another owner now holds the delivery lease: this process must stop delivering. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** The delivery lease as seen by one process: whether it delivers, and who does otherwise. */
export interface DeliveryLeaseState {
  /** True when this store's owner holds the lease and may claim outbox rows. */
  leader: boolean;
  /** The holder, when another live owner holds it. */
  holder?: { owner: string; host: string; pid: number; leaseUntil: number };
}

/** Ownership and health on top of `SchedulingStore`: the delivery lease, owner-aware recovery, checks and backups. */
export interface LeasedStore extends SchedulingStore {
  /** This connection's owner id, carried by every outbox claim it makes. */
  readonly owner: string;
  /** Current health; cheap, never throws. */
  health(): StoreHealth;
  /** Takes or renews the delivery lease unless another live owner holds it. */
  acquireDelivery(): Promise<DeliveryLeaseState>;
  /** Whether this process may hand a claimed row (`claimedId`, if given) to the platform now: it holds the lease with a safety margin left, and (several deliverers) the claim was not made before a lapse of it. */
  holdsLease(claimedId?: number): boolean;
  /** Gives the delivery lease up (on a clean stop), so a standby can take over at once. */
  releaseDelivery(): Promise<void>;
  /** Owners whose `sending` claims may be recovered now: this one, and those whose lease lapsed or who are provably dead. */
  recoverableOwners(): Promise<string[]>;
  /** Every owner that is registered or still has a claim in `sending` (their send journals must be kept). */
  knownOwners(): Promise<string[]>;
}

/** Statement access for feature modules that keep their own SQL (`?` placeholders; both engines run it). */
export interface SqlAccess {
  run(sql: string, params?: unknown[]): Promise<{ changes: number; lastID: number }>;
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** The whole store a running bot uses, whichever engine: SQLite (one file, the default) or PostgreSQL (DATABASE_URL). */
export interface AppStore extends LeasedStore {
  /** Which engine this is. */
  readonly engine: 'sqlite' | 'postgres';
  /** Base name of this host's send journals, when not beside a database file. */
  readonly journalBase?: string;
  /** Runs `job` (in one transaction when `transaction` is true), for feature modules such as the staff console. */
  runExclusive<T>(job: (db: SqlAccess) => Promise<T>, transaction?: boolean): Promise<T>;
  /** The knowledge version every process reloads on when it changes (0 before any change). */
  knowledgeVersion(): Promise<number>;
  /** Records that the documents changed, so every process sharing the database reloads them. */
  bumpKnowledgeVersion(at: Date): Promise<number>;
  /** Calls `wake` when another process queues outbox rows, where the engine can tell (PostgreSQL LISTEN/NOTIFY). */
  onWork?(wake: () => void): () => void;
}
