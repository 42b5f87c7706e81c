/** Health of a store as monitoring and the staff console see it: the current problem, the last check and the last backup. */
import type { StoreHealth } from './store.ts';
import { storageProblemOf } from './store.ts';

/** Error codes that mean contention or a deliberate close, not a broken database. */
const NOT_A_PROBLEM = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'STORE_CLOSED']);

/** Tracks a store's health: damage is sticky until a check passes; the other problems until a write succeeds. */
export class HealthTracker {
  private state: StoreHealth = { ok: true };

  /** A copy of the current health; cheap, never throws. */
  get(): StoreHealth {
    return structuredClone(this.state);
  }

  /** Whether the database is known to be damaged. */
  get damaged(): boolean {
    return this.state.problem === 'damaged';
  }

  /** When the last integrity check ran, ms since epoch (0: never). */
  get lastCheckAt(): number {
    return this.state.lastCheck?.at ?? 0;
  }

  /** Records a problem seen by an operation. */
  noteFailure(err: unknown): void {
    const problem = storageProblemOf(err);
    const code = String((err as { code?: unknown })?.code ?? '');
    if (!problem || NOT_A_PROBLEM.has(code)) return;
    if (this.state.problem === 'damaged' && problem !== 'damaged') return;
    const detail = err instanceof Error ? err.message : String(err);
    if (this.state.problem !== problem) this.state = { ...this.state, ok: false, problem, detail, since: Date.now() };
  }

  /** A write succeeded: a full disk or read-only file is over (damage is not). */
  noteWriteOk(): void {
    if (!this.state.ok && this.state.problem !== 'damaged') {
      const { lastCheck, lastBackup } = this.state;
      this.state = { ok: true, lastCheck, lastBackup };
    }
  }

  /** Records an integrity check run at `at`: passing clears damage, failing marks it with `detail`. */
  noteCheck(at: number, ok: boolean, detail: string): void {
    if (ok) {
      this.state = this.state.problem === 'damaged' ? { ok: true, lastBackup: this.state.lastBackup } : { ...this.state };
    } else if (this.state.problem !== 'damaged') {
      this.state = { ...this.state, ok: false, problem: 'damaged', detail, since: at };
    }
    this.state.lastCheck = { at, ok };
  }

  /** Records a verified backup. */
  noteBackup(file: string, at: number): void {
    this.state.lastBackup = { file, at };
  }
}
