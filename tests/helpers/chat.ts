/** Drives `cli chat --jsonl` as a child process and groups its output by acknowledged input line. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';

/** One message printed by the bot. */
export interface BotLine {
  chat: string;
  text: string;
  data?: Record<string, any>;
}

/** One input line of the protocol. */
export type ChatInput = { chat: string; user?: string; text: string; at?: string } | { tick: true; at: string };

/** Output of one run: the bot's messages per input line, and everything raw. */
export interface ChatRun {
  code: number | null;
  /** Messages caused by input line i. */
  turns: BotLine[][];
  stderr: string;
  raw: string;
}

/** A fresh SQLite path in a temp directory. */
export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'policy-bot-')), 'bot.db');
}

/** Runs the bot over the given input lines and checks every line was acknowledged in order. */
export async function runChat(inputs: ChatInput[], opts: { db?: string; admins?: string[] } = {}): Promise<ChatRun> {
  const args = ['chat', '--jsonl', '--db', opts.db ?? tempDb()];
  for (const a of opts.admins ?? []) args.push('--admin', a);
  const input = inputs.map((i) => JSON.stringify('tick' in i ? i : { user: i.chat, ...i })).join('\n') + '\n';
  const r = await runCli(args, { input });
  const turns: BotLine[][] = [];
  let current: BotLine[] = [];
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const o = JSON.parse(line);
    if ('ack' in o) {
      if (o.ack !== turns.length) throw new Error(`ack ${o.ack} out of order (expected ${turns.length})`);
      turns.push(current);
      current = [];
    } else current.push(o);
  }
  if (turns.length !== inputs.length) throw new Error(`expected ${inputs.length} acks, got ${turns.length}; stderr: ${r.stderr.slice(0, 2000)}`);
  return { code: r.code, turns, stderr: r.stderr, raw: r.stdout };
}

/** The pre-check slot a message asks for, if it is a question. */
export const askedSlot = (m: BotLine | undefined) => m?.data?.precheck?.ask as string | undefined;
/** The verdict data of a message, if it is one. */
export const verdictOf = (m: BotLine | undefined) => (m?.data?.precheck && 'eligible' in m.data.precheck ? m.data.precheck : undefined) as
  | { eligible: boolean; failed: string[]; reward: number | null }
  | undefined;
/** The last message of a turn. */
export const last = (t: BotLine[]) => t[t.length - 1];
