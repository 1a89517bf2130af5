// The dashboard's door: log in with ADMIN_TOKEN, log out, and the lockout after too many wrong
// tokens. Only wrong tokens count (a right one never brings the lockout nearer), per client address —
// or per browser for one that logged in before (its device cookie, session.ts), so strangers' wrong
// tokens from the same address never lock the operator's own browser out. Behind a proxy without
// TRUST_PROXY every client has the proxy's address: the lockout page and the overview say so.
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { OperatorContext } from '../context.ts';
import { endSession } from '../../db/admin-sessions.ts';
import { field } from '../pages/body.ts';
import { html, type Html } from '../pages/html.ts';
import type { Dashboard, Handler } from './dashboard.ts';
import { cookieValue, DEVICE_COOKIE, DEVICE_TTL_MS, SESSION_COOKIE, SESSION_TTL_MS } from './session.ts';
import { BASE, loginPage, page } from './views.ts';

/** Wrong tokens from one address (or one known browser) in LOCKOUT_WINDOW_MS before logging in is refused there. */
export const LOCKOUT_ATTEMPTS = 20;
const LOCKOUT_WINDOW_MS = 15 * 60_000;

const device = ({ ctx, signer }: Dashboard, req: Request) => signer.readDevice(cookieValue(req.headers.cookie, DEVICE_COOKIE), ctx.now());

/** The lockout in front of POST /login: LOCKOUT_ATTEMPTS wrong tokens, then a page saying why and until when. */
export function loginLockout(d: Dashboard): RequestHandler {
  const { ctx, view } = d;
  return rateLimit({
    windowMs: LOCKOUT_WINDOW_MS,
    limit: LOCKOUT_ATTEMPTS,
    identifier: 'admin-login',
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // only wrong tokens count: a right one is taken back once answered
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.locals.loggedIn === true,
    keyGenerator: (req) => {
      const known = device(d, req);
      return known ? `device:${known}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (req, res) => {
      const proxied = behindUntrustedProxy(ctx, req);
      const until = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      ctx.log.warn(
        { event: 'admin.login_locked', ip: req.ip, knownBrowser: device(d, req) !== null, proxyWithoutTrustProxy: proxied },
        'dashboard: too many wrong admin tokens: logging in is refused for a while',
      );
      view.send(
        res,
        429,
        page(view.frame(req), 'Log in', lockedOut(req.ip ?? '', until, proxied), {
          kind: 'error',
          text: 'Too many wrong admin tokens: logging in is refused here for a while.',
        }),
      );
    },
  });
}

/** GET /login (before the session check). */
export const loginPageRoute: Handler = ({ view }, req, res) => view.send(res, 200, loginPage(view.frame(req)));

/** POST /login (before the session check, behind the lockout). */
export const login: Handler = (d, req, res) => {
  const { ctx, signer, view } = d;
  const typed = field(req, 'token') ?? '';
  if (!signer.tokenMatches(typed)) {
    ctx.log.warn({ event: 'admin.login_failed', ip: req.ip }, 'dashboard: a wrong admin token');
    return view.send(res, 200, loginPage(view.frame(req), 'That is not the admin token.'));
  }
  res.locals.loggedIn = true;
  const now = ctx.now();
  const { value } = signer.issue(now);
  const cookie = { httpOnly: true, sameSite: 'strict' as const, secure: view.secure };
  res.cookie(SESSION_COOKIE, value, { ...cookie, path: '/admin', maxAge: SESSION_TTL_MS });
  if (!device(d, req)) res.cookie(DEVICE_COOKIE, signer.issueDevice(now).value, { ...cookie, path: `${BASE}/login`, maxAge: DEVICE_TTL_MS });
  ctx.log.info({ event: 'admin.login', ip: req.ip }, 'dashboard: logged in');
  res.redirect(303, BASE);
};

/** POST /logout (after the session check): the session ends for every process, not only this cookie. */
export const logout: Handler = async ({ ctx, view }, req, res) => {
  if (req.session) await endSession(ctx.db.prisma, req.session, ctx.now());
  ctx.log.info({ event: 'admin.logout', ip: req.ip }, 'dashboard: logged out');
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: view.secure, path: '/admin' });
  res.redirect(303, `${BASE}/login`);
};

/**
 * Requests come through a proxy (they carry X-Forwarded-For) and TRUST_PROXY is unset: every client
 * is the proxy's address to the rate limits and the login lockout.
 */
function behindUntrustedProxy(ctx: OperatorContext, req: Request): boolean {
  return !ctx.config.TRUST_PROXY && typeof req.headers['x-forwarded-for'] === 'string' && req.headers['x-forwarded-for'] !== '';
}

export function proxyWarning(ctx: OperatorContext, req: Request): Html {
  if (!behindUntrustedProxy(ctx, req)) return html``;
  return html`<p class="notice error" role="alert">This page came through a proxy (the request carries X-Forwarded-For) but <code>TRUST_PROXY</code> is unset:
every client counts as the proxy's address (${req.ip ?? ''}), so the rate limits of the reader's pages and the dashboard's login lockout treat everyone as one —
${LOCKOUT_ATTEMPTS} wrong tokens from anyone lock the login for everyone without a browser that logged in before. \
Set <code>TRUST_PROXY</code> (e.g. 1 for one proxy in front) and restart.</p>`;
}

function lockedOut(ip: string, until: Date | undefined, proxied: boolean): Html {
  const when = until ? html` until <time datetime="${until.toISOString()}">${until.toISOString().slice(11, 16)} UTC</time>` : html` for up to 15 minutes`;
  return html`<p>${LOCKOUT_ATTEMPTS} wrong admin tokens came from this address (${ip}) in 15 minutes: logging in from it is refused${when}.
A browser that has logged in here before is counted on its own, so others' wrong tokens never lock it out.</p>
${
  proxied
    ? html`<p><strong>These requests come through a proxy, and TRUST_PROXY is unset.</strong> paperboy sees every visitor as the proxy's address, \
so anyone's wrong tokens
locked this address out for everyone. Set <code>TRUST_PROXY</code> (for one proxy in front: <code>TRUST_PROXY=1</code>) and restart paperboy.</p>`
    : ''
}
<p><a href="${BASE}/login">Back to the login</a></p>`;
}
