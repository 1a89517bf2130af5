// The reader's pages: subscribe with a live preview, confirm, preferences, unsubscribe, their
// assets and the preview API. The preview's cache and the feeds come built, once, with the context
// (app/reader-services.ts). Mounted by createWebApp(ctx, { pages: pagesRouter(ctx) }), after the
// app's helmet/CSP (default-src 'self': the pages load only their own CSS and script, no inline).
import { Router } from 'express';
import { PRODUCT_NAME } from '../../config/product.ts';
import type { WebContext } from '../context.ts';
import { subscriptionDeps, type SubscriptionDeps } from '../../subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../subscriptions/mail-queue.ts';
import { loadAssets } from './assets.ts';
import { markPagesRequest, pageErrorHandler, sendMessage } from './errors.ts';
import { linkGuard } from './link-guard.ts';
import { previewRoute, readerPreviewRoute } from './preview/route.ts';
import { DEFAULT_RATE_LIMITS, rateLimiters, type RateLimitSettings } from './rate-limits.ts';
import { ARCHIVE_PAGE_SIZE, archiveRoutes } from './routes/archive.ts';
import { confirmRoutes } from './routes/confirm.ts';
import { deleteMeRoutes } from './routes/delete-me.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { feedRoutes } from './routes/feeds.ts';
import { learnedRoutes } from './routes/learned.ts';
import type { PagesContext } from './routes/context.ts';
import { preferencesRoutes } from './routes/preferences.ts';
import { preferencesLinkRoutes } from './routes/preferences-link.ts';
import { subscribeRoutes } from './routes/subscribe.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import type { Chrome } from './views/layout.ts';

export interface PagesOptions {
  /** lower them in tests, raise them for a load test */
  rateLimits?: Partial<RateLimitSettings>;
  /** e.g. a shorter confirmation lifetime or another clock in tests */
  subscriptions?: Partial<SubscriptionDeps>;
  /**
   * The loop that sends the one-off emails (serve passes the one it starts and stops). Without one,
   * the pages make their own: woken after each step, no polling (retries wait for a started loop).
   */
  mailQueue?: SubscriptionMailQueue;
  /** POST /subscribe answers no sooner than this after the request arrived (default SUBSCRIBE_ANSWER_MS) */
  subscribeAnswerMs?: number;
  /** digests on one page of a reader's archive (default ARCHIVE_PAGE_SIZE) */
  archivePageSize?: number;
}

export function pagesRouter(ctx: WebContext, options: PagesOptions = {}): Router {
  const chrome: Chrome = { assets: loadAssets(), productName: PRODUCT_NAME };
  const limits = rateLimiters({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits }, (req, res) => {
    if (req.path.startsWith('/api/')) {
      res
        .status(429)
        .set('Cache-Control', 'no-store')
        .json({ error: { code: 'RATE_LIMITED', message: 'too many previews: wait a little' } });
      return;
    }
    sendMessage(chrome, res, 429, 'RATE_LIMITED');
  });
  const deps = subscriptionDeps(ctx, options.subscriptions);
  const mailQueue = options.mailQueue ?? new SubscriptionMailQueue(deps);
  const pages: PagesContext = {
    chrome,
    deps: { ...deps, mailQueue },
    limits,
    ...(options.subscribeAnswerMs !== undefined ? { subscribeAnswerMs: options.subscribeAnswerMs } : {}),
  };
  const router = Router();
  router.use(markPagesRequest);
  // every answer carries only the links its own link may hand out (security/capabilities.ts)
  router.use(linkGuard(ctx.tokens, ctx.log));
  router.get('/assets/:file', chrome.assets.handler);
  router.get('/api/preview', limits.preview, previewRoute(ctx.preview));
  // the preferences page's: one reader's ranking, with their preferences link only (capabilities.ts)
  router.get('/api/preferences/preview', limits.preview, readerPreviewRoute(ctx.preview, pages.deps));
  subscribeRoutes(router, pages);
  confirmRoutes(router, pages);
  const preferencesWithNotice = preferencesRoutes(router, pages);
  deleteMeRoutes(router, pages);
  feedbackRoutes(router, pages, preferencesWithNotice);
  learnedRoutes(router, pages, preferencesWithNotice);
  unsubscribeRoutes(router, pages);
  preferencesLinkRoutes(router, pages);
  archiveRoutes(router, pages, {
    // the archive's own cache of prepared digests, built by the composition root beside the sender's
    renderers: ctx.archiveRenderers,
    pageSize: options.archivePageSize ?? ARCHIVE_PAGE_SIZE,
  });
  feedRoutes(router, pages, ctx.feeds);
  // A mistyped address in a browser gets a page, not the API's JSON 404 (which everything else keeps).
  router.get(/.*/, (req, res, next) => {
    if (!/\btext\/html\b/.test(req.headers.accept ?? '') || /^\/(admin|api|metrics|healthz)(\/|$)/.test(req.path)) return next();
    sendMessage(chrome, res, 404, 'NOT_FOUND');
  });
  router.use(pageErrorHandler(chrome, ctx.log));
  return router;
}
