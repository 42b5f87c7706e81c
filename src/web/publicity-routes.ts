/**
 * Publicity and awards from the console. A publicity goes through the same compose → preview → confirm path as a
 * broadcast, with a draft key made when the form is first shown; one publicity period is announced once, whatever its
 * title. Award registrations are listed with company, award, expiry and next reminder, and staff can remove one.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cleanText } from '../nlu/sanitize.ts';
import { dateRefusal, daysBetween, formatDayZh, localDay, parseDay } from '../scheduling/dates.ts';
import { defaultPublicityTitle } from '../dialogue/award-loader.ts';
import { reminderWords } from '../scheduling/award-words.ts';
import { firstReminderOn, publicityData, publicityEnds, publicityStages, publicityStartText } from '../scheduling/reminders.ts';
import * as db from './console-db.ts';
import { claimDraft, getDraft, isDraftKey, newDraftKey, saveDraft, settleDraft } from './drafts.ts';
import { companyChatName } from './names.ts';
import * as pages from './pages.ts';
import { WEB_CHANNEL } from './report-channel.ts';
import type { RouteKit } from './route-kit.ts';

/** The publicity form: a start day read by the one date parser, an optional title cleaned of invisible characters. */
const publicityForm = z.object({
  starts: z.string().max(60).transform(cleanText),
  title: z
    .string()
    .default('')
    .transform(cleanText)
    .pipe(z.string().trim().max(200, '标题请控制在 200 字以内')),
  draft: z.string().uuid().optional(),
});

/** Registers the publicity and award routes. */
export function publicityRoutes(kit: RouteKit): void {
  const { app, deps, now, page, csrfOf, record, protect } = kit;
  const sending = new Map<string, Promise<{ id?: number; refusal?: string }>>();

  const publicityPage = async (req: FastifyRequest, reply: FastifyReply, compose: { draft: string; starts: string; title: string; error?: string; notice?: string }) => {
    const csrf = csrfOf(reply);
    return page(
      req,
      reply,
      '公示与获奖',
      pages.publicityPage({
        compose: pages.publicityCompose({ csrf, defaultTitle: defaultPublicityTitle(), days: reminderWords().publicityDays, ...compose }),
        publicity: await db.listAllPublicity(deps.store, 50),
        awards: await db.listAllAwards(deps.store, 200),
        awardName: reminderWords().awardName,
        csrf,
        today: localDay(now()),
      }),
    );
  };

  /** Checks a posted form: the period it names, or the refusal to show. */
  const check = async (raw: unknown): Promise<{ starts: string; ends: string; title: string; untitled: boolean } | { error: string }> => {
    const form = publicityForm.safeParse(raw);
    if (!form.success) return { error: form.error.issues[0]?.message ?? '表单有误，请检查后重试。' };
    const day = parseDay(form.data.starts);
    if (!('day' in day)) return { error: `开始日期：${dateRefusal(day.raw, day.problem)}` };
    const starts = day.day;
    const ends = publicityEnds(starts);
    if (ends < localDay(now())) return { error: `按此日期，公示期（${formatDayZh(starts)}至${formatDayZh(ends)}）已经结束，不能发布。请检查日期。` };
    const same = await db.publicityOnPeriod(deps.store, starts);
    if (same) return { error: `${formatDayZh(starts)}至${formatDayZh(ends)}的公示已经发布过了（#${same.id}“${same.title}”），同一公示期不会重复发布和通知。` };
    // Without a title, the award rules file's publicity title; when there is none to choose, the form asks for one.
    const title = form.data.title || defaultPublicityTitle();
    if (!title) return { error: '请填写公示标题（已收录的奖项规则没有指定唯一的默认标题）。' };
    return { starts, ends, title, untitled: !form.data.title };
  };

  app.get('/publicity', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const done = z.coerce.number().int().positive().safeParse(q.done);
    if (done.success) {
      const p = (await db.listAllPublicity(deps.store, 200)).find((x) => x.id === done.data);
      const n = p ? await db.publicityRecipients(deps.store, p.id) : 0;
      const notice = p ? `已发布公示“${p.title}”：${formatDayZh(p.starts)}至${formatDayZh(p.ends)}，共${daysBetween(p.starts, p.ends) + 1}天。已向${n}位订阅者发送公示通知；公示最后三天内和结束次日会再各提醒一次。` : undefined;
      return publicityPage(req, reply, { draft: newDraftKey(), starts: localDay(now()), title: '', notice });
    }
    const removed = z.coerce.number().int().positive().safeParse(q.removed);
    if (removed.success) return publicityPage(req, reply, { draft: newDraftKey(), starts: localDay(now()), title: '', notice: `已删除获奖登记 #${removed.data}，不会再发送它的到期提醒。` });
    const draft = isDraftKey(q.draft) ? await getDraft(deps.store, q.draft) : undefined;
    if (draft && draft.kind === 'publicity' && draft.staff === req.staff) {
      if (draft.resultId !== null && draft.resultId > 0) return reply.redirect(`/publicity?done=${draft.resultId}`, 303);
      return publicityPage(req, reply, { draft: draft.key, starts: draft.form.starts ?? localDay(now()), title: draft.form.title ?? '' });
    }
    return publicityPage(req, reply, { draft: newDraftKey(), starts: localDay(now()), title: '' });
  });

  app.post('/publicity/preview', protect, async (req, reply) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    if (kit.signedOut(req)) return kit.keepSignedOutDraft(req, reply, 'publicity', raw);
    const key = isDraftKey(raw.draft) ? raw.draft : newDraftKey();
    const existing = await getDraft(deps.store, key);
    if (existing?.resultId && existing.resultId > 0) return reply.redirect(`/publicity?done=${existing.resultId}`, 303);
    const echo = { starts: cleanText(String(raw.starts ?? '')).slice(0, 20), title: cleanText(String(raw.title ?? '')).slice(0, 200) };
    const c = await check(raw);
    if ('error' in c) {
      reply.code(400);
      return publicityPage(req, reply, { draft: key, ...echo, error: c.error });
    }
    await saveDraft(deps.store, key, 'publicity', req.staff!, { starts: c.starts, title: c.untitled ? '' : c.title }, now());
    const today = localDay(now());
    const reminders = publicityStages(c.ends).map((s) => s.dueOn);
    return page(
      req,
      reply,
      '确认发布公示',
      pages.publicityPreview({
        csrf: csrfOf(reply),
        draft: key,
        ...c,
        recipients: await deps.store.countSubscribers(),
        notice: publicityStartText({ title: c.title, starts: c.starts, ends: c.ends }, today),
        reminders,
      }),
    );
  });

  /** Announces a draft's publicity once; resolves its id, or why it was refused. */
  const sendDraft = async (req: FastifyRequest, key: string, raw: unknown): Promise<{ id?: number; refusal?: string }> => {
    const c = await check(raw);
    for (let waited = 0; ; waited += 100) {
      const claim = await claimDraft(deps.store, key, 'publicity', req.staff!, 'error' in c ? {} : { starts: c.starts, title: c.untitled ? '' : c.title }, now());
      if (typeof claim === 'object') return { id: claim.resultId };
      if (claim === 'claimed') break;
      if (waited > 10_000) return { refusal: '正在发布中，请稍后刷新页面查看。' };
      await new Promise((r) => setTimeout(r, 100));
    }
    if ('error' in c) {
      await settleDraft(deps.store, key, undefined);
      return { refusal: c.error };
    }
    try {
      const today = localDay(now());
      const p = { title: c.title, starts: c.starts, ends: c.ends };
      const result = await deps.store.addPublicity(
        { ...p, createdBy: `${WEB_CHANNEL}:${req.staff}`, nextReminderOn: firstReminderOn(publicityStages(c.ends)) },
        { text: publicityStartText(p, today), data: publicityData('publicity_start', c.ends) },
        now(),
      );
      if (!result.created) {
        await settleDraft(deps.store, key, undefined);
        return { refusal: `${formatDayZh(c.starts)}至${formatDayZh(c.ends)}的公示已经发布过了（#${result.publicity.id}），不会重复通知。` };
      }
      await settleDraft(deps.store, key, result.publicity.id);
      await record(req, 'publicity', `公示 #${result.publicity.id}“${c.title}”：${formatDayZh(c.starts)}至${formatDayZh(c.ends)}，通知 ${result.recipients} 位`);
      if (result.recipients > 0) deps.poke();
      return { id: result.publicity.id };
    } catch (err) {
      await settleDraft(deps.store, key, undefined).catch(() => undefined);
      throw err;
    }
  };

  app.post('/publicity/send', protect, async (req, reply) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    if (kit.signedOut(req)) return kit.keepSignedOutDraft(req, reply, 'publicity', raw);
    if (!isDraftKey(raw.draft)) {
      reply.code(400);
      return publicityPage(req, reply, { draft: newDraftKey(), starts: localDay(now()), title: '', error: '这份公示缺少草稿编号，请重新填写并预览。' });
    }
    const key = raw.draft;
    let job = sending.get(key);
    if (!job) {
      job = sendDraft(req, key, raw);
      sending.set(key, job);
      void job.finally(() => setTimeout(() => sending.delete(key), 60_000).unref()).catch(() => undefined);
    }
    const r = await job;
    if (r.id) return reply.redirect(`/publicity?done=${r.id}`, 303);
    reply.code(409);
    return publicityPage(req, reply, { draft: newDraftKey(), starts: cleanText(String(raw.starts ?? '')).slice(0, 20), title: cleanText(String(raw.title ?? '')).slice(0, 200), error: r.refusal });
  });

  // Removing an award registration: its reminders stop; the audit log keeps who removed what.
  app.post('/awards/remove', protect, async (req, reply) => {
    const form = z.object({ id: z.coerce.number().int().positive() }).safeParse(req.body);
    const award = form.success ? await db.getAward(deps.store, form.data.id) : undefined;
    if (!award) {
      reply.code(404);
      return publicityPage(req, reply, { draft: newDraftKey(), starts: localDay(now()), title: '', error: '没有找到这条获奖登记（可能已被删除）。' });
    }
    await deps.store.removeAward(award.channel, award.chat, award.id);
    await record(req, 'award_remove', `获奖登记 #${award.id}：${companyChatName(award.channel, award.chat, award.company)}，${reminderWords().awardName}，获奖日期 ${formatDayZh(award.awardedOn)}，有效期至 ${formatDayZh(award.expires)}`);
    return reply.redirect(`/publicity?removed=${award.id}`, 303);
  });
}
