// The operator dashboard under /admin/ui: log in with ADMIN_TOKEN, then server-rendered pages over
// the same reads and actions as the JSON admin API (web/admin/actions.ts). Mounted only with
// ADMIN_TOKEN set, before the API's bearer check. Every POST but the login carries the CSRF token of
// the session; a POST without it is refused (403) and changes nothing. The routes are one table
// (dashboardRoutes), their handlers small functions (handlers.ts, login.ts, privacy-pages.ts).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { PRODUCT_NAME } from '../../config/product.ts';
import type { OperatorContext } from '../context.ts';
import { sessionEnded } from '../../db/admin-sessions.ts';
import type { ActionHooks } from '../admin/actions.ts';
import type { MailHooks } from '../admin/mail-actions.ts';
import { HttpError } from '../http-errors.ts';
import { field, formValue } from '../pages/body.ts';
import { html } from '../pages/html.ts';
import { mountRoutes, type Route } from '../route-table.ts';
import type { Authed, Dashboard, DashboardView } from './dashboard.ts';
import * as h from './handlers.ts';
import { login, loginLockout, loginPageRoute, logout } from './login.ts';
import { erase, eraseConfirm, exportData } from './privacy-pages.ts';
import { cookieValue, SESSION_COOKIE, SessionSigner } from './session.ts';
import { BASE, page } from './views.ts';

const ASSETS: Record<string, string> = { 'dashboard.css': 'text/css; charset=utf-8', 'dashboard.js': 'text/javascript; charset=utf-8' };

/**
 * Who may call a route, in the order the gates stand: `asset` (anyone, before any body is read),
 * `open` (anyone; forms read: the login), `session` (a session not ended by logging out; a POST also
 * its CSRF token).
 */
type Gate = 'asset' | 'open' | 'session';
type DashboardRoute = Route<Dashboard, Gate, Authed>;

/** The dashboard, one row a route; `limits.login` stands in front of POST /login (the lockout). */
export function dashboardRoutes(limits: { login: RequestHandler }): DashboardRoute[] {
  return [
    { method: 'get', path: '/assets/:file', auth: 'asset', handler: asset },
    { method: 'get', path: '/login', auth: 'open', handler: loginPageRoute },
    { method: 'post', path: '/login', auth: 'open', limit: limits.login, handler: login },
    { method: 'post', path: '/logout', auth: 'session', handler: logout },
    { method: 'get', path: '/', auth: 'session', handler: h.overview },
    { method: 'get', path: '/digests/:id', auth: 'session', handler: h.digestPage },
    { method: 'get', path: '/digests/:id/progress.json', auth: 'session', handler: h.digestProgress },
    { method: 'post', path: '/digests/:id/resend-failed', auth: 'session', handler: h.resendFailed },
    { method: 'post', path: '/digests/:id/resend-one', auth: 'session', handler: h.resendOne },
    { method: 'post', path: '/digests/:id/resume', auth: 'session', handler: h.resume },
    { method: 'post', path: '/digests/:id/resolve', auth: 'session', handler: h.resolveDigest },
    { method: 'post', path: '/deliveries/:id/resolve', auth: 'session', handler: h.resolveDelivery },
    { method: 'post', path: '/backfill/confirm', auth: 'session', handler: h.backfillConfirm },
    { method: 'post', path: '/backfill', auth: 'session', handler: h.backfill },
    { method: 'post', path: '/ingest/confirm', auth: 'session', handler: h.ingestConfirm },
    { method: 'post', path: '/ingest', auth: 'session', handler: h.ingest },
    { method: 'post', path: '/digest/confirm', auth: 'session', handler: h.digestConfirm },
    { method: 'post', path: '/digest', auth: 'session', handler: h.digest },
    { method: 'get', path: '/subscription-mails', auth: 'session', handler: h.subscriptionMails },
    { method: 'post', path: '/subscription-mails/:id/resend', auth: 'session', handler: h.resendMail },
    { method: 'get', path: '/subscribers', auth: 'session', handler: h.subscribers },
    { method: 'get', path: '/subscribers/:id', auth: 'session', handler: h.subscriber },
    { method: 'post', path: '/subscribers/:id/reactivate', auth: 'session', handler: h.reactivate },
    { method: 'post', path: '/subscribers/:id/export', auth: 'session', handler: exportData },
    { method: 'post', path: '/subscribers/:id/erase/confirm', auth: 'session', handler: eraseConfirm },
    { method: 'post', path: '/subscribers/:id/erase', auth: 'session', handler: erase },
  ];
}

export function dashboardRouter(ctx: OperatorContext, adminToken: string, hooks: ActionHooks & MailHooks = {}): Router {
  const signer = new SessionSigner(adminToken);
  const d: Dashboard = { ctx, hooks, signer, view: dashboardView(signer, ctx.config.BASE_URL.startsWith('https:')) };
  const router = Router();
  loadAssets();
  mountRoutes(router, d, dashboardRoutes({ login: loginLockout(d) }), [
    ['asset', []],
    ['open', [express.urlencoded({ extended: false, limit: '16kb' })]],
    ['session', [sessionGate(d)]],
  ]);
  router.use(errorPage(d));
  return router;
}

function dashboardView(signer: SessionSigner, secure: boolean): DashboardView {
  const back = (req: Request) => {
    const to = field(req, 'back') ?? BASE;
    return to.startsWith(`${BASE}`) && !to.startsWith('//') ? to : BASE;
  };
  return {
    frame: (req: Authed) => ({ csrf: req.session ? signer.csrfToken(req.session) : null, productName: PRODUCT_NAME }),
    send: (res, statusCode, body) => void res.status(statusCode).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).send(body),
    back,
    done: (req, res, text, to = back(req)) => {
      res.redirect(303, `${to}${to.includes('?') ? '&' : '?'}done=${encodeURIComponent(text)}`);
    },
    notice: (req) => (typeof req.query.done === 'string' && req.query.done.length < 200 ? { kind: 'ok' as const, text: req.query.done } : undefined),
    secure,
  };
}

/** The dashboard's CSS and script, read once (at the first router built, never at import). */
let assets: Map<string, { body: Buffer; etag: string }> | undefined;
const loadAssets = () =>
  (assets ??= new Map(
    Object.keys(ASSETS).map((name) => {
      const body = readFileSync(new URL(`./public/${name}`, import.meta.url));
      return [name, { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` }] as const;
    }),
  ));

function asset(_d: Dashboard, req: Request, res: Response, next: NextFunction): void {
  const found = loadAssets().get(String(req.params.file));
  if (!found) return next();
  res.set({ 'Content-Type': ASSETS[String(req.params.file)]!, 'Cache-Control': 'no-cache', ETag: found.etag });
  if (req.headers['if-none-match'] === found.etag) return void res.status(304).end();
  res.send(found.body);
}

/** Everything after it needs a session (not ended by logging out); a POST also its CSRF token. */
function sessionGate({ ctx, signer }: Dashboard): RequestHandler {
  return async (req: Authed, res, next) => {
    const signed = signer.read(cookieValue(req.headers.cookie, SESSION_COOKIE), ctx.now());
    const session = signed && !(await sessionEnded(ctx.db.prisma, signed.nonce)) ? signed : null;
    if (!session) {
      if (req.method === 'GET' && !req.path.endsWith('.json')) return res.redirect(303, `${BASE}/login`);
      return next(new HttpError(401, 'UNAUTHORIZED', 'log in first'));
    }
    req.session = session;
    if (req.method === 'POST' && !signer.csrfMatches(session, formValue(req, '_csrf'))) {
      ctx.log.warn({ event: 'admin.csrf_refused', path: req.path, ip: req.ip }, 'dashboard: a form without its CSRF token was refused');
      return next(new HttpError(403, 'CSRF_REFUSED', 'this form is out of date or did not come from the dashboard: reload the page and try again'));
    }
    next();
  };
}

/** Errors as a page (JSON for the progress poll). */
function errorPage({ ctx, view }: Dashboard) {
  return (err: unknown, req: Authed, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err instanceof HttpError ? err : null;
    if (!e) ctx.log.error({ event: 'http.error', err, path: req.path }, 'dashboard error');
    const statusCode = e?.status ?? 500;
    const message = e?.message ?? 'something went wrong (the log has the details)';
    if (req.path.endsWith('.json')) return void res.status(statusCode).json({ error: { code: e?.code ?? 'INTERNAL', message } });
    const title = statusCode === 403 ? 'Refused' : statusCode === 401 ? 'Log in' : 'Could not do that';
    view.send(res, statusCode, page(view.frame(req), title, e?.code === 'UNAUTHORIZED' ? html401() : backLink(), { kind: 'error', text: message }));
  };
}

const backLink = () => html`<p><a href="${BASE}">Back to the overview</a></p>`;
const html401 = () => html`<p><a href="${BASE}/login">Log in</a></p>`;
