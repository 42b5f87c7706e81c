/** Test kit for the staff console: a real runtime over a temporary SQLite file and a copy of data/, plus a cookie-keeping client. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import type { Channel, MessageHandler } from '../../src/core/channel.ts';
import type { OutgoingMessage } from '../../src/core/types.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { createSignInToken } from '../../src/web/console-db.ts';
import { staffAddresses } from '../../src/web/links.ts';
import { WebReportChannel } from '../../src/web/report-channel.ts';
import { buildConsoleServer } from '../../src/web/server.ts';
import { ROOT } from '../helpers/run-cli.ts';

/** A console-named channel that records what it sends. */
export class RecordingChannel implements Channel {
  readonly minSendIntervalMs = 0;
  readonly sent: OutgoingMessage[] = [];
  /** Creates the channel under `name`. */
  constructor(readonly name = 'console') {}
  async start(_h: MessageHandler): Promise<void> {}
  async send(msg: OutgoingMessage): Promise<void> {
    this.sent.push(msg);
  }
  async stop(): Promise<void> {}
}

/** Copies data/policies and the cached intent model into a fresh directory, so tests never touch the repository's data/. */
export function copyData(dir: string): string {
  const dataDir = join(dir, 'data');
  cpSync(join(ROOT, 'data', 'policies'), join(dataDir, 'policies'), { recursive: true });
  cpSync(join(ROOT, 'data', 'intent-model.json'), join(dataDir, 'intent-model.json'));
  cpSync(join(ROOT, 'data', 'index.json'), join(dataDir, 'index.json'));
  return dataDir;
}

/** A running console over a real runtime. */
export interface ConsoleKit {
  dir: string;
  dataDir: string;
  rt: Runtime;
  app: FastifyInstance;
  channel: RecordingChannel;
  reports: WebReportChannel;
  /** The console's clock; tests move it. */
  clock: { now: Date };
  close(): Promise<void>;
}

/** The fixed date the tests run at. */
export const TEST_NOW = new Date('2026-03-02T10:00:00+08:00');

/** Builds a runtime with staff `console:staff1` (and `telegram:42`) and a console server over it. */
export async function consoleKit(opts: { signInPerMinute?: number; signInPerToken?: number; env?: Record<string, string> } = {}): Promise<ConsoleKit> {
  const dir = mkdtempSync(join(tmpdir(), 'console-test-'));
  const dataDir = copyData(dir);
  const config = loadConfig({ CONSOLE_ADMIN_IDS: 'staff1', TELEGRAM_ADMIN_IDS: '42', WEB_PORT: '8080', LOG_LEVEL: 'silent', DB_PATH: join(dir, 'bot.db'), ...opts.env });
  const channel = new RecordingChannel();
  const reports = new WebReportChannel();
  const rt = await createRuntime({ config, dbPath: join(dir, 'bot.db'), dataDir, channels: [channel, reports], quiet: true });
  const clock = { now: TEST_NOW };
  const staff = staffAddresses(config);
  const app = await buildConsoleServer({
    store: rt.store,
    bot: rt.bot,
    poke: () => undefined,
    config,
    dataDir,
    staff: () => staff,
    connected: () => rt.channelNames,
    reports,
    now: () => clock.now,
    signInPerMinute: opts.signInPerMinute ?? 1000,
    signInPerToken: opts.signInPerToken,
    progressIntervalMs: 20,
  });
  return {
    dir,
    dataDir,
    rt,
    app,
    channel,
    reports,
    clock,
    async close() {
      await app.close();
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A browser-like client: keeps cookies and reads the CSRF token from the last page. */
export class Client {
  readonly cookies = new Map<string, string>();
  csrf = '';
  /** Creates a client of `app`. */
  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1];
    return res;
  }

  /** GET with cookies. */
  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } }));
  }

  /** POST a form (an array value repeats the field) with cookies and (unless `csrf: false`) the page's CSRF token. */
  async post(url: string, form: Record<string, string | string[]>, opts: { csrf?: boolean | string } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    if (opts.csrf !== false) body.set('_csrf', typeof opts.csrf === 'string' ? opts.csrf : this.csrf);
    return this.keep(
      await this.app.inject({ method: 'POST', url, payload: body.toString(), headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' } }),
    );
  }

  /** POST a multipart upload of one file with the CSRF token. */
  async upload(url: string, fileName: string, content: Buffer | string, opts: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const boundary = '----consoletest' + Math.random().toString(16).slice(2);
    const parts: Buffer[] = [];
    if (opts.csrf !== false) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${this.csrf}\r\n`));
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/plain\r\n\r\n`));
    parts.push(Buffer.isBuffer(content) ? content : Buffer.from(content));
    parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
    return this.keep(
      await this.app.inject({ method: 'POST', url, payload: Buffer.concat(parts), headers: { cookie: this.cookieHeader(), 'content-type': `multipart/form-data; boundary=${boundary}` } }),
    );
  }

  /** Signs in through a fresh one-time link for `staff`. */
  async signIn(kit: ConsoleKit, staff = 'console:staff1'): Promise<void> {
    const token = await createSignInToken(kit.rt.store, staff, kit.clock.now);
    await this.get(`/signin?token=${token}`);
    const res = await this.post('/signin', { token });
    if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
}

/** Subscribes `n` console chats through the bot (`/subscribe tags`), named `${prefix}1`…; resolves the chat names. */
export async function subscribeMany(rt: Runtime, n: number, prefix: string, tags: string[], at: Date): Promise<string[]> {
  const chats: string[] = [];
  for (let i = 1; i <= n; i++) {
    const chat = `${prefix}${i}`;
    await rt.bot.handle({ channel: 'console', chat, user: chat, text: `/subscribe ${tags.join(' ')}`.trim(), at });
    chats.push(chat);
  }
  return chats;
}
