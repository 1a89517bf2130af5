// The operator dashboard under /admin/ui: log in with ADMIN_TOKEN, then server-rendered pages over
// the same reads and actions as the JSON admin API (web/admin/actions.ts). Mounted only with
// ADMIN_TOKEN set, before the API's bearer check. Every POST but the login carries the CSRF token of
// the session; a POST without it is refused (403) and changes nothing.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { PRODUCT_NAME } from '../../config/product.ts';
import type { WebContext } from '../context.ts';
import { recover } from '../../deliver/worker-liveness.ts';
import { sessionEnded } from '../../db/admin-sessions.ts';
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
  type ActionHooks,
} from '../admin/actions.ts';
import { listMailsAction, resendMailAction, type MailHooks } from '../admin/mail-actions.ts';
import { HttpError } from '../http-errors.ts';
import { html } from '../pages/html.ts';
import { digestBody, overviewBody, resendConfirmBody, subscriberBody, subscribersBody } from './pages.ts';
import { backfillConfirmBody } from './source.ts';
import { digestConfirmBody, digestDone, ingestConfirmBody, ingestDone } from './run-now.ts';
import { digestDeliveries, recentJobs, recentReports, searchSubscribers, stuckDeliveries, subscriberHistory } from './queries.ts';
import { proxyWarning, registerLogin, registerLogout } from './login.ts';
import { failedMailsNotice, subscriptionMailsBody } from './mail-pages.ts';
import { privacySection, registerPrivacyPages } from './privacy-pages.ts';
import { cookieValue, SESSION_COOKIE, SessionSigner, type Session } from './session.ts';
import { BASE, page, progressOf, type Frame } from './views.ts';
import { plural } from '../../log/plural.ts';
import { ROW_ID_MAX } from '../../model/row-id.ts';

const ASSETS: Record<string, string> = { 'dashboard.css': 'text/css; charset=utf-8', 'dashboard.js': 'text/javascript; charset=utf-8' };
const id = z.coerce.number().int().positive().max(ROW_ID_MAX);
const outcome = z.enum(['sent', 'resend']);
const status = z.enum(DELIVERY_STATUSES).optional();

interface Authed extends Request {
  session?: Session;
}

export function dashboardRouter(ctx: WebContext, adminToken: string, hooks: ActionHooks & MailHooks = {}): Router {
  const signer = new SessionSigner(adminToken);
  const router = Router();
  const secure = ctx.config.BASE_URL.startsWith('https:');
  const assets = new Map(
    Object.keys(ASSETS).map((name) => {
      const body = readFileSync(new URL(`./public/${name}`, import.meta.url));
      return [name, { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` }] as const;
    }),
  );
  const frame = (req: Authed): Frame => ({ csrf: req.session ? signer.csrfToken(req.session) : null, productName: PRODUCT_NAME });
  const send = (res: Response, statusCode: number, body: string) =>
    res.status(statusCode).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).send(body);
  const back = (req: Request) => {
    const to = typeof req.body?.back === 'string' ? req.body.back : BASE;
    return to.startsWith(`${BASE}`) && !to.startsWith('//') ? to : BASE;
  };
  const done = (req: Request, res: Response, text: string) => {
    const to = back(req);
    res.redirect(303, `${to}${to.includes('?') ? '&' : '?'}done=${encodeURIComponent(text)}`);
  };

  router.get('/assets/:file', (req, res, next) => {
    const asset = assets.get(String(req.params.file));
    if (!asset) return next();
    res.set({ 'Content-Type': ASSETS[String(req.params.file)]!, 'Cache-Control': 'no-cache', ETag: asset.etag });
    if (req.headers['if-none-match'] === asset.etag) return void res.status(304).end();
    res.send(asset.body);
  });

  router.use(express.urlencoded({ extended: false, limit: '16kb' }));

  const view = { frame, send, secure };
  registerLogin(router, ctx, signer, view);

  // everything below needs a session (not ended by logging out); a POST also its CSRF token
  router.use(async (req: Authed, res, next) => {
    const signed = signer.read(cookieValue(req.headers.cookie, SESSION_COOKIE), ctx.now());
    const session = signed && !(await sessionEnded(ctx.db.prisma, signed.nonce)) ? signed : null;
    if (!session) {
      if (req.method === 'GET' && !req.path.endsWith('.json')) return res.redirect(303, `${BASE}/login`);
      return next(new HttpError(401, 'UNAUTHORIZED', 'log in first'));
    }
    req.session = session;
    if (req.method === 'POST' && !signer.csrfMatches(session, req.body?._csrf)) {
      ctx.log.warn({ event: 'admin.csrf_refused', path: req.path, ip: req.ip }, 'dashboard: a form without its CSRF token was refused');
      return next(new HttpError(403, 'CSRF_REFUSED', 'this form is out of date or did not come from the dashboard: reload the page and try again'));
    }
    next();
  });

  registerLogout(router, ctx, view);

  const notice = (req: Request) =>
    typeof req.query.done === 'string' && req.query.done.length < 200 ? { kind: 'ok' as const, text: req.query.done } : undefined;

  router.get('/', async (req: Authed, res) => {
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
    const body = overviewBody(frame(req), { digests, unknown, stuck, source, jobs, reports });
    send(res, 200, page(frame(req), 'Overview', html`${proxyWarning(ctx, req)}${failedMailsNotice(failedMails)}${body}`, notice(req)));
  });

  const digestRow = async (digestId: number) => {
    if (!(await getDigest(ctx.db.prisma, digestId))) throw new HttpError(404, 'NOT_FOUND', `digest ${digestId} not found`);
    const [row] = await listDigests(ctx.db.prisma, 1, digestId + 1);
    return row!;
  };

  router.get('/digests/:id', async (req: Authed, res) => {
    const digestId = parse(id, req.params.id);
    const filter = parse(status, typeof req.query.status === 'string' && req.query.status ? req.query.status : undefined);
    const digest = await digestRow(digestId);
    const [deliveries, unknown] = await Promise.all([digestDeliveries(ctx.db.prisma, digestId, filter), listUnknown(ctx.db.sql, { digestId, limit: 50 })]);
    send(res, 200, page(frame(req), `Digest ${digestId}`, digestBody(frame(req), digest, filter, deliveries, unknown), notice(req)));
  });

  router.get('/digests/:id/progress.json', async (req, res) => {
    const digest = await digestRow(parse(id, req.params.id));
    res
      .set('Cache-Control', 'no-store')
      .json({ id: digest.id, status: digest.status, counts: digest.counts, ...progressOf(digest.counts, digest.deliveryCount) });
  });

  router.post('/digests/:id/resend-failed', async (req, res) => {
    const r = await resendFailedAction(ctx, hooks, parse(id, req.params.id));
    done(req, res, `Re-queued ${plural(r.queued.length, 'failed delivery', 'failed deliveries')}${r.resumed ? ' and resumed the digest' : ''}.`);
  });
  router.post('/digests/:id/resend-one', async (req: Authed, res) => {
    const digestId = parse(id, req.params.id);
    const email = parse(z.string().min(3).max(320), req.body?.email);
    const attempt = req.body?.attempt === undefined ? undefined : parse(id, req.body.attempt);
    try {
      const r = await resendOneAction(ctx, hooks, digestId, email, { confirmed: req.body?.confirm === 'yes', ...(attempt ? { attempt } : {}) });
      const already = r.alreadyResent
        ? `The delivery to ${email} was already resent (attempt ${r.alreadyResent.attempt}): not again.`
        : `The delivery to ${email} is already queued.`;
      done(req, res, r.queued.length ? `Re-queued the delivery to ${email}.` : already);
    } catch (err) {
      if (!(err instanceof ConfirmationRequired)) throw err;
      const input = { digestId, deliveryId: err.deliveryId, email, attempt: err.attempt, sentAt: err.sentAt, back: back(req) };
      send(res, 200, page(frame(req), 'Resend a sent digest?', resendConfirmBody(frame(req), input)));
    }
  });
  router.post('/digests/:id/resume', async (req, res) => {
    const r = await resumeAction(ctx, hooks, parse(id, req.params.id));
    done(req, res, `Resumed digest ${r.digestId}.`);
  });
  router.post('/digests/:id/resolve', async (req, res) => {
    const o = parse(outcome, req.body?.outcome);
    const r = await resolveAction(ctx, hooks, { digestId: parse(id, req.params.id) }, o, 'dashboard');
    done(req, res, `${plural(r.resolved.length, 'unknown delivery', 'unknown deliveries')} resolved: ${o === 'sent' ? 'marked sent' : 'queued again'}.`);
  });
  router.post('/deliveries/:id/resolve', async (req, res) => {
    const deliveryId = parse(id, req.params.id);
    const o = parse(outcome, req.body?.outcome);
    await resolveAction(ctx, hooks, { ids: [deliveryId] }, o, 'dashboard');
    done(req, res, `Delivery ${deliveryId} ${o === 'sent' ? 'marked sent' : 'queued again as a new attempt'}.`);
  });

  // a backfill: the form posts here first, for a page that says what it will do; its button starts it
  const backfillInput = (req: Request) => ({
    since: parse(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick the first day to backfill'), req.body?.since),
    until:
      typeof req.body?.until === 'string' && req.body.until !== ''
        ? parse(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'the last day must be a day'), req.body.until)
        : undefined,
  });
  router.post('/backfill/confirm', (req: Authed, res) => {
    const { since, until } = backfillInput(req);
    const days = backfillRange(ctx, since, until);
    send(res, 200, page(frame(req), 'Backfill', backfillConfirmBody(frame(req), { source: displaySource(ctx.config.SNAPSHOT_SOURCE), since, until, days })));
  });
  router.post('/backfill', async (req, res) => {
    confirmed(req);
    const { since, until } = backfillInput(req);
    const r = await backfillAction(ctx, hooks, since, until, 'dashboard');
    done(req, res, `Backfill of ${plural(r.days, 'day')} (${r.from} to ${r.to}) started as job ${r.jobId}: its progress is under Source.`);
  });

  // ingest and build by hand: a page saying what it will do first, whose button does it
  const confirmed = (req: Request) => {
    if (req.body?.confirm !== 'yes') throw new HttpError(400, 'NOT_CONFIRMED', 'start it from its confirmation page');
  };
  router.post('/ingest/confirm', (req: Authed, res) => {
    send(res, 200, page(frame(req), 'Ingest now', ingestConfirmBody(frame(req), displaySource(ctx.config.SNAPSHOT_SOURCE))));
  });
  router.post('/ingest', async (req, res) => {
    confirmed(req);
    done(req, res, ingestDone(await ingestAction(ctx, hooks, undefined, 'dashboard')));
  });
  router.post('/digest/confirm', async (req: Authed, res) => {
    send(res, 200, page(frame(req), 'Build the digest', digestConfirmBody(frame(req), await digestAction(ctx, hooks, true, 'dashboard'))));
  });
  router.post('/digest', async (req, res) => {
    confirmed(req);
    done(req, res, digestDone(await digestAction(ctx, hooks, false, 'dashboard')));
  });

  router.get('/subscription-mails', async (req: Authed, res) => {
    const [failed, waiting] = await Promise.all([listMailsAction(ctx, 'failed', { limit: 200 }), listMailsAction(ctx, 'waiting', { limit: 200 })]);
    send(res, 200, page(frame(req), 'Subscription emails', subscriptionMailsBody(frame(req), failed, waiting), notice(req)));
  });
  router.post('/subscription-mails/:id/resend', async (req, res) => {
    const r = await resendMailAction(ctx, hooks, parse(id, req.params.id), 'dashboard');
    done(
      req,
      res,
      r.outcome === 'queued'
        ? `Subscription email ${r.id} queued again: it goes out within seconds.`
        : `Subscription email ${r.id} not sent again: ${r.reason} (marked skipped).`,
    );
  });

  router.get('/subscribers', async (req: Authed, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 320) : '';
    send(res, 200, page(frame(req), 'Subscribers', subscribersBody(q, await searchSubscribers(ctx.db.prisma, q))));
  });
  router.get('/subscribers/:id', async (req: Authed, res) => {
    const s = await subscriberHistory(ctx.db.prisma, parse(id, req.params.id));
    if (!s) throw new HttpError(404, 'NOT_FOUND', 'no such subscriber');
    send(res, 200, page(frame(req), s.email, html`${subscriberBody(frame(req), s)}${privacySection(frame(req), s)}`, notice(req)));
  });
  router.post('/subscribers/:id/reactivate', async (req, res) => {
    const r = await reactivateAction(ctx, parse(id, req.params.id));
    done(req, res, `Subscriber ${r.subscriberId} is active again.`);
  });
  registerPrivacyPages(router, ctx, { frame, send, done });

  // errors as a page (JSON for the progress poll)
  router.use((err: unknown, req: Authed, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err instanceof HttpError ? err : null;
    if (!e) ctx.log.error({ event: 'http.error', err, path: req.path }, 'dashboard error');
    const statusCode = e?.status ?? 500;
    const message = e?.message ?? 'something went wrong (the log has the details)';
    if (req.path.endsWith('.json')) return void res.status(statusCode).json({ error: { code: e?.code ?? 'INTERNAL', message } });
    send(
      res,
      statusCode,
      page(
        frame(req),
        statusCode === 403 ? 'Refused' : statusCode === 401 ? 'Log in' : 'Could not do that',
        e?.code === 'UNAUTHORIZED' ? html401() : backLink(),
        { kind: 'error', text: message },
      ),
    );
  });
  return router;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'VALIDATION_FAILED', r.error.issues[0]?.message ?? 'invalid request');
  return r.data;
}

const backLink = () => html`<p><a href="${BASE}">Back to the overview</a></p>`;
const html401 = () => html`<p><a href="${BASE}/login">Log in</a></p>`;
