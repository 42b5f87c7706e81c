/** Terminal channels: an interactive (or piped) console chat, and the JSON-lines channel of `chat --jsonl`. */
import { createInterface } from 'node:readline';
import { writeLine } from './stdout.ts';
import type { Channel, MessageHandler } from '../core/channel.ts';
import type { OutgoingMessage } from '../core/types.ts';
import { ChoiceMemory, MORE_HINT, plainText } from './choices-text.ts';

/** Channel name shared by the console and the JSON-lines CLI. */
export const CONSOLE_CHANNEL = 'console';

/** The channel of `chat --jsonl`: every message sent is one JSON line `{"chat","text","data"?}` on stdout. */
export class JsonlChannel implements Channel {
  readonly name = CONSOLE_CHANNEL;
  readonly minSendIntervalMs = 0;

  /** Creates the channel over a synchronous line writer. */
  constructor(private readonly write: (line: string) => void) {}

  /** Input is driven by the CLI loop, not by the channel. */
  async start(_onMessage: MessageHandler): Promise<void> {}

  /** Prints one message; choices are flattened into the text. */
  async send(msg: OutgoingMessage): Promise<void> {
    const text = msg.choices?.length ? `${msg.text}\n（可回复：${msg.choices.map((c) => c.label).join(' / ')}）` : msg.more ? `${msg.text}\n${MORE_HINT}` : msg.text;
    this.write(JSON.stringify(msg.data ? { chat: msg.chat, text, data: msg.data } : { chat: msg.chat, text }));
  }

  /** Nothing to release. */
  async stop(): Promise<void> {}
}

/** Options of the interactive console. */
export interface ConsoleOptions {
  /** Chat and user ID of the person at the terminal. */
  chat?: string;
  user?: string;
  input?: NodeJS.ReadableStream;
  /** Called when the input ends (Ctrl-D or end of a pipe). */
  onEnd?: () => void;
  /** The bot's clock. */
  now?: () => Date;
}

/** The interactive console: reads lines from the terminal or a pipe, prints replies as plain text. */
export class ConsoleChannel implements Channel {
  readonly name = CONSOLE_CHANNEL;
  readonly minSendIntervalMs = 0;
  private readonly memory = new ChoiceMemory();
  private rl?: ReturnType<typeof createInterface>;
  private readonly chat: string;
  private readonly user: string;
  private readonly interactive: boolean;

  /** Creates the console for one local user. */
  constructor(private readonly opts: ConsoleOptions = {}) {
    this.chat = opts.chat ?? 'local';
    this.user = opts.user ?? 'local';
    this.interactive = Boolean((opts.input ?? process.stdin) === process.stdin && process.stdin.isTTY);
  }

  /** Starts reading lines; each line is one message, handled in order. */
  async start(onMessage: MessageHandler): Promise<void> {
    const input = this.opts.input ?? process.stdin;
    this.rl = createInterface({ input, output: this.interactive ? process.stdout : undefined, terminal: this.interactive });
    if (this.interactive) {
      this.print('政策助手：您好！请直接提问，例如“优秀奖奖金多少”。发送“帮助”查看全部功能，Ctrl-D 退出。');
      this.rl.setPrompt('您：');
      this.rl.prompt();
    }
    const lines: string[] = [];
    let busy = false;
    let ended = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      while (lines.length) {
        const line = lines.shift()!;
        const text = this.memory.resolve(this.chat, line);
        const replies = await onMessage({ channel: this.name, chat: this.chat, user: this.user, text, at: this.opts.now?.() ?? new Date() });
        for (const r of replies) await this.send(r);
        if (this.interactive) this.rl?.prompt();
      }
      busy = false;
      if (ended) this.opts.onEnd?.();
    };
    this.rl.on('line', (line) => {
      lines.push(line);
      void pump();
    });
    this.rl.on('close', () => {
      ended = true;
      if (!busy && lines.length === 0) this.opts.onEnd?.();
    });
  }

  /** Prints one message as text; choices become numbered options. */
  async send(msg: OutgoingMessage): Promise<void> {
    this.memory.noteSent(msg);
    const text = plainText(msg);
    this.print(msg.chat === this.chat ? `政策助手：${text}` : `政策助手（发给 ${msg.chat}）：${text}`);
  }

  /** Stops reading. */
  async stop(): Promise<void> {
    this.rl?.close();
  }

  /** Writes a block of text to stdout. */
  private print(text: string): void {
    writeLine(text);
  }
}
