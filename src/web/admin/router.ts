// The admin API: JSON, `Authorization: Bearer $ADMIN_TOKEN`. Mounted only when ADMIN_TOKEN is set
// (otherwise /admin does not exist: 404). Resend above all.
import express, { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { OperatorContext } from '../context.ts';
import { mountRoutes, type Route } from '../route-table.ts';
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

interface AdminApi {
  ctx: OperatorContext;
  hooks: AdminHooks;
}

type Handler = (api: AdminApi, req: Request, res: Response) => Promise<void>;

/** Every route: `Authorization: Bearer $ADMIN_TOKEN`, a JSON body of at most 16 kB. */
type AdminRoute = Route<AdminApi, 'bearer'>;

/** A page of items and the cursor of the next (null: the last page). */
const pageOf = <T extends { id: number }>(items: T[], limit: number) => {
  const page = items.slice(0, limit);
  return { items: page, next: items.length > limit ? page[page.length - 1]!.id : null };
};

const listDigestsRoute: Handler = async ({ ctx }, req, res) => {
  const q = parse(digestsQuery, req.query);
  const items = await listDigests(ctx.db.prisma, q.limit, q.before);
  res.json({ items, next: items.length === q.limit ? items[items.length - 1]!.id : null });
};

const getDigestRoute: Handler = async ({ ctx }, req, res) => {
  const { id } = parse(idParam, req.params);
  // (checked first: listing "before id + 1" would overflow the integer for the largest id)
  if (!(await getDigest(ctx.db.prisma, id))) throw notFound(`digest ${id}`);
  const [digest] = await listDigests(ctx.db.prisma, 1, id + 1);
  if (!digest || digest.id !== id) throw notFound(`digest ${id}`);
  res.json(digest);
};

const digestDeliveriesRoute: Handler = async ({ ctx }, req, res) => {
  const { id } = parse(idParam, req.params);
  const q = parse(deliveriesQuery, req.query);
  if (!(await getDigest(ctx.db.prisma, id))) throw notFound(`digest ${id}`);
  const rows = await ctx.db.prisma.delivery.findMany({
    where: { digestId: id, ...(q.status ? { status: q.status } : {}), ...(q.after ? { id: { gt: q.after } } : {}) },
    orderBy: { id: 'asc' },
    take: q.limit + 1,
    include: { subscriber: { select: { email: true } } },
  });
  res.json(
    pageOf(
      rows.map(({ subscriber, papers, ...d }) => ({ ...d, email: subscriber.email, papers: deliveryPapers(papers) })),
      q.limit,
    ),
  );
};

const resendRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const { id } = parse(idParam, req.params);
  const body = parse(resendBody, req.body);
  res.json(
    'onlyFailed' in body
      ? await resendFailedAction(ctx, hooks, id)
      : await resendOneAction(ctx, hooks, id, body.email, { confirmed: body.confirm === true, ...(body.attempt ? { attempt: body.attempt } : {}) }),
  );
};

const resumeRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const { id } = parse(idParam, req.params);
  res.json(await resumeAction(ctx, hooks, id));
};

const unknownRoute: Handler = async ({ ctx }, req, res) => {
  const q = parse(unknownQuery, req.query);
  await recover(ctx.db.sql, ctx.log);
  const items = await listUnknown(ctx.db.sql, { limit: q.limit + 1, ...(q.after ? { after: q.after } : {}), ...(q.digest ? { digestId: q.digest } : {}) });
  res.json(pageOf(items, q.limit));
};

const resolveDeliveryRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const { id } = parse(idParam, req.params);
  const { outcome } = parse(resolveBody, req.body);
  const result = await resolveAction(ctx, hooks, { ids: [id] }, outcome, 'admin API');
  res.json({ outcome, resolved: result.resolved });
};

const resolveDigestRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const { id } = parse(idParam, req.params);
  const { outcome } = parse(resolveBody, req.body);
  const result = await resolveAction(ctx, hooks, { digestId: id }, outcome, 'admin API');
  res.json({ digestId: id, outcome, resolved: result.resolved });
};

const sourceRoute: Handler = async ({ ctx }, _req, res) => {
  const source = displaySource(ctx.config.SNAPSHOT_SOURCE); // a URL without its credentials or query
  const health = await sourceHealth(ctx.db.prisma, ctx.config.SNAPSHOT_SOURCE, ctx.now(), ctx.config.SOURCE_STALE_AFTER);
  const files = await ctx.db.prisma.sourceFile.findMany({ where: { source }, orderBy: { at: 'desc' }, take: 20 });
  res.json({ source, health, rejectedFiles: health?.rejectedFiles ?? [], recentFiles: files });
};

const subscribersRoute: Handler = async ({ ctx }, req, res) => {
  const q = parse(subscribersQuery, req.query);
  const page = await listSubscribers(ctx.db.prisma, { limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.after ? { after: q.after } : {}) });
  res.json({ items: page.items.map(({ tokenNonce: _n, ...s }) => s), next: page.next });
};

const reactivateRoute: Handler = async ({ ctx }, req, res) => {
  const { id } = parse(idParam, req.params);
  res.json(await reactivateAction(ctx, id));
};

// privacy: one subscriber's data (by address or id), exported or erased
const exportRoute: Handler = async ({ ctx }, req, res) => {
  res.json(await exportAction(ctx, subscriberRef(req.params.ref), 'admin API'));
};

const eraseRoute: Handler = async ({ ctx }, req, res) => {
  res.json(await eraseAction(ctx, subscriberRef(req.params.ref), 'admin API'));
};

const subscriptionMailsRoute: Handler = async ({ ctx }, req, res) => {
  const q = parse(subscriptionMailsQuery, req.query);
  res.json(pageOf(await listMailsAction(ctx, q.status, { limit: q.limit + 1, ...(q.after ? { after: q.after } : {}) }), q.limit));
};

const resendMailRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const { id } = parse(idParam, req.params);
  const { mail, ...result } = await resendMailAction(ctx, hooks, id, 'admin API');
  res.json({ ...result, status: mail.status });
};

const ingestRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const body = parse(ingestBody, req.body ?? {});
  const ran = await ingestAction(ctx, hooks, body.url, 'admin API');
  if (ran.kind === 'scheduled') return void res.json(ran.result);
  res.status(ran.outcomes.some((o) => o.kind === 'rejected') ? 422 : 200).json({ outcomes: ran.outcomes });
};

const backfillRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const body = parse(backfillBody, req.body ?? {});
  res.status(202).json(await backfillAction(ctx, hooks, body.since, body.until, 'admin API'));
};

const digestRoute: Handler = async ({ ctx, hooks }, req, res) => {
  const body = parse(digestBody, req.body ?? {});
  res.json(await digestAction(ctx, hooks, body.dryRun ?? false, 'admin API'));
};

const retentionRoute: Handler = async ({ ctx }, _req, res) => {
  const locked = await ctx.jobs.retention('admin');
  if (!locked.ran) throw new HttpError(409, 'RETENTION_RUNNING', 'the retention job is running in another process: try again when it is done');
  res.json(locked.detail);
};

/** The admin API, one row a route. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: 'get', path: '/digests', auth: 'bearer', handler: listDigestsRoute },
  { method: 'get', path: '/digests/:id', auth: 'bearer', handler: getDigestRoute },
  { method: 'get', path: '/digests/:id/deliveries', auth: 'bearer', handler: digestDeliveriesRoute },
  { method: 'post', path: '/digests/:id/resend', auth: 'bearer', handler: resendRoute },
  { method: 'post', path: '/digests/:id/resume', auth: 'bearer', handler: resumeRoute },
  { method: 'get', path: '/deliveries/unknown', auth: 'bearer', handler: unknownRoute },
  { method: 'post', path: '/deliveries/:id/resolve', auth: 'bearer', handler: resolveDeliveryRoute },
  { method: 'post', path: '/digests/:id/resolve', auth: 'bearer', handler: resolveDigestRoute },
  { method: 'get', path: '/source', auth: 'bearer', handler: sourceRoute },
  { method: 'get', path: '/subscribers', auth: 'bearer', handler: subscribersRoute },
  { method: 'post', path: '/subscribers/:id/reactivate', auth: 'bearer', handler: reactivateRoute },
  { method: 'get', path: '/subscribers/:ref/export', auth: 'bearer', handler: exportRoute },
  { method: 'delete', path: '/subscribers/:ref', auth: 'bearer', handler: eraseRoute },
  { method: 'post', path: '/subscribers/:ref/erase', auth: 'bearer', handler: eraseRoute },
  { method: 'get', path: '/subscription-mails', auth: 'bearer', handler: subscriptionMailsRoute },
  { method: 'post', path: '/subscription-mails/:id/resend', auth: 'bearer', handler: resendMailRoute },
  { method: 'post', path: '/ingest', auth: 'bearer', handler: ingestRoute },
  { method: 'post', path: '/backfill', auth: 'bearer', handler: backfillRoute },
  { method: 'post', path: '/digest', auth: 'bearer', handler: digestRoute },
  { method: 'post', path: '/retention', auth: 'bearer', handler: retentionRoute },
];

export function adminRouter(ctx: OperatorContext, token: string, hooks: AdminHooks = {}): Router {
  const router = Router();
  mountRoutes(router, { ctx, hooks }, ADMIN_ROUTES, [['bearer', [bearerAuth(token, 'paperboy admin'), express.json({ limit: '16kb' })]]]);
  router.use((_req, _res, next) => next(notFound('admin route')));
  return router;
}
