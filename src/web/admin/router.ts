// The admin API: JSON, `Authorization: Bearer $ADMIN_TOKEN`. Mounted only when ADMIN_TOKEN is set
// (otherwise /admin does not exist: 404). Resend above all.
import express, { Router } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { retentionByHand, retentionDetail } from '../../app/jobs-by-hand.ts';
import { recover } from '../../deliver/worker-liveness.ts';
import { deliveryPapers, getDigest, listDigests } from '../../db/digests.ts';
import { listSubscribers } from '../../db/subscribers.ts';
import { listUnknown } from '../../db/operator-deliveries.ts';
import { displaySource } from '../../ingest/ingest-inputs.ts';
import { sourceHealth } from '../../jobs/ingest-source.ts';
import { HttpError, notFound } from '../http-errors.ts';
import {
  backfillBody,
  deliveriesQuery,
  digestBody,
  digestsQuery,
  idParam,
  ingestBody,
  resendBody,
  resolveBody,
  subscribersQuery,
  subscriptionMailsQuery,
  unknownQuery,
} from './admin.types.ts';
import {
  backfillAction,
  digestAction,
  ingestAction,
  reactivateAction,
  resendFailedAction,
  resendOneAction,
  resolveAction,
  resumeAction,
  type ActionHooks,
} from './actions.ts';
import { bearerAuth } from './auth.ts';
import { listMailsAction, resendMailAction, type MailHooks } from './mail-actions.ts';
import { eraseAction, exportAction, subscriberRef } from './privacy-actions.ts';

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new HttpError(400, 'VALIDATION_FAILED', `${where}${issue?.message ?? 'invalid request'}`);
  }
  return result.data;
}

export interface AdminHooks extends ActionHooks, MailHooks {}

export function adminRouter(ctx: AppContext, token: string, hooks: AdminHooks = {}): Router {
  const prisma = ctx.db.prisma;
  const router = Router();
  router.use(bearerAuth(token, 'paperboy admin'));
  router.use(express.json({ limit: '16kb' }));

  router.get('/digests', async (req, res) => {
    const q = parse(digestsQuery, req.query);
    const items = await listDigests(prisma, q.limit, q.before);
    res.json({ items, next: items.length === q.limit ? items[items.length - 1]!.id : null });
  });

  router.get('/digests/:id', async (req, res) => {
    const { id } = parse(idParam, req.params);
    // (checked first: listing "before id + 1" would overflow the integer for the largest id)
    if (!(await getDigest(prisma, id))) throw notFound(`digest ${id}`);
    const [digest] = await listDigests(prisma, 1, id + 1);
    if (!digest || digest.id !== id) throw notFound(`digest ${id}`);
    res.json(digest);
  });

  router.get('/digests/:id/deliveries', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const q = parse(deliveriesQuery, req.query);
    if (!(await getDigest(prisma, id))) throw notFound(`digest ${id}`);
    const rows = await prisma.delivery.findMany({
      where: { digestId: id, ...(q.status ? { status: q.status } : {}), ...(q.after ? { id: { gt: q.after } } : {}) },
      orderBy: { id: 'asc' },
      take: q.limit + 1,
      include: { subscriber: { select: { email: true } } },
    });
    const items = rows.slice(0, q.limit).map(({ subscriber, papers, ...d }) => ({ ...d, email: subscriber.email, papers: deliveryPapers(papers) }));
    res.json({ items, next: rows.length > q.limit ? items[items.length - 1]!.id : null });
  });

  router.post('/digests/:id/resend', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const body = parse(resendBody, req.body);
    res.json(
      'onlyFailed' in body
        ? await resendFailedAction(ctx, hooks, id)
        : await resendOneAction(ctx, hooks, id, body.email, { confirmed: body.confirm === true, ...(body.attempt ? { attempt: body.attempt } : {}) }),
    );
  });

  router.post('/digests/:id/resume', async (req, res) => {
    const { id } = parse(idParam, req.params);
    res.json(await resumeAction(ctx, hooks, id));
  });

  router.get('/deliveries/unknown', async (req, res) => {
    const q = parse(unknownQuery, req.query);
    await recover(ctx.db.sql, ctx.log);
    const items = await listUnknown(ctx.db.sql, { limit: q.limit + 1, ...(q.after ? { after: q.after } : {}), ...(q.digest ? { digestId: q.digest } : {}) });
    const page = items.slice(0, q.limit);
    res.json({ items: page, next: items.length > q.limit ? page[page.length - 1]!.id : null });
  });

  router.post('/deliveries/:id/resolve', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { outcome } = parse(resolveBody, req.body);
    const result = await resolveAction(ctx, hooks, { ids: [id] }, outcome, 'admin API');
    res.json({ outcome, resolved: result.resolved });
  });

  router.post('/digests/:id/resolve', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { outcome } = parse(resolveBody, req.body);
    const result = await resolveAction(ctx, hooks, { digestId: id }, outcome, 'admin API');
    res.json({ digestId: id, outcome, resolved: result.resolved });
  });

  router.get('/source', async (_req, res) => {
    const source = displaySource(ctx.config.SNAPSHOT_SOURCE); // a URL without its credentials or query
    const health = await sourceHealth(prisma, ctx.config.SNAPSHOT_SOURCE, ctx.now(), ctx.config.SOURCE_STALE_AFTER);
    const files = await prisma.sourceFile.findMany({ where: { source }, orderBy: { at: 'desc' }, take: 20 });
    res.json({ source, health, rejectedFiles: health?.rejectedFiles ?? [], recentFiles: files });
  });

  router.get('/subscribers', async (req, res) => {
    const q = parse(subscribersQuery, req.query);
    const page = await listSubscribers(prisma, { limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.after ? { after: q.after } : {}) });
    res.json({ items: page.items.map(({ tokenNonce: _n, ...s }) => s), next: page.next });
  });

  router.post('/subscribers/:id/reactivate', async (req, res) => {
    const { id } = parse(idParam, req.params);
    res.json(await reactivateAction(ctx, id));
  });

  // privacy: one subscriber's data (by address or id), exported or erased
  router.get('/subscribers/:ref/export', async (req, res) => {
    res.json(await exportAction(ctx, subscriberRef(req.params.ref), 'admin API'));
  });
  const erase: express.RequestHandler = async (req, res) => {
    res.json(await eraseAction(ctx, subscriberRef(req.params.ref), 'admin API'));
  };
  router.delete('/subscribers/:ref', erase);
  router.post('/subscribers/:ref/erase', erase);

  router.get('/subscription-mails', async (req, res) => {
    const q = parse(subscriptionMailsQuery, req.query);
    const items = await listMailsAction(ctx, q.status, { limit: q.limit + 1, ...(q.after ? { after: q.after } : {}) });
    const page = items.slice(0, q.limit);
    res.json({ items: page, next: items.length > q.limit ? page[page.length - 1]!.id : null });
  });

  router.post('/subscription-mails/:id/resend', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { mail, ...result } = await resendMailAction(ctx, hooks, id, 'admin API');
    res.json({ ...result, status: mail.status });
  });

  router.post('/ingest', async (req, res) => {
    const body = parse(ingestBody, req.body ?? {});
    const ran = await ingestAction(ctx, hooks, body.url, 'admin API');
    if (ran.kind === 'scheduled') return void res.json(ran.result);
    res.status(ran.outcomes.some((o) => o.kind === 'rejected') ? 422 : 200).json({ outcomes: ran.outcomes });
  });

  router.post('/backfill', async (req, res) => {
    const body = parse(backfillBody, req.body ?? {});
    res.status(202).json(await backfillAction(ctx, hooks, body.since, body.until, 'admin API'));
  });

  router.post('/digest', async (req, res) => {
    const body = parse(digestBody, req.body ?? {});
    res.json(await digestAction(ctx, hooks, body.dryRun ?? false, 'admin API'));
  });

  router.post('/retention', async (_req, res) => {
    const locked = await retentionByHand(ctx, 'admin');
    if (!locked.ran) throw new HttpError(409, 'RETENTION_RUNNING', 'the retention job is running in another process: try again when it is done');
    res.json(retentionDetail(locked.value));
  });

  router.use((_req, _res, next) => next(notFound('admin route')));
  return router;
}
