/**
 * Where the console runs: `npm start` records the console's address and staff list in the database, so
 * `staff-link` run in another shell (without that process's environment) can link to it and knows who is staff.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import type { ConsoleStore } from './console-db.ts';

/** A running console as recorded by its process. */
export interface ConsoleInstance {
  /** The store owner of the process (its lease says whether it is alive). */
  owner: string;
  /** The address staff open. */
  url: string;
  /** Staff as "channel:id". */
  staff: string[];
  host: string;
  pid: number;
}

/** Records this process's console. */
export async function rememberConsole(db: ConsoleStore, c: ConsoleInstance, now: Date): Promise<void> {
  await db.runExclusive((x) =>
    x.run(
      `INSERT INTO console_instances (owner, url, staff, host, pid, started_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner) DO UPDATE SET url = excluded.url, staff = excluded.staff, started_at = excluded.started_at`,
      [c.owner, c.url, JSON.stringify(c.staff), c.host, c.pid, now.getTime()],
    ),
  );
}

/** Forgets this process's console (on a clean stop). */
export async function forgetConsole(db: ConsoleStore, owner: string): Promise<void> {
  await db.runExclusive((x) => x.run('DELETE FROM console_instances WHERE owner = ?', [owner]));
}

/** Whether a process on this host is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The consoles that are running now (their process holds a live store lease and, on this host, still exists), newest first. */
export async function runningConsoles(db: ConsoleStore, now: Date): Promise<ConsoleInstance[]> {
  const rows = await db.runExclusive((x) =>
    x.all<{ owner: string; url: string; staff: string; host: string; pid: number }>(
      `SELECT c.owner, c.url, c.staff, c.host, c.pid FROM console_instances c JOIN store_owners o ON o.owner = c.owner
       WHERE o.lease_until >= ? ORDER BY c.started_at DESC`,
      [now.getTime()],
    ),
  );
  const here = hostname();
  return rows
    .filter((r) => r.host !== here || alive(r.pid))
    .map((r) => ({ ...r, staff: z.array(z.string()).catch([]).parse(JSON.parse(r.staff)) }));
}
