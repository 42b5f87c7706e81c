/**
 * Plays the dialogue set through the real `chat --jsonl` process, one chat per dialogue, at a fixed date, and scores
 * each scored turn:
 *   facts — every fact is in the turn's replies (spaces ignored) and the document's title is cited;
 *   none  — the reply says the documents do not state it (and leads with nothing else);
 *   form  — the turn's replies continue the pre-check (its next question or its verdict), not "could not read".
 * A turn with "restart": true is played after the process has been ended and started again on the same database file.
 *
 *   npm run -s eval -- --dialogues            (also part of --all)
 *   npx tsx eval/run-dialogues.ts [file] [--verbose] [--json]
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DOC_TITLES } from './doc-titles.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const ROOT = here('..');


/** Words by which a reply says the documents do not state something. */
const NOT_STATED = /没有写明|未写明|没有涉及|未涉及|没有规定|未规定|没有提到|未提到|未收录|不便猜测|没有明确|未明确/;

const expectSchema = z.union([
  z.object({ facts: z.array(z.string().min(1)).min(1), doc: z.string() }),
  z.object({ none: z.literal(true), doc: z.string().optional() }),
  z.object({ form: z.literal(true) }),
  z.null(),
]);
const dialogueSchema = z.object({
  id: z.string(),
  kind: z.string(),
  turns: z.array(z.object({ text: z.string(), expect: expectSchema.optional(), restart: z.boolean().optional() })).min(1),
});
type Dialogue = z.infer<typeof dialogueSchema>;
type Expect = z.infer<typeof expectSchema>;

/** One printed line of `chat --jsonl`. */
interface OutLine {
  chat?: string;
  text?: string;
  data?: Record<string, unknown>;
  ack?: number;
}

/** A running `chat --jsonl` process, fed one line at a time. */
class ChatProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: OutLine[] = [];
  private waiter?: (lines: OutLine[]) => void;
  private n = 0;

  constructor(db: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'chat', '--jsonl', '--db', db], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } });
    this.child.stderr.resume();
    createInterface({ input: this.child.stdout }).on('line', (l) => {
      let o: OutLine;
      try {
        o = JSON.parse(l) as OutLine;
      } catch {
        return;
      }
      this.pending.push(o);
      if (o.ack !== undefined && this.waiter) {
        const lines = this.pending.splice(0);
        const w = this.waiter;
        this.waiter = undefined;
        w(lines);
      }
    });
  }

  /** Sends one message and resolves with what the bot printed for it. */
  say(chat: string, text: string, at: string): Promise<OutLine[]> {
    this.n++;
    return new Promise((resolve) => {
      this.waiter = (lines) => resolve(lines.filter((l) => l.ack === undefined));
      this.child.stdin.write(`${JSON.stringify({ chat, user: chat, text, at })}\n`);
    });
  }

  /** Ends the process (stdin closed, as at the end of input) and waits for it. */
  async end(): Promise<void> {
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    await done;
  }
}

/** Removes spaces, so that "3 千元" in a document matches "3 千元" or "3千元" in a reply. */
const squash = (s: string) => s.replace(/\s+/g, '');

/** Judges one turn's replies. */
export function judgeTurn(expect: Exclude<Expect, null>, replies: OutLine[], docTitle: (id: string) => string): { pass: boolean; why: string } {
  const text = replies.map((r) => r.text ?? '').join('\n');
  if ('form' in expect) {
    const step = replies.some((r) => r.data && 'precheck' in r.data);
    if (!step) return { pass: false, why: 'no pre-check step' };
    if (/没能看懂这个回答/.test(text)) return { pass: false, why: 'answer not read' };
    return { pass: true, why: '' };
  }
  if ('none' in expect) {
    const first = replies.find((r) => r.data && 'answer' in r.data) ?? replies[0];
    const lead = (first?.text ?? '').replace(/^⚠️.*\n/, '').split('\n')[0];
    return NOT_STATED.test(lead) ? { pass: true, why: '' } : { pass: false, why: 'does not say it is not stated' };
  }
  const missing = expect.facts.filter((f) => !squash(text).includes(squash(f)));
  if (missing.length) return { pass: false, why: `missing ${missing.join(', ')}` };
  if (!text.includes(docTitle(expect.doc))) return { pass: false, why: `${expect.doc} not cited` };
  return { pass: true, why: '' };
}

/** Summary of a run. */
export interface DialogueSummary {
  file: string;
  dialogues: number;
  scored: number;
  correct: number;
  accuracy: number;
  perKind: Record<string, { ok: number; n: number }>;
  failures: { id: string; turn: number; text: string; why: string; reply: string }[];
}

/** Plays every dialogue of the file and scores it. */
export async function runDialogues(file = here('./dialogues.jsonl')): Promise<DialogueSummary> {
  const dialogues: Dialogue[] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = dialogueSchema.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
      return r.data;
    });
  const dir = mkdtempSync(join(tmpdir(), 'dialogues-'));
  const db = join(dir, 'bot.db');
  const base = Date.parse('2026-11-22T10:00:00+08:00');
  let proc = new ChatProcess(db);
  const perKind: DialogueSummary['perKind'] = {};
  const failures: DialogueSummary['failures'] = [];
  let scored = 0;
  let correct = 0;
  try {
    for (const [di, d] of dialogues.entries()) {
      const chat = `dlg-${d.id}`;
      for (const [ti, t] of d.turns.entries()) {
        if (t.restart) {
          await proc.end();
          proc = new ChatProcess(db);
        }
        // One dialogue per hour, one turn a minute: well inside the topic's quiet period, and chats never overlap in time.
        const at = new Date(base + di * 3_600_000 + ti * 60_000).toISOString();
        const replies = await proc.say(chat, t.text, at);
        if (!t.expect) continue;
        scored++;
        const k = (perKind[d.kind] ??= { ok: 0, n: 0 });
        k.n++;
        const { pass, why } = judgeTurn(t.expect, replies, (id) => DOC_TITLES[id] ?? id);
        if (pass) {
          correct++;
          k.ok++;
        } else failures.push({ id: d.id, turn: ti + 1, text: t.text, why, reply: replies.map((r) => r.text ?? '').join(' ⏎ ').slice(0, 240) });
      }
    }
  } finally {
    await proc.end();
    rmSync(dir, { recursive: true, force: true });
  }
  return { file, dialogues: dialogues.length, scored, correct, accuracy: scored ? (100 * correct) / scored : 0, perKind, failures };
}

/** Prints a summary for a person. */
export function printDialogues(s: DialogueSummary, verbose: boolean): void {
  console.log(`dialogues ${s.file.split('/').pop()}: ${s.correct}/${s.scored} scored turns right (${s.accuracy.toFixed(1)}%) in ${s.dialogues} dialogues`);
  console.log(`  per kind: ${Object.entries(s.perKind).map(([k, v]) => `${k} ${v.ok}/${v.n}`).join(', ')}`);
  if (verbose) for (const f of s.failures) console.log(`  ✗ ${f.id}#${f.turn} ${f.text} — ${f.why}\n      ${f.reply}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const s = await runDialogues(file);
  if (args.includes('--json')) console.log(JSON.stringify(s));
  else printDialogues(s, args.includes('--verbose'));
}
