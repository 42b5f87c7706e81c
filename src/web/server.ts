/** The staff web console: a Fastify server with one-time sign-in links, sessions, CSRF tokens and server-rendered pages. */
import { randomUUID } from 'node:crypto';
import type { AwardRules } from '../dialogue/award-rules.ts';
import { confirmMatch, matchPage, pendingMatches } from './match-page.ts';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { cleanText } from '../nlu/sanitize.ts';
import type { StoreHealth } from '../storage/store.ts';
import { broadcastRoutes } from './broadcast-routes.ts';
import * as db from './console-db.ts';
import { DocumentLibrary } from './documents.ts';
import { adoptDraft, getDraft, isDraftKey, newDraftKey, saveDraft, type DraftForm } from './drafts.ts';
import { html, layout, type PageContext, type Safe } from './html.ts';
import { staffName } from './names.ts';
import * as pages from './pages.ts';
import { publicityRoutes } from './publicity-routes.ts';
import { deliveryReport, recentGroups, broadcastGroups } from './report.ts';
import type { ConsoleDeps, RouteKit } from './route-kit.ts';
import { groupQuestions, withFrames } from './unanswered.ts';
import { understand } from '../knowledge/understand.ts';

export type { ConsoleDeps } from './route-kit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff member ("channel:id"), set by the session check. */
    staff?: string;
    /** A draft post that came without a live session: the route keeps the draft instead of acting. */
    signedOut?: boolean;
  }
}

/** Cookie naming a draft kept while signed out, to return to after signing in. */
const RESUME_COOKIE = 'pa_resume';

/** Form posts that keep their draft when the session has expired. */
const DRAFT_POSTS = new Set(['/broadcast/preview', '/broadcast/send', '/publicity/preview', '/publicity/send']);

/** Session cookie name. */
export const SESSION_COOKIE = 'pa_session';

const ASSETS: Record<string, { type: string; body: Buffer }> = Object.fromEntries(
  [
    ['console.css', 'text/css; charset=utf-8'],
    ['console.js', 'text/javascript; charset=utf-8'],
  ].map(([name, type]) => [name, { type, body: readFileSync(new URL(`./assets/${name}`, import.meta.url)) }]),
);

/** Paths anyone may open: the sign-in page and the static assets (no data). */
function isPublic(url: string): boolean {
  return url === '/signin' || url.startsWith('/signin?') || url.startsWith('/assets/');
}

/** Builds the console server (not listening yet); `app.inject` drives it in tests. */
export async function buildConsoleServer(deps: ConsoleDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  // Closing the server also ends open progress streams, so a shutdown never waits for a watcher.
  // Behind a configured proxy, req.ip is the real client (X-Forwarded-For), so the sign-in limits count people, not the proxy.
  const trust = deps.config.WEB_TRUST_PROXY ?? false;
  const trustProxy = typeof trust === 'number' ? (_addr: string, hop: number) => hop < trust : trust;
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy, forceCloseConnections: true });
  // Cookies are Secure whenever staff reach the console over https, directly or through the proxy of WEB_PUBLIC_URL.
  const publicHttps = (deps.config.WEB_PUBLIC_URL ?? '').startsWith('https:');
  const secure = (req: FastifyRequest) => publicHttps || req.protocol === 'https';
  let closing = false;
  app.addHook('onClose', async () => {
    closing = true;
  });
  const library = new DocumentLibrary(deps.dataDir, (k) => {
    deps.bot.setKnowledge(k);
    // Every other process sharing the database reloads the documents too.
    void deps.store.bumpKnowledgeVersion(now()).catch(() => undefined);
  });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyMultipart, { limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 10 } });
  await app.register(fastifyCsrf, {
    cookieKey: 'pa_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, signed: false, secure: publicHttps },
    getToken: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      const header = req.headers['x-csrf-token'];
      return fromBody ?? (typeof header === 'string' ? header : undefined);
    },
  });
  await app.register(fastifyRateLimit, { global: false });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    if (!reply.getHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  // The session check: every page and API except sign-in and assets needs a live session of configured staff.
  app.addHook('onRequest', async (req, reply) => {
    if (isPublic(req.url)) return;
    const sid = req.cookies[SESSION_COOKIE];
    const staff = sid ? await db.sessionStaff(deps.store, sid, now()) : undefined;
    if (staff && deps.staff().includes(staff)) {
      req.staff = staff;
      return;
    }
    const path = req.url.split('?')[0];
    // A notice typed while the session ran out is not lost: the route keeps it as a draft (after the CSRF check).
    if (req.method === 'POST' && DRAFT_POSTS.has(path)) {
      req.signedOut = true;
      return;
    }
    if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.redirect('/signin', 303);
    if (!req.url.startsWith('/api/')) return reply.code(401).type('text/html; charset=utf-8').send(layout('请重新登录', { path: '/signin' }, pages.signedOutPage(false)));
    return reply.code(401).type('application/json; charset=utf-8').send({ error: 'unauthorized', message: '请先用工作人员登录链接登录。' });
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) deps.logger?.error({ err, url: req.url }, 'console request failed');
    const message =
      err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET'
        ? '页面已过期或请求来源不明（安全校验未通过）。请返回上一页刷新后重试。'
        : status === 429
          ? '尝试次数过多，请一分钟后再试。'
          : status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE'
            ? '文件太大（上限 2 MB）。'
            : status >= 500
              ? '服务器出错了，请稍后再试。'
              : '请求无效。';
    if (req.url.startsWith('/api/')) return reply.code(status).send({ error: err.code ?? 'error', message });
    return reply.code(status).type('text/html; charset=utf-8').send(layout('出错了', { path: req.url }, html`<p class="error">${message}</p><p><a href="/">返回概览</a></p>`));
  });

  const page = async (req: FastifyRequest, reply: FastifyReply, title: string, body: Safe, opts: { refreshSeconds?: number } = {}) => {
    const ctx: PageContext = { staff: req.staff, csrf: reply.generateCsrf(), path: req.url.split('?')[0] };
    return reply.type('text/html; charset=utf-8').send(layout(title, ctx, body, opts));
  };
  const csrfOf = (reply: FastifyReply) => reply.generateCsrf();
  const record = (req: FastifyRequest, action: string, detail: string) => db.audit(deps.store, req.staff ?? 'anonymous', action, detail, now());
  const protect = { preHandler: app.csrfProtection };

  app.get('/assets/:name', async (req, reply) => {
    const asset = ASSETS[(req.params as { name: string }).name];
    if (!asset) return reply.code(404).send('not found');
    return reply.type(asset.type).header('Cache-Control', 'public, max-age=300').send(asset.body);
  });

  // Sign-in: the link opens a confirmation page; the POST uses the token once and opens a session. Attempts are limited
  // per client address (the real one behind a trusted proxy) and, on the POST, also per link token.
  const signInLimit = { rateLimit: { max: deps.signInPerMinute ?? 10, timeWindow: '1 minute' } };
  const perToken = new Map<string, number[]>();
  const tokenLimited = (token: string): boolean => {
    const t = now().getTime();
    const key = db.hashSecret(token);
    const recent = (perToken.get(key) ?? []).filter((x) => x > t - 60_000);
    recent.push(t);
    perToken.set(key, recent);
    if (perToken.size > 10_000) perToken.delete(perToken.keys().next().value as string);
    return recent.length > (deps.signInPerToken ?? 5);
  };
  app.get('/signin', { config: signInLimit }, async (req, reply) => {
    const token = z.string().max(200).optional().catch(undefined).parse((req.query as Record<string, unknown>).token);
    return reply.type('text/html; charset=utf-8').send(layout('登录', { path: '/signin' }, pages.signInPage(token, csrfOf(reply))));
  });
  app.post('/signin', { config: signInLimit, ...protect }, async (req, reply) => {
    const token = z.object({ token: z.string().min(10).max(200) }).safeParse(req.body);
    if (token.success && tokenLimited(token.data.token)) {
      return reply.code(429).type('text/html; charset=utf-8').send(layout('登录', { path: '/signin' }, html`<p class="error">这个登录链接尝试次数过多，请一分钟后再试，或在聊天中发送 /console 获取新的链接。</p>`));
    }
    const result = token.success ? await db.redeemSignInToken(deps.store, token.data.token, now()) : ({ refused: 'unknown' } as const);
    if ('refused' in result || !deps.staff().includes(result.staff)) {
      await db.audit(deps.store, 'anonymous', 'signin_refused', 'refused' in result ? result.refused : `${staffName(result.staff)} 已不在工作人员名单中`, now());
      return reply.code(401).type('text/html; charset=utf-8').send(layout('登录', { path: '/signin' }, pages.signInRefused('refused' in result ? result.refused : 'unknown')));
    }
    const sid = await db.createSession(deps.store, result.staff, now());
    reply.setCookie(SESSION_COOKIE, sid, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(req), maxAge: db.SESSION_TTL_MS / 1000 });
    await db.audit(deps.store, result.staff, 'signin', '', now());
    // Back to the draft kept when the last session ran out, if this browser has one.
    const resume = req.cookies[RESUME_COOKIE];
    if (resume) {
      reply.clearCookie(RESUME_COOKIE, { path: '/' });
      const draft = isDraftKey(resume) ? await getDraft(deps.store, resume) : undefined;
      if (draft && draft.resultId === null && (draft.staff === null || draft.staff === result.staff)) {
        await adoptDraft(deps.store, draft.key, result.staff);
        return reply.redirect(`/${draft.kind}?draft=${draft.key}`, 303);
      }
    }
    return reply.redirect('/', 303);
  });
  app.post('/logout', protect, async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) await db.endSession(deps.store, sid);
    await record(req, 'signout', '');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/signin', 303);
  });

  // Overview: every count from the outbox rows, in words.
  const connected = () => new Set(deps.connected?.() ?? []);
  const overview = async (): Promise<pages.Overview> => {
    const [subscribers, groups, reminders, latest] = await Promise.all([
      db.subscriberCounts(deps.store),
      recentGroups(deps.store, now()),
      db.upcomingReminders(deps.store, 10),
      deps.store.listBroadcasts(5),
    ]);
    let health: StoreHealth | undefined;
    try {
      health = typeof deps.store.health === 'function' ? deps.store.health() : undefined;
    } catch {
      health = { ok: false, problem: 'unavailable' };
    }
    const recent = await Promise.all(latest.map(async (b) => ({ b, report: deliveryReport(await broadcastGroups(deps.store, b.id), connected()) })));
    return { subscribers, deliveries: deliveryReport(groups, connected()), reminders, documents: deps.bot.knowledge.documents, health, recent };
  };
  app.get('/', async (req, reply) => page(req, reply, '概览', pages.overviewPage(await overview(), now())));
  app.get('/api/overview', async () => {
    const o = await overview();
    return {
      subscribers: o.subscribers,
      deliveries: o.deliveries,
      reminders: o.reminders,
      health: o.health,
      documents: o.documents.map((d) => ({ id: d.id, title: d.title, file: d.file, expires: d.expires ?? null, effective: d.effective ?? null })),
    };
  });

  // A form posted after the session ran out: keep it as a draft (owned by nobody until its author signs in again in
  // this browser) and say so, in Chinese, instead of losing the text.
  const keepSignedOutDraft: RouteKit['keepSignedOutDraft'] = async (req, reply, kind, raw) => {
    const key = isDraftKey(raw.draft) ? raw.draft : newDraftKey();
    const str = (v: unknown, max: number) => cleanText(typeof v === 'string' ? v : '').slice(0, max);
    const tags = (Array.isArray(raw.tag) ? raw.tag : typeof raw.tag === 'string' && raw.tag ? [raw.tag] : []).map((t) => str(t, 60)).slice(0, 20);
    const form: DraftForm = kind === 'broadcast' ? { text: str(raw.text, 5000), tags } : { starts: str(raw.starts, 60), title: str(raw.title, 300) };
    const existing = await getDraft(deps.store, key);
    if (!existing || existing.resultId === null) await saveDraft(deps.store, key, kind, null, form, now());
    reply.setCookie(RESUME_COOKIE, key, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(req), maxAge: 7 * 86_400 });
    return reply.code(401).type('text/html; charset=utf-8').send(layout('请重新登录', { path: '/signin' }, pages.signedOutPage(true)));
  };
  const kit: RouteKit = {
    app,
    deps,
    now,
    page,
    csrfOf,
    record,
    protect,
    signedOut: (req) => req.signedOut === true,
    keepSignedOutDraft,
    connected,
    closing: () => closing,
  };
  broadcastRoutes(kit);
  publicityRoutes(kit);

  // Unanswered questions.
  // Each group shows the frame its example is understood into today, so staff see which word was not understood.
  const understood = async () => withFrames(groupQuestions(await db.listUnanswered(deps.store, 2000)), (q) => understand(deps.bot.knowledge, q));
  app.get('/unanswered', async (req, reply) => page(req, reply, '未答问题', pages.unansweredPage(await understood(), csrfOf(reply))));
  app.get('/api/unanswered', async () => understood());
  app.post('/unanswered/handled', protect, async (req, reply) => {
    const form = z.object({ wordings: z.string().min(1).max(20_000) }).safeParse(req.body);
    const wordings = form.success ? z.array(z.string().max(500)).max(500).catch([]).parse(JSON.parse(form.data.wordings.startsWith('[') ? form.data.wordings : '[]')) : [];
    if (wordings.length === 0) return reply.code(400).send({ error: 'bad_request' });
    await db.markHandled(deps.store, wordings, req.staff!, now());
    await record(req, 'unanswered_handled', wordings.slice(0, 5).join('；'));
    return reply.redirect('/unanswered', 303);
  });

  // Documents.
  const documentsPage = async (req: FastifyRequest, reply: FastifyReply, notice?: pages.DocumentNotice, trial?: pages.TrialAnswer) =>
    page(req, reply, '政策文件', pages.documentsPage({ csrf: csrfOf(reply), documents: deps.bot.knowledge.documents, units: deps.bot.knowledge.units, files: library.files(), notice, trial }, now()));
  // `?q=` tries a question on the knowledge being served, as a chat would get it (reads only).
  app.get('/documents', async (req, reply) => {
    const q = z.string().max(2000).transform(cleanText).pipe(z.string().trim().min(1).max(500)).safeParse((req.query as Record<string, unknown>).q);
    const trial = q.success ? { question: q.data, answer: deps.bot.ask(q.data, now()) } : undefined;
    return documentsPage(req, reply, undefined, trial);
  });
  app.get('/api/documents', async () => deps.bot.knowledge.documents);
  app.post('/documents/upload', { preValidation: async (req) => {
    // The multipart body is read before the CSRF check, so the token can travel as a form field.
    const fields: Record<string, unknown> = {};
    if (!req.isMultipart()) return;
    for await (const part of req.parts()) {
      if (part.type === 'file') fields.file = { name: part.filename, bytes: await part.toBuffer() };
      else fields[part.fieldname] = part.value;
    }
    req.body = fields;
  }, ...protect }, async (req, reply) => {
    const body = (req.body ?? {}) as { file?: { name: string; bytes: Buffer } };
    if (!body.file || !body.file.name) {
      reply.code(400);
      return documentsPage(req, reply, { ok: false, problems: [{ file: '', field: '文件', message: '请选择一个 .txt 文件。' }] });
    }
    const result = await library.upload(body.file.name, body.file.bytes);
    if (!result.ok) {
      await record(req, 'document_upload_rejected', `${body.file.name}：${result.problems.map((p) => p.message).join('；').slice(0, 300)}`);
      reply.code(422);
      return documentsPage(req, reply, { ok: false, problems: result.problems });
    }
    await record(req, 'document_upload', `${result.file}：${result.documents.map((d) => d.title).join('、')}`);
    return documentsPage(req, reply, { ok: true, text: `已上传并启用：${result.documents.map((d) => `《${d.title}》`).join('、')}（文件 ${result.file}）。机器人现在就能回答其中的问题。` });
  });
  app.post('/documents/remove', protect, async (req, reply) => {
    const form = z.object({ file: z.string().min(1).max(200) }).safeParse(req.body);
    if (!form.success) return reply.code(400).send({ error: 'bad_request' });
    const titles = deps.bot.knowledge.documents.filter((d) => d.file === form.data.file).map((d) => d.title);
    const result = await library.remove(form.data.file);
    if (!result.ok) {
      reply.code(422);
      return documentsPage(req, reply, { ok: false, problems: result.problems });
    }
    await record(req, 'document_remove', `${form.data.file}：${titles.join('、')}`);
    return documentsPage(req, reply, { ok: true, text: `已删除 ${form.data.file}（${titles.map((t) => `《${t}》`).join('、')}），机器人不再引用它。文件已移到 data/removed/，需要时可以恢复。` });
  });

  // Audit.
  // Match notices: the subscribers a new or changed rules file may fit; nothing is sent before staff confirm.
  app.get('/matches', async (req, reply) => page(req, reply, '奖项匹配', matchPage(await pendingMatches(deps.store, now(), deps.awards?.()), csrfOf(reply))));
  app.post('/matches/send', protect, async (req, reply) => {
    const form = z.object({ award: z.string().regex(/^[a-z0-9-]+$/), version: z.string().regex(/^[0-9a-f]{12}$/) }).safeParse(req.body);
    if (!form.success) return reply.code(400).type('text/html; charset=utf-8').send(layout('奖项匹配', { path: '/matches', staff: req.staff, csrf: csrfOf(reply) }, html`<p class="error">请求无效，请返回刷新后重试。</p><p><a href="/matches">返回</a></p>`));
    const queued = await confirmMatch(deps.store, form.data.award, form.data.version, now(), deps.awards?.());
    await record(req, 'match-notice', `${form.data.award}@${form.data.version}：${queued} 条`);
    if (queued > 0) deps.poke();
    return page(req, reply, '奖项匹配', matchPage(await pendingMatches(deps.store, now(), deps.awards?.()), csrfOf(reply), { award: form.data.award, queued }));
  });
  app.get('/audit', async (req, reply) => page(req, reply, '操作记录', pages.auditPage(await db.listAudit(deps.store, 500))));
  app.get('/api/audit', async () => db.listAudit(deps.store, 500));

  app.setNotFoundHandler(async (req, reply) => reply.code(404).type('text/html; charset=utf-8').send(layout('找不到页面', { path: req.url, staff: req.staff, csrf: csrfOf(reply) }, html`<p>没有这个页面。</p><p><a href="/">返回概览</a></p>`)));
  return app;
}

/** A console listening on a port. */
export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/** Builds the console and listens on `host:port`. */
export async function startConsoleServer(deps: ConsoleDeps, port: number, host: string): Promise<RunningConsole> {
  const app = await buildConsoleServer(deps);
  const address = await app.listen({ port, host });
  return { url: address, close: () => app.close() };
}
