// The dashboard's handlers, one small function a route (the table is in router.ts): each parses its
// input, runs the read or the action (the same as the JSON admin API's: web/admin/actions.ts) and
// answers with a page, or a redirect back with a notice.
import type { Request } from 'express';
import { z } from 'zod';
import type { OperatorContext } from '../context.ts';
import { recover } from '../../deliver/worker-liveness.ts';
import { DELIVERY_STATUSES } from '../../model/delivery-status.ts';
import { getDigest, listDigests } from '../../db/digests.ts';
import { listUnknown } from '../../db/operator-deliveries.ts';
import { displaySource } from '../../ingest/ingest-inputs.ts';
import { sourceHealth } from '../../jobs/ingest-source.ts';
import { isUrl } from '../../ingest/read-input.ts';
import {
  backfillAction,
  backfillRange,
  ConfirmationRequired,
  digestAction,
  ingestAction,
  reactivateAction,
  resendFailedAction,
  resendOneAction,
  resolveAction,
  resumeAction,
} from '../admin/actions.ts';
import { listMailsAction, resendMailAction } from '../admin/mail-actions.ts';
import { HttpError } from '../http-errors.ts';
import { formValue } from '../pages/body.ts';
import { html } from '../pages/html.ts';
import { digestBody, overviewBody, resendConfirmBody, subscriberBody, subscribersBody } from './pages.ts';
import { backfillConfirmBody } from './source.ts';
import { digestConfirmBody, digestDone, ingestConfirmBody, ingestDone } from './run-now.ts';
import { digestDeliveries, recentJobs, recentReports, searchSubscribers, stuckDeliveries, subscriberHistory } from './queries.ts';
import { proxyWarning } from './login.ts';
import { failedMailsNotice, subscriptionMailsBody } from './mail-pages.ts';
import { privacySection } from './privacy-pages.ts';
import type { Handler } from './dashboard.ts';
import { page, progressOf } from './views.ts';
import { plural } from '../../log/plural.ts';
import { ROW_ID_MAX } from '../../model/row-id.ts';

const id = z.coerce.number().int().positive().max(ROW_ID_MAX);
const outcome = z.enum(['sent', 'resend']);
const status = z.enum(DELIVERY_STATUSES).optional();
const day = (message: string) => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, message);

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'VALIDATION_FAILED', r.error.issues[0]?.message ?? 'invalid request');
  return r.data;
}

/** A button that does something is pressed on its confirmation page (`confirm=yes`). */
function confirmed(req: Request): void {
  if (formValue(req, 'confirm') !== 'yes') throw new HttpError(400, 'NOT_CONFIRMED', 'start it from its confirmation page');
}

async function digestRow(ctx: OperatorContext, digestId: number) {
  if (!(await getDigest(ctx.db.prisma, digestId))) throw new HttpError(404, 'NOT_FOUND', `digest ${digestId} not found`);
  const [row] = await listDigests(ctx.db.prisma, 1, digestId + 1);
  return row!;
}

export const overview: Handler = async ({ ctx, view }, req, res) => {
  await recover(ctx.db.sql, ctx.log);
  const prisma = ctx.db.prisma;
  const display = displaySource(ctx.config.SNAPSHOT_SOURCE);
  const [digests, unknown, stuck, health, files, jobs, reports, backfill, snapshots, failedMails] = await Promise.all([
    listDigests(prisma, 20),
    listUnknown(ctx.db.sql, { limit: 50 }),
    stuckDeliveries(ctx.db.sql, ctx.config.SMTP_REPLY_TIMEOUT + ctx.config.SMTP_TIMEOUT),
    sourceHealth(prisma, ctx.config.SNAPSHOT_SOURCE, ctx.now(), ctx.config.SOURCE_STALE_AFTER),
    prisma.sourceFile.findMany({ where: { source: display }, orderBy: { at: 'desc' }, take: 10 }),
    recentJobs(prisma),
    recentReports(prisma),
    prisma.jobRun.findFirst({ where: { job: 'backfill' }, orderBy: { id: 'desc' } }),
    prisma.snapshot.count(),
    prisma.subscriptionMail.count({ where: { status: 'failed' } }),
  ]);
  const yesterday = new Date(ctx.now().getTime() - 86_400_000).toISOString().slice(0, 10);
  const source = { display, health, files, isUrl: isUrl(ctx.config.SNAPSHOT_SOURCE), snapshots, backfill, yesterday };
  const body = overviewBody(view.frame(req), { digests, unknown, stuck, source, jobs, reports });
  view.send(res, 200, page(view.frame(req), 'Overview', html`${proxyWarning(ctx, req)}${failedMailsNotice(failedMails)}${body}`, view.notice(req)));
};

export const digestPage: Handler = async ({ ctx, view }, req, res) => {
  const digestId = parse(id, req.params.id);
  const filter = parse(status, typeof req.query.status === 'string' && req.query.status ? req.query.status : undefined);
  const digest = await digestRow(ctx, digestId);
  const [deliveries, unknown] = await Promise.all([digestDeliveries(ctx.db.prisma, digestId, filter), listUnknown(ctx.db.sql, { digestId, limit: 50 })]);
  const frame = view.frame(req);
  view.send(res, 200, page(frame, `Digest ${digestId}`, digestBody(frame, digest, filter, deliveries, unknown), view.notice(req)));
};

export const digestProgress: Handler = async ({ ctx }, req, res) => {
  const digest = await digestRow(ctx, parse(id, req.params.id));
  res
    .set('Cache-Control', 'no-store')
    .json({ id: digest.id, status: digest.status, counts: digest.counts, ...progressOf(digest.counts, digest.deliveryCount) });
};

export const resendFailed: Handler = async ({ ctx, hooks, view }, req, res) => {
  const r = await resendFailedAction(ctx, hooks, parse(id, req.params.id));
  view.done(req, res, `Re-queued ${plural(r.queued.length, 'failed delivery', 'failed deliveries')}${r.resumed ? ' and resumed the digest' : ''}.`);
};

export const resendOne: Handler = async ({ ctx, hooks, view }, req, res) => {
  const digestId = parse(id, req.params.id);
  const email = parse(z.string().min(3).max(320), formValue(req, 'email'));
  const rawAttempt = formValue(req, 'attempt');
  const attempt = rawAttempt === undefined ? undefined : parse(id, rawAttempt);
  try {
    const r = await resendOneAction(ctx, hooks, digestId, email, { confirmed: formValue(req, 'confirm') === 'yes', ...(attempt ? { attempt } : {}) });
    const already = r.alreadyResent
      ? `The delivery to ${email} was already resent (attempt ${r.alreadyResent.attempt}): not again.`
      : `The delivery to ${email} is already queued.`;
    view.done(req, res, r.queued.length ? `Re-queued the delivery to ${email}.` : already);
  } catch (err) {
    if (!(err instanceof ConfirmationRequired)) throw err;
    const input = { digestId, deliveryId: err.deliveryId, email, attempt: err.attempt, sentAt: err.sentAt, back: view.back(req) };
    view.send(res, 200, page(view.frame(req), 'Resend a sent digest?', resendConfirmBody(view.frame(req), input)));
  }
};

export const resume: Handler = async ({ ctx, hooks, view }, req, res) => {
  const r = await resumeAction(ctx, hooks, parse(id, req.params.id));
  view.done(req, res, `Resumed digest ${r.digestId}.`);
};

export const resolveDigest: Handler = async ({ ctx, hooks, view }, req, res) => {
  const o = parse(outcome, formValue(req, 'outcome'));
  const r = await resolveAction(ctx, hooks, { digestId: parse(id, req.params.id) }, o, 'dashboard');
  view.done(req, res, `${plural(r.resolved.length, 'unknown delivery', 'unknown deliveries')} resolved: ${o === 'sent' ? 'marked sent' : 'queued again'}.`);
};

export const resolveDelivery: Handler = async ({ ctx, hooks, view }, req, res) => {
  const deliveryId = parse(id, req.params.id);
  const o = parse(outcome, formValue(req, 'outcome'));
  await resolveAction(ctx, hooks, { ids: [deliveryId] }, o, 'dashboard');
  view.done(req, res, `Delivery ${deliveryId} ${o === 'sent' ? 'marked sent' : 'queued again as a new attempt'}.`);
};

// a backfill: the form posts to /backfill/confirm first, for a page that says what it will do; its button starts it
const backfillInput = (req: Request) => {
  const until = formValue(req, 'until');
  return {
    since: parse(day('pick the first day to backfill'), formValue(req, 'since')),
    until: typeof until === 'string' && until !== '' ? parse(day('the last day must be a day'), until) : undefined,
  };
};

export const backfillConfirm: Handler = ({ ctx, view }, req, res) => {
  const { since, until } = backfillInput(req);
  const days = backfillRange(ctx, since, until);
  const source = displaySource(ctx.config.SNAPSHOT_SOURCE);
  view.send(res, 200, page(view.frame(req), 'Backfill', backfillConfirmBody(view.frame(req), { source, since, until, days })));
};

export const backfill: Handler = async ({ ctx, hooks, view }, req, res) => {
  confirmed(req);
  const { since, until } = backfillInput(req);
  const r = await backfillAction(ctx, hooks, since, until, 'dashboard');
  view.done(req, res, `Backfill of ${plural(r.days, 'day')} (${r.from} to ${r.to}) started as job ${r.jobId}: its progress is under Source.`);
};

// ingest and build by hand: a page saying what it will do first, whose button does it
export const ingestConfirm: Handler = ({ ctx, view }, req, res) => {
  view.send(res, 200, page(view.frame(req), 'Ingest now', ingestConfirmBody(view.frame(req), displaySource(ctx.config.SNAPSHOT_SOURCE))));
};

export const ingest: Handler = async ({ ctx, hooks, view }, req, res) => {
  confirmed(req);
  view.done(req, res, ingestDone(await ingestAction(ctx, hooks, undefined, 'dashboard')));
};

export const digestConfirm: Handler = async ({ ctx, hooks, view }, req, res) => {
  view.send(res, 200, page(view.frame(req), 'Build the digest', digestConfirmBody(view.frame(req), await digestAction(ctx, hooks, true, 'dashboard'))));
};

export const digest: Handler = async ({ ctx, hooks, view }, req, res) => {
  confirmed(req);
  view.done(req, res, digestDone(await digestAction(ctx, hooks, false, 'dashboard')));
};

export const subscriptionMails: Handler = async ({ ctx, view }, req, res) => {
  const [failed, waiting] = await Promise.all([listMailsAction(ctx, 'failed', { limit: 200 }), listMailsAction(ctx, 'waiting', { limit: 200 })]);
  view.send(res, 200, page(view.frame(req), 'Subscription emails', subscriptionMailsBody(view.frame(req), failed, waiting), view.notice(req)));
};

export const resendMail: Handler = async ({ ctx, hooks, view }, req, res) => {
  const r = await resendMailAction(ctx, hooks, parse(id, req.params.id), 'dashboard');
  view.done(
    req,
    res,
    r.outcome === 'queued'
      ? `Subscription email ${r.id} queued again: it goes out within seconds.`
      : `Subscription email ${r.id} not sent again: ${r.reason} (marked skipped).`,
  );
};

export const subscribers: Handler = async ({ ctx, view }, req, res) => {
  const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 320) : '';
  view.send(res, 200, page(view.frame(req), 'Subscribers', subscribersBody(q, await searchSubscribers(ctx.db.prisma, q))));
};

export const subscriber: Handler = async ({ ctx, view }, req, res) => {
  const s = await subscriberHistory(ctx.db.prisma, parse(id, req.params.id));
  if (!s) throw new HttpError(404, 'NOT_FOUND', 'no such subscriber');
  view.send(res, 200, page(view.frame(req), s.email, html`${subscriberBody(view.frame(req), s)}${privacySection(view.frame(req), s)}`, view.notice(req)));
};

export const reactivate: Handler = async ({ ctx, view }, req, res) => {
  const r = await reactivateAction(ctx, parse(id, req.params.id));
  view.done(req, res, `Subscriber ${r.subscriberId} is active again.`);
};
