/** Test kit for the storage-fault tests: a long-lived `chat --jsonl` process driven line by line, and a tmpfs mount. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-cli.ts';
import type { BotLine } from '../helpers/chat.ts';

/** What one input line produced: the messages printed before its ack, and the ack itself. */
export interface Turn {
  msgs: BotLine[];
  ack: { ack: number; error?: string; data?: { error?: string } };
}

/** A running `cli chat --jsonl` process; `send` resolves when the line is acked and rejects if it stalls. */
export class ChatProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  /** Every message printed so far, in order. */
  readonly all: BotLine[] = [];
  private buf = '';
  private pending: BotLine[] = [];
  private waiters: ((t: Turn) => void)[] = [];
  private failers = new Set<(e: Error) => void>();
  private sent = 0;
  readonly exited: Promise<number | null>;
  /** Called for every message as it is printed. */
  onMessage?: (m: BotLine) => void;

  constructor(db: string, opts: { admins?: string[]; env?: Record<string, string>; asNobody?: boolean; root?: string } = {}) {
    const args = ['--import', 'tsx', 'src/cli.ts', 'chat', '--jsonl', '--db', db, ...(opts.admins ?? []).flatMap((a) => ['--admin', a])];
    const cmd = opts.asNobody ? 'setpriv' : process.execPath;
    const argv = opts.asNobody ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args] : args;
    this.child = spawn(cmd, argv, { cwd: opts.root ?? ROOT, env: { ...process.env, LOG_LEVEL: 'warn', HOME: tmpdir(), ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d) => (this.stderr += d));
    this.child.stdout.on('data', (d) => {
      this.buf += d;
      const lines = this.buf.split('\n');
      this.buf = lines.pop()!;
      for (const l of lines.filter(Boolean)) {
        const o = JSON.parse(l);
        if ('ack' in o) {
          const t = { msgs: this.pending, ack: o };
          this.pending = [];
          this.waiters.shift()?.(t);
        } else {
          this.pending.push(o);
          this.all.push(o);
          this.onMessage?.(o);
        }
      }
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        for (const fail of this.failers) fail(new Error(`the bot exited (${code}) before acking; stderr: ${this.stderr.slice(-500)}`));
        resolve(code);
      }),
    );
  }

  /** Writes one input line and resolves its turn; rejects when no ack comes within `timeoutMs` (a stall). */
  send(input: object, timeoutMs = 20_000): Promise<Turn> {
    const n = this.sent++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`line ${n} was not acked within ${timeoutMs} ms (stall); stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      this.failers.add(fail);
      this.waiters.push((t) => {
        clearTimeout(timer);
        this.failers.delete(fail);
        if (t.ack.ack !== n) reject(new Error(`ack ${t.ack.ack} out of order (expected ${n})`));
        else resolve(t);
      });
      this.child.stdin.write(`${JSON.stringify(input)}\n`);
    });
  }

  /** Closes stdin and resolves the exit code (killing the process if it does not exit within `timeoutMs`). */
  async close(timeoutMs = 20_000): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** A chat message line for `chat --jsonl`. */
export const say = (chat: string, text: string, at: string, user = chat) => ({ chat, user, text, at });
/** A scheduler tick line. */
export const tick = (at: string) => ({ tick: true as const, at });

/** Mounts a tmpfs of `sizeKb` on a fresh directory; resolves undefined (with the reason) where mounting is not allowed. */
export function mountTmpfs(sizeKb: number): { dir: string; unmount: () => void } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'full-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()})` };
  }
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether this process may switch to the `nobody` user (root with setpriv available). */
export function canRunAsNobody(): { ok: true } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'not running as root, so cannot switch to a non-root user' };
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']);
  return r.status === 0 ? { ok: true } : { skip: `setpriv to nobody failed (${r.error?.message ?? `exit ${r.status}`})` };
}
