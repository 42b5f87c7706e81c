/** Ownership: store owners with leases, the delivery lease, lease-fenced outbox claims, and whose claims may be recovered. */
import { hostname } from 'node:os';
import type { DeliveryLeaseState } from '../store.ts';
import { marks, type SqlRunner } from './runner.ts';

/** Owner ids of the stores open in this process: an owner row naming this host and pid but absent here is dead. */
export const OPEN_OWNERS = new Set<string>();
export const HOST = hostname();

/** Whether a process with this pid exists on this host (EPERM means it exists under another user). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A row of store_owners as the lease checks read it (null fields: the owner row is gone). */
export interface OwnerRow {
  owner: string;
  host: string | null;
  pid: number | null;
  lease_until: number | null;
}

/** Whether the owner of a claim or lease is gone: no row, lease lapsed, or provably dead on this host (its pid is gone, or it is this process and its store is closed). */
export function ownerDead(o: OwnerRow, nowMs: number): boolean {
  if (o.host === null || o.pid === null || o.lease_until === null) return true;
  if (Number(o.lease_until) <= nowMs) return true;
  if (o.host !== HOST) return false;
  if (Number(o.pid) === process.pid) return !OPEN_OWNERS.has(o.owner);
  return !pidAlive(Number(o.pid));
}

/** Inserts or renews `owner`'s row so its lease lasts until `until`. */
export async function registerOwner(c: SqlRunner, owner: string, nowMs: number, until: number): Promise<void> {
  const r = await c.run('UPDATE store_owners SET lease_until = ? WHERE owner = ?', [until, owner]);
  if (r.changes === 0) {
    await c.run('INSERT INTO store_owners (owner, host, pid, started_at, lease_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET lease_until = excluded.lease_until', [
      owner,
      HOST,
      process.pid,
      nowMs,
      until,
    ]);
  }
}

/** Takes or renews the delivery lease for `owner` unless another live owner holds it (call inside a transaction, after registering). */
export async function acquireDeliveryLease(c: SqlRunner, owner: string, nowMs: number, lock = ''): Promise<DeliveryLeaseState> {
  const row = await c.get<OwnerRow>(
    `SELECT l.owner AS owner, o.host AS host, o.pid AS pid, o.lease_until AS lease_until
     FROM delivery_lease l LEFT JOIN store_owners o ON o.owner = l.owner WHERE l.name = 'delivery'${lock}`,
  );
  if (row && row.owner !== owner && !ownerDead(row, nowMs)) {
    return { leader: false, holder: { owner: row.owner, host: row.host ?? '', pid: Number(row.pid ?? 0), leaseUntil: Number(row.lease_until ?? 0) } };
  }
  await c.run(
    `INSERT INTO delivery_lease (name, owner, acquired_at) VALUES ('delivery', ?, ?)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, acquired_at = CASE WHEN delivery_lease.owner = excluded.owner THEN delivery_lease.acquired_at ELSE excluded.acquired_at END`,
    [owner, nowMs],
  );
  return { leader: true };
}

/** Gives the delivery lease up. */
export async function releaseDeliveryLease(c: SqlRunner, owner: string): Promise<void> {
  await c.run(`DELETE FROM delivery_lease WHERE name = 'delivery' AND owner = ?`, [owner]);
}

/** Removes an owner's rows on a clean stop. */
export async function unregisterOwner(c: SqlRunner, owner: string): Promise<void> {
  await c.run('DELETE FROM delivery_lease WHERE owner = ?', [owner]);
  await c.run('DELETE FROM store_owners WHERE owner = ?', [owner]);
}

/** Whether `owner` holds the delivery lease with a live owner lease at `wallMs`. */
export async function holdsDeliveryLease(c: SqlRunner, owner: string, wallMs: number): Promise<boolean> {
  const held = await c.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM delivery_lease l JOIN store_owners o ON o.owner = l.owner WHERE l.name = 'delivery' AND l.owner = ? AND o.lease_until > ?`,
    [owner, wallMs],
  );
  return Number(held?.n ?? 0) > 0;
}

/** Claims pending rows for `owner` (pending → sending, attempts + 1) only while it holds the delivery lease; resolves the ids claimed. */
export async function claimUnderLease(c: SqlRunner, owner: string, ids: readonly number[], nowMs: number, wallMs: number): Promise<number[]> {
  const rows = await c.all<{ id: number }>(
    `UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_at = ?, claimed_by = ?
     WHERE id IN (${marks(ids.length)}) AND state = 'pending'
       AND EXISTS (SELECT 1 FROM delivery_lease l JOIN store_owners o ON o.owner = l.owner
                   WHERE l.name = 'delivery' AND l.owner = ? AND o.lease_until > ?)
     RETURNING id`,
    [nowMs, owner, ...ids, owner, wallMs],
  );
  return rows.map((r) => Number(r.id));
}

/** The delivery lease holder's owner id, or undefined. */
export async function leaseHolder(c: SqlRunner): Promise<string | undefined> {
  return (await c.get<{ owner: string }>(`SELECT owner FROM delivery_lease WHERE name = 'delivery'`))?.owner;
}

/** Owners whose `sending` claims `self` may recover now: itself, unowned legacy rows (''), and owners whose lease lapsed or who are provably dead. */
export async function recoverableOwners(c: SqlRunner, self: string, nowMs: number): Promise<string[]> {
  const rows = await c.all<OwnerRow>(
    `SELECT DISTINCT COALESCE(s.claimed_by, '') AS owner, o.host AS host, o.pid AS pid, o.lease_until AS lease_until
     FROM outbox s LEFT JOIN store_owners o ON o.owner = s.claimed_by WHERE s.state = 'sending'`,
  );
  return rows.filter((r) => r.owner === self || r.owner === '' || ownerDead(r, nowMs)).map((r) => r.owner);
}

/** Removes the rows of owners found dead. */
export async function forgetOwners(c: SqlRunner, owners: string[]): Promise<void> {
  if (owners.length) await c.run(`DELETE FROM store_owners WHERE owner IN (${marks(owners.length)})`, owners);
}

/** Every owner that is registered and not provably dead, or still has a claim in `sending`. */
export async function knownOwners(c: SqlRunner, nowMs: number): Promise<string[]> {
  const live = (await c.all<OwnerRow>(`SELECT owner, host, pid, lease_until FROM store_owners`)).filter((r) => !ownerDead(r, nowMs)).map((r) => r.owner);
  const claiming = (await c.all<{ owner: string }>(`SELECT DISTINCT claimed_by AS owner FROM outbox WHERE state = 'sending' AND claimed_by IS NOT NULL`)).map((r) => r.owner);
  return [...new Set([...live, ...claiming])];
}
