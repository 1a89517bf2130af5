// The admin API: JSON, `Authorization: Bearer $ADMIN_TOKEN`. Mounted only when ADMIN_TOKEN is set
// (otherwise /admin does not exist: 404). Resend above all.
import express, { Router } from 'express';
import type { z } from 'zod';
import { ingestDeps, digestDeps } from '../../app/deps.ts';
import type { AppContext } from '../../app/context.ts';
import { recover } from '../../app/worker.ts';
import { deliveryPapers, getDigest, listDigests, resumeDigest } from '../../db/digests.ts';
import { listSubscribers, reactivateSubscriber } from '../../db/subscribers.ts';
import { buildDigest } from '../../digest/build-digest.ts';
import { listUnknown, resendFailed, resendOne, resolveUnknown, type Resolution } from '../../deliver/resend.ts';
import { displaySource, ingestInputs } from '../../ingest/ingest-inputs.ts';
import { sourceHealth } from '../../jobs/ingest-source.ts';
import { HttpError, notFound } from '../http-errors.ts';
import { deliveriesQuery, digestBody, digestsQuery, idParam, ingestBody, resendBody, resolveBody, subscribersQuery, unknownQuery } from './admin.types.ts';
import { bearerAuth } from './auth.ts';

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new HttpError(400, 'VALIDATION_FAILED', `${where}${issue?.message ?? 'invalid request'}`);
  }
  return result.data;
}

export interface AdminHooks {
  /** the scheduler's own ingest (with source health) when `serve` runs one; else a plain ingest */
  ingestSource?: () => Promise<unknown>;
  /** wake the sender after something was queued */
  onQueued?: () => void;
}

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
    if (!(await getDigest(prisma, id))) throw notFound(`digest ${id}`);
    if ('onlyFailed' in body) {
      const { requeued, resumed } = await resendFailed(ctx.db.sql, prisma, id);
      ctx.log.info({ event: 'delivery.resend', digestId: id, deliveries: requeued.map((r) => r.deliveryId), resumed }, `re-queued ${requeued.length} failed deliveries`);
      hooks.onQueued?.();
      res.json({ digestId: id, queued: requeued, resumed });
      return;
    }
    await recover(ctx.db.sql, ctx.log); // what a stopped process left is settled first, never guessed about
    const result = await resendOne(ctx.db.sql, id, body.email);
    switch (result.kind) {
      case 'queued':
        ctx.log.info({ event: 'delivery.resend', digestId: id, deliveries: [result.delivery.deliveryId] }, 're-queued one delivery');
        hooks.onQueued?.();
        res.json({ digestId: id, queued: [result.delivery], resumed: false });
        return;
      case 'not-found':
        throw new HttpError(404, 'DELIVERY_NOT_FOUND', `digest ${id} has no delivery for that address`);
      case 'already-queued':
        res.json({ digestId: id, queued: [], alreadyQueued: result.deliveryId, resumed: false });
        return;
      case 'in-flight':
        throw new HttpError(409, 'DELIVERY_IN_FLIGHT', `delivery ${result.deliveryId} is ${result.status} by a running process right now; try again when it is done`);
      case 'subscriber-inactive':
        throw new HttpError(409, 'SUBSCRIBER_INACTIVE', `the subscriber is ${result.status}`);
    }
  });

  router.post('/digests/:id/resume', async (req, res) => {
    const { id } = parse(idParam, req.params);
    if (!(await getDigest(prisma, id))) throw notFound(`digest ${id}`);
    if (!(await resumeDigest(prisma, id))) throw new HttpError(409, 'DIGEST_NOT_PAUSED', `digest ${id} is not paused`);
    ctx.log.info({ event: 'digest.resumed', digestId: id }, `resumed digest ${id}`);
    hooks.onQueued?.();
    res.json({ digestId: id, status: 'ready' });
  });

  router.get('/deliveries/unknown', async (req, res) => {
    const q = parse(unknownQuery, req.query);
    await recover(ctx.db.sql, ctx.log);
    const items = await listUnknown(ctx.db.sql, { limit: q.limit + 1, ...(q.after ? { after: q.after } : {}), ...(q.digest ? { digestId: q.digest } : {}) });
    const page = items.slice(0, q.limit);
    res.json({ items: page, next: items.length > q.limit ? page[page.length - 1]!.id : null });
  });

  const resolve = async (target: { ids: number[] } | { digestId: number }, outcome: Resolution) => {
    await recover(ctx.db.sql, ctx.log);
    const note = outcome === 'sent' ? 'resolved by an operator: the relay had it (admin API)' : 'resolved by an operator: resent as a new attempt (admin API)';
    const result = await resolveUnknown(ctx.db.sql, target, outcome, note);
    ctx.log.info({ event: 'delivery.resolved', outcome, deliveryIds: result.resolved.map((r) => r.deliveryId) }, `${result.resolved.length} unknown deliveries resolved as ${outcome}`);
    if (outcome === 'resend' && result.resolved.length > 0) hooks.onQueued?.();
    return result;
  };

  router.post('/deliveries/:id/resolve', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { outcome } = parse(resolveBody, req.body);
    const result = await resolve({ ids: [id] }, outcome);
    const skipped = result.skipped[0];
    if (skipped && skipped.status === null) throw notFound(`delivery ${id}`);
    if (skipped) throw new HttpError(409, 'DELIVERY_NOT_UNKNOWN', `delivery ${id} is ${skipped.status}, not unknown: nothing to resolve`);
    res.json({ outcome, resolved: result.resolved });
  });

  router.post('/digests/:id/resolve', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { outcome } = parse(resolveBody, req.body);
    if (!(await getDigest(prisma, id))) throw notFound(`digest ${id}`);
    const result = await resolve({ digestId: id }, outcome);
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
    if (!(await reactivateSubscriber(prisma, id, ctx.now()))) throw new HttpError(409, 'SUBSCRIBER_NOT_BOUNCED', `subscriber ${id} is not bounced`);
    ctx.log.info({ event: 'subscriber.reactivated', subscriberId: id }, `reactivated subscriber ${id}`);
    res.json({ subscriberId: id, status: 'active' });
  });

  router.post('/ingest', async (req, res) => {
    const body = parse(ingestBody, req.body ?? {});
    if (!body.url && hooks.ingestSource) {
      res.json(await hooks.ingestSource());
      return;
    }
    const outcomes = await ingestInputs(ingestDeps(ctx), [body.url ?? ctx.config.SNAPSHOT_SOURCE]);
    res.status(outcomes.some((o) => o.kind === 'rejected') ? 422 : 200).json({ outcomes });
  });

  router.post('/digest', async (req, res) => {
    const body = parse(digestBody, req.body ?? {});
    const result = await buildDigest(digestDeps(ctx), { dryRun: body.dryRun ?? false });
    if (result.kind === 'built') hooks.onQueued?.();
    const summary =
      result.kind === 'built' || result.kind === 'dry-run'
        ? { kind: result.kind, digest: result.digest, snapshotId: result.snapshot.id, newPapers: result.newPapers.length, subscribers: result.subscribers, deliveries: result.deliveries, skippedSnapshots: result.skippedSnapshots }
        : result;
    res.json(summary);
  });

  router.use((_req, _res, next) => next(notFound('admin route')));
  return router;
}
