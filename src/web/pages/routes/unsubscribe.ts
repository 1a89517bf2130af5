// GET /unsubscribe?token=… is a page with a button, never an unsubscribe (scanners follow links).
// POST /unsubscribe?token=… unsubscribes: the page's button and a mail client's RFC 8058 one-click
// POST alike — body `List-Unsubscribe=One-Click` (urlencoded or multipart), no cookie, no Origin,
// no login: the signed token in the URL is the authority. 200 at once, and again when repeated.
import type { Router } from 'express';
import { canUndo, checkUnsubscribeLink, undoUnsubscribe, unsubscribe } from '../../../subscriptions/unsubscribe.ts';
import { field, formBody, tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { resubscribedPage, resubscribeExpiredPage, unsubscribedPage, unsubscribePage } from '../views/links.ts';
import { pageLinks } from '../page-links.ts';
import type { PagesContext } from './context.ts';

export function unsubscribeRoutes(router: Router, { chrome, deps }: PagesContext): void {
  const preferences = (id: number) => pageLinks(deps, 'unsubscribe', id).preferences();
  router.get('/unsubscribe', async (req, res) => {
    const token = tokenParam(req);
    const subscriber = await checkUnsubscribeLink(deps, token);
    sendPage(res, 200, unsubscribePage(chrome, token!, subscriber, preferences(subscriber.id), 200, canUndo(subscriber, deps.now())));
  });

  router.post('/unsubscribe', ...formBody({ multipart: true }), async (req, res) => {
    const token = tokenParam(req);
    if (field(req, 'List-Unsubscribe') !== 'One-Click') {
      // Not the one-click body (RFC 8058 requires it): change nothing, offer the button.
      const subscriber = await checkUnsubscribeLink(deps, token);
      return sendPage(res, 400, unsubscribePage(chrome, token!, subscriber, preferences(subscriber.id), 400));
    }
    const { subscriber, changed } = await unsubscribe(deps, token, field(req, 'from') === 'page' ? 'page' : 'one-click');
    sendPage(res, 200, unsubscribedPage(chrome, subscriber, changed, canUndo(subscriber, deps.now()) ? token! : null));
  });

  // "Subscribe again with the same topics", a button on the unsubscribed page: only the POST does it.
  router.get('/resubscribe', async (req, res) => {
    const token = tokenParam(req);
    const subscriber = await checkUnsubscribeLink(deps, token);
    if (subscriber.status === 'active') return sendPage(res, 200, resubscribedPage(chrome, subscriber, preferences(subscriber.id), false));
    sendPage(res, canUndo(subscriber, deps.now()) ? 200 : 410, unsubscribedPage(chrome, subscriber, false, canUndo(subscriber, deps.now()) ? token! : null));
  });

  router.post('/resubscribe', ...formBody(), async (req, res) => {
    const result = await undoUnsubscribe(deps, tokenParam(req));
    if (result.kind === 'expired') return sendPage(res, 410, resubscribeExpiredPage(chrome, result.subscriber));
    sendPage(res, 200, resubscribedPage(chrome, result.subscriber, preferences(result.subscriber.id), result.kind === 'restored'));
  });
}
