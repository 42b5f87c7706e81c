/** A loopback HTTP proxy in front of telegram-test-api that adds what the emulator lacks: long polling, scripted errors (429, 403, 5xx) and redelivered updates. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted reply the proxy gives instead of forwarding. */
export interface ScriptedReply {
  status: number;
  body: unknown;
}

/** One Bot API call the proxy saw. */
export interface ProxyCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  /** Whether it was answered by a scripted reply rather than forwarded. */
  scripted: boolean;
}

/** A real HTTP peer between the bot and the emulator; bot API root is `${url}` (no trailing slash). */
export class BotApiProxy {
  /** Every Bot API call seen, in order. */
  readonly calls: ProxyCall[] = [];
  /** How many getUpdates responses carried a redelivered batch. */
  redelivered = 0;
  private readonly scripted = new Map<string, ScriptedReply[]>();
  private redeliverNext = false;
  private server?: http.Server;

  /** Forwards to the emulator at `upstream`; empty getUpdates are held up to `longPollMs` like Telegram's long polling. */
  constructor(
    private readonly upstream: string,
    private readonly longPollMs = 400,
  ) {}

  /** Base URL of the proxy, to use as grammY's apiRoot. */
  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('proxy not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  /** Answers the next `count` calls of `method` with `reply` instead of forwarding them. */
  failNext(method: string, reply: ScriptedReply, count = 1): void {
    const list = this.scripted.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(reply);
    this.scripted.set(method, list);
  }

  /** Makes the next non-empty getUpdates batch be delivered twice, as after a crash before the offset was confirmed. */
  redeliverNextBatch(): void {
    this.redeliverNext = true;
  }

  /** Calls of one method. */
  callsOf(method: string): ProxyCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Starts listening on a free loopback port. */
  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 502, description: `proxy: ${String(err)}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').split('/').pop() ?? '';
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const queue = this.scripted.get(method);
    const scripted = queue?.shift();
    this.calls.push({ method, body, at: Date.now(), scripted: scripted !== undefined });
    if (scripted) {
      res.writeHead(scripted.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(scripted.body));
      return;
    }
    const forward = async () => {
      const r = await fetch(`${this.upstream}${req.url}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : raw,
      });
      return { status: r.status, text: await r.text() };
    };
    let out = await forward();
    if (method === 'getUpdates') {
      const deadline = Date.now() + this.longPollMs;
      while (!closed && Date.now() < deadline && isEmptyResult(out.text)) {
        await new Promise((r) => setTimeout(r, 20));
        out = await forward();
      }
      if (this.redeliverNext && !isEmptyResult(out.text)) {
        this.redeliverNext = false;
        const parsed = JSON.parse(out.text) as { result: unknown[] };
        const batch = parsed.result;
        // Serve the batch now and keep it for the next poll too.
        this.scripted.set('getUpdates', [{ status: 200, body: { ok: true, result: batch } }, ...(this.scripted.get('getUpdates') ?? [])]);
        this.redelivered++;
      }
    }
    if (closed) return;
    res.writeHead(out.status, { 'content-type': 'application/json' });
    res.end(out.text);
  }
}

/** Whether a Bot API response is an ok result with an empty array. */
function isEmptyResult(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { ok?: boolean; result?: unknown };
    return parsed.ok === true && Array.isArray(parsed.result) && parsed.result.length === 0;
  } catch {
    return false;
  }
}
