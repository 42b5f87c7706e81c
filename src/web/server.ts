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
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AppConfig } from '../config.ts';
import type { Bot } from '../core/bot.ts';
import { MAX_BROADCAST_LENGTH } from '../core/handlers/staff-handler.ts';
import { normalizeTag } from '../scheduling/commands.ts';
import { formatDayZh, isDay, localDay } from '../scheduling/dates.ts';
import { DEFAULT_PUBLICITY_TITLE, firstReminderOn, publicityData, publicityEnds, publicityStages, publicityStartText } from '../scheduling/reminders.ts';
import type { SqliteStore } from '../storage/sqlite-store.ts';
import * as db from './console-db.ts';
import { DocumentLibrary } from './documents.ts';
import { html, layout, type PageContext, type Safe } from './html.ts';
import * as pages from './pages.ts';
import { WEB_CHANNEL, type WebReportChannel } from './report-channel.ts';
import { groupQuestions } from './unanswered.ts';

/** What the console needs from the running bot. */
export interface ConsoleDeps {
  store: SqliteStore;
  bot: Bot;
  /** Asks the delivery service to send what was just queued. */
  poke: () => void;
  config: AppConfig;
  /** Knowledge directory (holding policies/). */
  dataDir: string;
  /** Configured staff as "channel:id"; a session whose staff left this list is refused. */
  staff: () => string[];
  reports?: WebReportChannel;
  logger?: Logger;
  /** The console's clock (tests set it). */
  now?: () => Date;
  /** Sign-in attempts allowed per minute and address (default 10). */
  signInPerMinute?: number;
  /** How often the progress stream reports, in ms (default 500). */
  progressIntervalMs?: number;
  /** The award rules files, read fresh for the match page (default: the rules directory at each request). */
  awards?: () => readonly AwardRules[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff member ("channel:id"), set by the session check. */
    staff?: string;
  }
}

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

const broadcastForm = z.object({
  text: z.string().trim().min(1, '请填写通知内容').max(MAX_BROADCAST_LENGTH, `通知内容请控制在 ${MAX_BROADCAST_LENGTH} 字以内`),
  // Zero tags: every subscriber; one or more: those carrying any of them, each reached once.
  tag: z
    .union([z.string().max(60), z.array(z.string().max(60)).max(20)])
    .default([])
    .transform((t) => [...new Set((Array.isArray(t) ? t : [t]).map(normalizeTag).filter(Boolean))]),
  draft: z.string().uuid().optional(),
});

const publicityForm = z.object({
  starts: z.string().trim().refine(isDay, '请按 2026-01-05 的格式填写开始日期'),
  title: z.string().trim().max(200, '标题请控制在 200 字以内').default(''),
});

/** Builds the console server (not listening yet); `app.inject` drives it in tests. */
export async function buildConsoleServer(deps: ConsoleDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  // Closing the server also ends open progress streams, so a shutdown never waits for a watcher.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false, forceCloseConnections: true });
  let closing = false;
  app.addHook('onClose', async () => {
    closing = true;
  });
  const library = new DocumentLibrary(deps.dataDir, (k) => deps.bot.setKnowledge(k));
  const sending = new Map<string, Promise<string>>();

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyMultipart, { limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 10 } });
  await app.register(fastifyCsrf, {
    cookieKey: 'pa_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, signed: false },
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
    if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.redirect('/signin', 303);
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

  // Sign-in: the link opens a confirmation page; the POST uses the token once and opens a session.
  const signInLimit = { rateLimit: { max: deps.signInPerMinute ?? 10, timeWindow: '1 minute' } };
  app.get('/signin', { config: signInLimit }, async (req, reply) => {
    const token = z.string().max(200).optional().catch(undefined).parse((req.query as Record<string, unknown>).token);
    return reply.type('text/html; charset=utf-8').send(layout('登录', { path: '/signin' }, pages.signInPage(token, csrfOf(reply))));
  });
  app.post('/signin', { config: signInLimit, ...protect }, async (req, reply) => {
    const token = z.object({ token: z.string().min(10).max(200) }).safeParse(req.body);
    const result = token.success ? await db.redeemSignInToken(deps.store, token.data.token, now()) : ({ refused: 'unknown' } as const);
    if ('refused' in result || !deps.staff().includes(result.staff)) {
      await db.audit(deps.store, 'anonymous', 'signin_refused', 'refused' in result ? result.refused : `${result.staff} is no longer staff`, now());
      return reply.code(401).type('text/html; charset=utf-8').send(layout('登录', { path: '/signin' }, pages.signInRefused('refused' in result ? result.refused : 'unknown')));
    }
    const sid = await db.createSession(deps.store, result.staff, now());
    reply.setCookie(SESSION_COOKIE, sid, { path: '/', httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', maxAge: db.SESSION_TTL_MS / 1000 });
    await db.audit(deps.store, result.staff, 'signin', '', now());
    return reply.redirect('/', 303);
  });
  app.post('/logout', protect, async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) await db.endSession(deps.store, sid);
    await record(req, 'signout', '');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/signin', 303);
  });

  // Overview.
  const overview = async () => {
    const [subscribers, deliveries, reminders] = await Promise.all([db.subscriberCounts(deps.store), db.deliveryCounts(deps.store, now()), db.upcomingReminders(deps.store, 10)]);
    const healthFn = (deps.store as unknown as { health?: () => unknown }).health;
    let health: unknown;
    if (typeof healthFn === 'function') {
      try {
        health = await healthFn.call(deps.store);
      } catch (err) {
        health = { ok: false, error: (err as Error).message };
      }
    }
    return { subscribers, deliveries, reminders, documents: deps.bot.knowledge.documents, health, reports: deps.reports?.reports() ?? [] };
  };
  app.get('/', async (req, reply) => page(req, reply, '概览', pages.overviewPage(await overview(), now())));
  app.get('/api/overview', async () => {
    const o = await overview();
    return { ...o, documents: o.documents.map((d) => ({ id: d.id, title: d.title, file: d.file, expires: d.expires ?? null, effective: d.effective ?? null })) };
  });

  // Broadcast: compose, preview with reach, confirm, progress, cancel.
  const tagsKnown = async () => (await db.subscriberCounts(deps.store)).byTag;
  const reachOf = (tags: string[]) => (tags.length <= 1 ? deps.store.countSubscribers(tags[0]) : db.countAnyTag(deps.store, tags));
  const rawTags = (raw: unknown): string[] => (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw ? [raw] : []);
  app.get('/broadcast', async (req, reply) => {
    const list = await deps.store.listBroadcasts(10);
    return page(req, reply, '群发通知', pages.broadcastCompose({ csrf: csrfOf(reply), tags: await tagsKnown(), total: await deps.store.countSubscribers(), text: '', chosen: [], recent: list }));
  });
  app.get('/api/reach', async (req) => {
    const form = broadcastForm.shape.tag.safeParse((req.query as Record<string, unknown>).tag);
    const tags = form.success ? form.data : [];
    return { tags, recipients: await reachOf(tags) };
  });
  app.post('/broadcast/preview', protect, async (req, reply) => {
    const form = broadcastForm.safeParse(req.body);
    const raw = (req.body ?? {}) as Record<string, unknown>;
    if (!form.success) {
      reply.code(400);
      return page(req, reply, '群发通知', pages.broadcastCompose({ csrf: csrfOf(reply), tags: await tagsKnown(), total: await deps.store.countSubscribers(), text: String(raw.text ?? ''), chosen: rawTags(raw.tag), error: form.error.issues[0]?.message, recent: [] }));
    }
    const tags = form.data.tag;
    return page(req, reply, '确认群发', pages.broadcastPreview({ csrf: csrfOf(reply), text: form.data.text, tags, recipients: await reachOf(tags), draft: randomUUID() }));
  });
  app.post('/broadcast/send', protect, async (req, reply) => {
    const form = broadcastForm.safeParse(req.body);
    if (!form.success || !form.data.draft) return reply.code(400).type('text/html; charset=utf-8').send(layout('群发通知', { path: '/broadcast', staff: req.staff, csrf: csrfOf(reply) }, html`<p class="error">${form.success ? '缺少草稿编号，请重新预览。' : form.error.issues[0]?.message}</p><p><a href="/broadcast">返回</a></p>`));
    const { text, draft } = form.data;
    const tags = form.data.tag;
    // A confirm clicked twice (or resent by the browser) sends once: the draft id maps to one broadcast.
    let job = sending.get(draft);
    if (!job) {
      job = (async () => {
        const existing = await db.draftBroadcast(deps.store, draft);
        if (existing) return existing;
        // Everyone or one tag: exactly the store's /broadcast path; several tags: the same rows for their union.
        const sender = { senderChannel: WEB_CHANNEL, senderChat: req.staff!, text };
        const { id, recipients } = tags.length <= 1 ? await deps.store.createBroadcast({ ...sender, tag: tags[0] }, now()) : await db.createAnyTagBroadcast(deps.store, { ...sender, tags }, now());
        await db.recordDraft(deps.store, draft, id, req.staff!);
        await record(req, 'broadcast', `#${id} ${tags.length ? `标签 ${tags.join('、')}` : '全部订阅者'}，${recipients} 位：${text.slice(0, 200)}`);
        if (recipients > 0) deps.poke();
        return id;
      })();
      sending.set(draft, job);
      void job.finally(() => setTimeout(() => sending.delete(draft), 60_000).unref());
    }
    return reply.redirect(`/broadcast/${await job}`, 303);
  });
  const broadcastId = (req: FastifyRequest) => z.string().regex(/^\d{1,12}$/).safeParse((req.params as { id: string }).id);
  app.get('/broadcast/:id', async (req, reply) => {
    const id = broadcastId(req);
    const b = id.success ? await deps.store.getBroadcast(id.data) : undefined;
    if (!b) return reply.code(404).type('text/html; charset=utf-8').send(layout('群发通知', { path: '/broadcast', staff: req.staff, csrf: csrfOf(reply) }, html`<p class="error">没有找到这次群发。</p><p><a href="/broadcast">返回</a></p>`));
    return page(req, reply, `群发 #${b.id}`, pages.broadcastProgress(b, csrfOf(reply)), { refreshSeconds: b.pending > 0 ? 2 : undefined });
  });
  app.get('/api/broadcasts/:id', async (req, reply) => {
    const id = broadcastId(req);
    const b = id.success ? await deps.store.getBroadcast(id.data) : undefined;
    if (!b) return reply.code(404).send({ error: 'not_found' });
    return pages.progressJson(b);
  });
  // Live progress as server-sent events, until nothing is pending.
  app.get('/api/broadcasts/:id/events', async (req, reply) => {
    const id = broadcastId(req);
    const first = id.success ? await deps.store.getBroadcast(id.data) : undefined;
    if (!first || !id.success) return reply.code(404).send({ error: 'not_found' });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
    let closed = false;
    req.raw.on('close', () => (closed = true));
    let last = '';
    let b = first;
    for (;;) {
      const data = JSON.stringify(pages.progressJson(b));
      if (data !== last) res.write(`event: progress\ndata: ${data}\n\n`);
      last = data;
      if (b.pending === 0 || closed || closing) break;
      await new Promise((r) => setTimeout(r, deps.progressIntervalMs ?? 500));
      if (closed || closing) break;
      b = (await deps.store.getBroadcast(id.data)) ?? b;
    }
    if (!closed && b.pending === 0) res.write('event: done\ndata: {}\n\n');
    res.end();
  });
  app.post('/broadcast/:id/cancel', protect, async (req, reply) => {
    const id = broadcastId(req);
    if (!id.success || !(await deps.store.getBroadcast(id.data))) return reply.code(404).send({ error: 'not_found' });
    const n = await db.cancelQueued(deps.store, id.data);
    await record(req, 'broadcast_cancel', `#${id.data}：取消 ${n} 条待发送`);
    return reply.redirect(`/broadcast/${id.data}`, 303);
  });

  // Publicity and awards.
  const publicityPage = async (req: FastifyRequest, reply: FastifyReply, notice?: { ok: boolean; text: string }, form?: { starts: string; title: string }) =>
    page(req, reply, '公示与获奖', pages.publicityPage({ csrf: csrfOf(reply), publicity: await db.listAllPublicity(deps.store, 50), awards: await db.listAllAwards(deps.store, 200), notice, form, today: localDay(now()) }));
  app.get('/publicity', async (req, reply) => publicityPage(req, reply));
  app.post('/publicity', protect, async (req, reply) => {
    const form = publicityForm.safeParse(req.body);
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const echo = { starts: String(raw.starts ?? ''), title: String(raw.title ?? '') };
    if (!form.success) {
      reply.code(400);
      return publicityPage(req, reply, { ok: false, text: form.error.issues[0]?.message ?? '表单有误' }, echo);
    }
    const starts = form.data.starts;
    const title = form.data.title || DEFAULT_PUBLICITY_TITLE;
    const ends = publicityEnds(starts);
    const today = localDay(now());
    if (ends < today) {
      reply.code(400);
      return publicityPage(req, reply, { ok: false, text: `按此日期，公示期（${formatDayZh(starts)}至${formatDayZh(ends)}）已经结束，未发布。请检查日期。` }, echo);
    }
    const p = { title, starts, ends };
    const result = await deps.store.addPublicity(
      { ...p, createdBy: `${WEB_CHANNEL}:${req.staff}`, nextReminderOn: firstReminderOn(publicityStages(ends)) },
      { text: publicityStartText(p, today), data: publicityData('publicity_start', ends) },
      now(),
    );
    if (!result.created) return publicityPage(req, reply, { ok: false, text: `这个公示已经发布过了（#${result.publicity.id}：${formatDayZh(starts)}至${formatDayZh(ends)}），不会重复通知。` }, echo);
    await record(req, 'publicity', `#${result.publicity.id} ${title}：${starts} 至 ${ends}，通知 ${result.recipients} 位`);
    if (result.recipients > 0) deps.poke();
    return publicityPage(req, reply, { ok: true, text: `已发布公示“${title}”：${formatDayZh(starts)}至${formatDayZh(ends)}，共10天。已向${result.recipients}位订阅者发送公示通知；公示最后三天内和结束次日会再各提醒一次。` });
  });

  // Unanswered questions.
  app.get('/unanswered', async (req, reply) => page(req, reply, '未答问题', pages.unansweredPage(groupQuestions(await db.listUnanswered(deps.store, 2000)), csrfOf(reply))));
  app.get('/api/unanswered', async () => groupQuestions(await db.listUnanswered(deps.store, 2000)));
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
    const q = z.string().trim().min(1).max(500).safeParse((req.query as Record<string, unknown>).q);
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
