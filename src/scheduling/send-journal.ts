/** A tiny append-only file noting each send at the instant it is handed to the platform, to shrink the crash window. */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StartedSend } from '../storage/store.ts';

/**
 * Why a second file: the outbox claim is committed by SQLite on a worker thread, and the delivery loop learns of the
 * commit only after a thread hand-off (a few hundred microseconds with node-sqlite3 here). A crash in that gap leaves a
 * row in `sending` that never reached the platform. The journal line is written synchronously on the main thread
 * immediately before `channel.send`, so recovery can tell "claimed but never handed over" (safe to send) from
 * "handed over" (ambiguous); the ambiguous gap shrinks to the few microseconds between this write and the platform
 * call. Lines survive a process crash (they are in the OS page cache); they are not fsynced, so after a power cut a
 * row may lack its line and be sent again, which only risks a duplicate, never a loss.
 */
export class SendJournal {
  private fd: number | undefined;

  /** Uses (and creates on first write) the journal file at `path`. */
  constructor(readonly path: string) {}

  /** The sends recorded since the last reset; a torn last line is ignored. */
  read(): StartedSend[] {
    if (!existsSync(this.path)) return [];
    const out: StartedSend[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const m = /^(\d+) (\d+)$/.exec(line);
      if (m) out.push({ id: Number(m[1]), attempts: Number(m[2]) });
    }
    return out;
  }

  /** Empties the journal (after recovery has been committed) by removing the file; the next record creates it again. */
  reset(): void {
    this.close();
    rmSync(this.path, { force: true });
  }

  /** Notes synchronously that attempt `attempts` of outbox row `id` is being handed to the platform now. */
  record(id: number, attempts: number): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    writeSync(this.fd, `${id} ${attempts}\n`);
  }

  /** Closes the file handle; the next record reopens it. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
