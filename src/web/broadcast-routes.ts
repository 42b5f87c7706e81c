/**
 * Broadcast from the console: compose → preview → confirm → progress → cancel. The draft key made when the compose
 * form is first shown travels through preview and confirm, so the same draft becomes at most one broadcast whatever
 * the browser does (Back, Reload re-posting the preview, a double click); a second confirm shows the first's progress.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_BROADCAST_LENGTH } from '../core/handlers/staff-handler.ts';
import { cleanText } from '../nlu/sanitize.ts';
import { normalizeTag } from '../scheduling/commands.ts';
import type { BroadcastStats } from '../storage/store.ts';
import * as db from './console-db.ts';
import { claimDraft, getDraft, isDraftKey, newDraftKey, saveDraft, settleDraft } from './drafts.ts';
import { html, layout } from './html.ts';
import * as pages from './pages.ts';
import { WEB_CHANNEL } from './report-channel.ts';
import { broadcastGroups, deliveryReport, type DeliveryReport } from './report.ts';
import type { RouteKit } from './route-kit.ts';

/** The compose and confirm form; text and tags are cleaned of invisible characters before anything else. */
export const broadcastForm = z.object({
  text: z
    .string()
    .transform(cleanText)
    .pipe(z.string().trim().min(1, '请填写通知内容').max(MAX_BROADCAST_LENGTH, `通知内容请控制在 ${MAX_BROADCAST_LENGTH} 字以内`)),
  // Zero tags: every subscriber; one or more: those carrying any of them, each reached once.
  tag: z
    .union([z.string().max(60), z.array(z.string().max(60)).max(20)])
    .default([])
    .transform((t) => [...new Set((Array.isArray(t) ? t : [t]).map(normalizeTag).filter(Boolean))]),
  draft: z.string().uuid().optional(),
});

/** Registers the broadcast routes. */
export function broadcastRoutes(kit: RouteKit): void {
  const { app, deps, now, page, csrfOf, record, protect } = kit;
  const sending = new Map<string, Promise<string | undefined>>();

  const tagsKnown = async () => (await db.subscriberCounts(deps.store)).byTag;
  const reachOf = (tags: string[]) => (tags.length <= 1 ? deps.store.countSubscribers(tags[0]) : db.countAnyTag(deps.store, tags));
  const rawTags = (raw: unknown): string[] => (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw ? [raw] : []);
  const reportOf = async (id: string): Promise<DeliveryReport> => deliveryReport(await broadcastGroups(deps.store, id), kit.connected());
  const recent = async (n: number) => Promise.all((await deps.store.listBroadcasts(n)).map(async (b) => ({ b, report: await reportOf(b.id) })));

  const compose = async (req: FastifyRequest, reply: FastifyReply, v: { draft: string; text: string; chosen: string[]; error?: string; notice?: string }) =>
    page(req, reply, '群发通知', pages.broadcastCompose({ csrf: csrfOf(reply), tags: await tagsKnown(), total: await deps.store.countSubscribers(), recent: await recent(10), ...v }));

  // The compose form: a fresh draft key, or the draft named in ?draft= (back from the preview, or after signing in again).
  app.get('/broadcast', async (req, reply) => {
    const key = (req.query as Record<string, unknown>).draft;
    const draft = isDraftKey(key) ? await getDraft(deps.store, key) : undefined;
    if (draft && draft.kind === 'broadcast' && draft.staff === req.staff) {
      if (draft.resultId !== null && draft.resultId > 0) return reply.redirect(`/broadcast/${draft.resultId}`, 303);
      return compose(req, reply, { draft: draft.key, text: draft.form.text ?? '', chosen: draft.form.tags ?? [] });
    }
    return compose(req, reply, { draft: newDraftKey(), text: '', chosen: [] });
  });

  app.get('/api/reach', async (req) => {
    const form = broadcastForm.shape.tag.safeParse((req.query as Record<string, unknown>).tag);
    const tags = form.success ? form.data : [];
    return { tags, recipients: await reachOf(tags) };
  });

  /** The same text to the same audience in the last day, to warn before a repeat. */
  const sameRecently = async (text: string, tags: string[]): Promise<BroadcastStats | undefined> => {
    const audience = tags.join('、') || undefined;
    return (await deps.store.listBroadcasts(20)).find((b) => b.text === text && (b.tag ?? undefined) === audience && b.createdAt > now().getTime() - 86_400_000);
  };

  app.post('/broadcast/preview', protect, async (req, reply) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    if (kit.signedOut(req)) return kit.keepSignedOutDraft(req, reply, 'broadcast', raw);
    const form = broadcastForm.safeParse(req.body);
    const key = isDraftKey(raw.draft) ? raw.draft : newDraftKey();
    if (!form.success) {
      reply.code(400);
      return compose(req, reply, { draft: key, text: cleanText(String(raw.text ?? '')), chosen: rawTags(raw.tag), error: form.error.issues[0]?.message });
    }
    // A preview posted again after its draft was sent (Back, then Reload) shows that broadcast instead.
    const existing = await getDraft(deps.store, key);
    if (existing?.resultId && existing.resultId > 0) return reply.redirect(`/broadcast/${existing.resultId}`, 303);
    const { text, tag: tags } = form.data;
    await saveDraft(deps.store, key, 'broadcast', req.staff!, { text, tags }, now());
    return page(req, reply, '确认群发', pages.broadcastPreview({ csrf: csrfOf(reply), draft: key, text, tags, recipients: await reachOf(tags), same: await sameRecently(text, tags) }));
  });

  /** Creates the broadcast of a draft once; resolves its id (the existing one for a draft already sent). */
  const sendDraft = async (req: FastifyRequest, key: string, text: string, tags: string[]): Promise<string | undefined> => {
    for (let waited = 0; ; waited += 100) {
      const claim = await claimDraft(deps.store, key, 'broadcast', req.staff!, { text, tags }, now());
      if (typeof claim === 'object') return String(claim.resultId);
      if (claim === 'claimed') break;
      if (waited > 10_000) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      // Everyone or one tag: exactly the store's /broadcast path; several tags: the same rows for their union.
      const sender = { senderChannel: WEB_CHANNEL, senderChat: req.staff!, text };
      const { id, recipients } = tags.length <= 1 ? await deps.store.createBroadcast({ ...sender, tag: tags[0] }, now()) : await db.createAnyTagBroadcast(deps.store, { ...sender, tags }, now());
      await settleDraft(deps.store, key, Number(id));
      await record(req, 'broadcast', `群发 #${id}：${tags.length ? `标签 ${tags.join('、')}` : '全部订阅者'}，${recipients} 位：${text.slice(0, 200)}`);
      if (recipients > 0) deps.poke();
      return id;
    } catch (err) {
      await settleDraft(deps.store, key, undefined).catch(() => undefined);
      throw err;
    }
  };

  app.post('/broadcast/send', protect, async (req, reply) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    if (kit.signedOut(req)) return kit.keepSignedOutDraft(req, reply, 'broadcast', raw);
    const form = broadcastForm.safeParse(req.body);
    if (!form.success || !form.data.draft) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(layout('群发通知', { path: '/broadcast', staff: req.staff, csrf: csrfOf(reply) }, html`<p class="error">${form.success ? '这份草稿缺少编号，请返回群发页面重新预览。' : form.error.issues[0]?.message}</p><p><a href="/broadcast">返回群发</a></p>`));
    }
    const { text, draft } = form.data;
    // Two clicks in one process share one job; across processes the draft's claim in the database decides.
    let job = sending.get(draft);
    if (!job) {
      job = sendDraft(req, draft, text, form.data.tag);
      sending.set(draft, job);
      void job.finally(() => setTimeout(() => sending.delete(draft), 60_000).unref()).catch(() => undefined);
    }
    const id = await job;
    if (!id) return reply.redirect('/broadcast', 303);
    return reply.redirect(`/broadcast/${id}`, 303);
  });

  const broadcastId = (req: FastifyRequest) => z.string().regex(/^\d{1,12}$/).safeParse((req.params as { id: string }).id);
  app.get('/broadcast/:id', async (req, reply) => {
    const id = broadcastId(req);
    const b = id.success ? await deps.store.getBroadcast(id.data) : undefined;
    if (!b) return reply.code(404).type('text/html; charset=utf-8').send(layout('群发通知', { path: '/broadcast', staff: req.staff, csrf: csrfOf(reply) }, html`<p class="error">没有找到这次群发。</p><p><a href="/broadcast">返回</a></p>`));
    const r = await reportOf(b.id);
    return page(req, reply, `群发 #${b.id}`, pages.broadcastProgress(b, r, csrfOf(reply)), { refreshSeconds: r.open > 0 ? 2 : undefined });
  });
  app.get('/api/broadcasts/:id', async (req, reply) => {
    const id = broadcastId(req);
    const b = id.success ? await deps.store.getBroadcast(id.data) : undefined;
    if (!b) return reply.code(404).send({ error: 'not_found', message: '没有找到这次群发。' });
    return pages.progressJson(b, await reportOf(b.id));
  });
  // Live progress as server-sent events, until nothing is left to send.
  app.get('/api/broadcasts/:id/events', async (req, reply) => {
    const id = broadcastId(req);
    const first = id.success ? await deps.store.getBroadcast(id.data) : undefined;
    if (!first || !id.success) return reply.code(404).send({ error: 'not_found', message: '没有找到这次群发。' });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
    let closed = false;
    req.raw.on('close', () => (closed = true));
    let last = '';
    let done = false;
    while (!closed && !kit.closing()) {
      const p = pages.progressJson(first, await reportOf(id.data));
      const data = JSON.stringify(p);
      if (data !== last) res.write(`event: progress\ndata: ${data}\n\n`);
      last = data;
      if (p.done) {
        done = true;
        break;
      }
      await new Promise((r) => setTimeout(r, deps.progressIntervalMs ?? 500));
    }
    if (!closed && done) res.write('event: done\ndata: {}\n\n');
    res.end();
  });
  app.post('/broadcast/:id/cancel', protect, async (req, reply) => {
    const id = broadcastId(req);
    if (!id.success || !(await deps.store.getBroadcast(id.data))) return reply.code(404).send({ error: 'not_found', message: '没有找到这次群发。' });
    const n = await db.cancelQueued(deps.store, id.data);
    await record(req, 'broadcast_cancel', `群发 #${id.data}：取消 ${n} 条尚未发送的消息`);
    return reply.redirect(`/broadcast/${id.data}`, 303);
  });
}
