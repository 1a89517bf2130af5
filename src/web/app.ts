// The express app: security headers, health, the admin API, and the reader's pages. Built from the
// context (no global state), so tests start as many as they like.
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { WebContext } from './context.ts';
import { adminRouter, type AdminHooks } from './admin/router.ts';
import { dashboardRouter } from './dashboard/router.ts';
import { HttpError, jsonErrorHandler } from './http-errors.ts';
import { healthRoute } from './health.ts';
import { metricsRouter } from './metrics-route.ts';
import { requestLogging, requestMetrics } from './observe.ts';

export interface WebOptions {
  admin?: AdminHooks;
  /** the reader's pages (subscribe, confirm, preferences, unsubscribe) */
  pages?: Router;
  /** extra routers mounted before the pages */
  extra?: Router[];
  /** one log line per request (serve: yes; tests that read the log: as they like) */
  requestLog?: boolean;
}

export function createWebApp(ctx: WebContext, options: WebOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.requestLog !== false) app.use(requestLogging(ctx.log));
  app.use(requestMetrics(ctx.metrics));
  if (ctx.config.TRUST_PROXY) app.set('trust proxy', parseTrustProxy(ctx.config.TRUST_PROXY));
  else app.use(warnOnceBehindProxy(ctx));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.get('/healthz', healthRoute(ctx));
  app.use(metricsRouter(ctx.metrics, ctx.config.METRICS_TOKEN));
  for (const router of options.extra ?? []) app.use(router);
  if (ctx.config.ADMIN_TOKEN) {
    // the dashboard's pages (session cookie) first, then the JSON API (bearer token)
    app.use('/admin/ui', dashboardRouter(ctx, ctx.config.ADMIN_TOKEN, options.admin));
    app.get('/admin', (_req, res) => res.redirect(303, '/admin/ui'));
    app.use('/admin', adminRouter(ctx, ctx.config.ADMIN_TOKEN, options.admin));
    app.use('/admin', jsonErrorHandler(ctx.log));
  }
  if (options.pages) app.use(options.pages);
  app.use((req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `${req.method} ${req.path} not found`)));
  app.use(jsonErrorHandler(ctx.log));
  return app;
}

/**
 * TRUST_PROXY unset, and a request carries X-Forwarded-For: paperboy runs behind a proxy it does not
 * trust, so every client has the proxy's address (the rate limits, the dashboard's login lockout).
 * Said once per process, in the log, where the operator looks.
 */
function warnOnceBehindProxy(ctx: WebContext): express.RequestHandler {
  let said = false;
  return (req, _res, next) => {
    if (!said && req.headers['x-forwarded-for']) {
      said = true;
      ctx.log.warn(
        { event: 'http.proxy_untrusted', ip: req.ip },
        "requests come through a proxy (X-Forwarded-For) but TRUST_PROXY is unset: every client has the proxy's address for the rate limits " +
          'and the dashboard login lockout (20 wrong tokens from anyone lock everyone out): set TRUST_PROXY (e.g. 1)',
      );
    }
    next();
  };
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}
