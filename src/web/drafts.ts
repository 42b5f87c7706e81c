/**
 * Console drafts: a broadcast or publicity form gets its key when it is first shown. The key travels with the form
 * through preview and confirm, so Back, Reload, a re-posted preview or a double click find the same draft, and a draft
 * becomes at most one broadcast or publicity. A form posted after the session expired is kept as a draft too, and the
 * browser returns to it after signing in again.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ConsoleStore } from './console-db.ts';

/** What a draft is for. */
export type DraftKind = 'broadcast' | 'publicity';

/** The values of a draft's form, as last posted. */
export const draftFormSchema = z.object({
  text: z.string().max(5000).optional(),
  tags: z.array(z.string().max(60)).max(20).optional(),
  starts: z.string().max(60).optional(),
  title: z.string().max(300).optional(),
});

/** Form values kept with a draft. */
export type DraftForm = z.infer<typeof draftFormSchema>;

/** One draft. */
export interface Draft {
  key: string;
  kind: DraftKind;
  /** Who composed it; null while it waits for its author to sign in again. */
  staff: string | null;
  form: DraftForm;
  /** The broadcast or publicity it became; -1 while it is being sent. */
  resultId: number | null;
}

/** A fresh draft key (not stored until the form is first posted). */
export function newDraftKey(): string {
  return randomUUID();
}

/** Whether `s` looks like a draft key. */
export function isDraftKey(s: unknown): s is string {
  return typeof s === 'string' && z.string().uuid().safeParse(s).success;
}

interface DraftRow {
  key: string;
  kind: string;
  staff: string | null;
  form: string;
  result_id: number | null;
}

function toDraft(r: DraftRow): Draft {
  const form = draftFormSchema.safeParse(JSON.parse(r.form));
  return { key: r.key, kind: r.kind === 'publicity' ? 'publicity' : 'broadcast', staff: r.staff, form: form.success ? form.data : {}, resultId: r.result_id };
}

/** Reads a draft. */
export async function getDraft(db: ConsoleStore, key: string): Promise<Draft | undefined> {
  const row = await db.runExclusive((c) => c.get<DraftRow>('SELECT key, kind, staff, form, result_id FROM console_drafts WHERE key = ?', [key]));
  return row ? toDraft(row) : undefined;
}

/**
 * Saves a draft's latest form values (not once it has become a broadcast or publicity, and never another staff
 * member's draft). `staff` null keeps a form posted after the session expired.
 */
export async function saveDraft(db: ConsoleStore, key: string, kind: DraftKind, staff: string | null, form: DraftForm, now: Date): Promise<void> {
  await db.runExclusive(async (c) => {
    await c.run('DELETE FROM console_drafts WHERE result_id IS NULL AND updated_at < ?', [now.getTime() - 7 * 86_400_000]);
    await c.run(
      `INSERT INTO console_drafts (key, kind, staff, form, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET form = excluded.form, updated_at = excluded.updated_at, staff = COALESCE(console_drafts.staff, excluded.staff)
       WHERE console_drafts.result_id IS NULL AND (console_drafts.staff IS NULL OR console_drafts.staff = excluded.staff OR excluded.staff IS NULL)`,
      [key, kind, staff, JSON.stringify(form), now.getTime(), now.getTime()],
    );
  }, true);
}

/** Gives a draft kept while signed out to the staff member who signed in with it. */
export async function adoptDraft(db: ConsoleStore, key: string, staff: string): Promise<void> {
  await db.runExclusive((c) => c.run('UPDATE console_drafts SET staff = ? WHERE key = ? AND staff IS NULL', [staff, key]));
}

/**
 * Claims a draft for sending: resolves 'claimed' when this caller may create the broadcast or publicity, the id it
 * already became, or 'busy' while another request is sending it.
 */
export async function claimDraft(db: ConsoleStore, key: string, kind: DraftKind, staff: string, form: DraftForm, now: Date): Promise<'claimed' | 'busy' | { resultId: number }> {
  return db.runExclusive(async (c) => {
    const row = await c.get<DraftRow>('SELECT key, kind, staff, form, result_id FROM console_drafts WHERE key = ?', [key]);
    if (row && row.result_id !== null) return row.result_id === -1 ? ('busy' as const) : { resultId: row.result_id };
    if (!row) {
      await c.run('INSERT INTO console_drafts (key, kind, staff, form, created_at, updated_at, result_id) VALUES (?, ?, ?, ?, ?, ?, -1)', [key, kind, staff, JSON.stringify(form), now.getTime(), now.getTime()]);
    } else {
      await c.run('UPDATE console_drafts SET result_id = -1, staff = ?, form = ?, updated_at = ? WHERE key = ?', [staff, JSON.stringify(form), now.getTime(), key]);
    }
    return 'claimed' as const;
  }, true);
}

/** Records what a claimed draft became; `undefined` releases the claim (nothing was created). */
export async function settleDraft(db: ConsoleStore, key: string, resultId: number | undefined): Promise<void> {
  await db.runExclusive((c) => c.run('UPDATE console_drafts SET result_id = ? WHERE key = ? AND result_id = -1', [resultId ?? null, key]));
}
