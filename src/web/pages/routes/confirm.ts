// GET /confirm?token=… shows a page with a button; the button POSTs to the same URL, and only the
// POST confirms. Why not confirm on the GET: mail security scanners (Microsoft Safe Links,
// corporate gateways, antivirus) and link previews fetch every link in an email before the reader
// sees it. A confirming GET would let a machine complete the double opt-in for an address whose
// owner never asked: exactly what double opt-in exists to prevent. Scanners do not submit forms.
// The cost is one click. The GET already checks the link, so a dead link says so at once.
import type { Router } from 'express';
import { checkConfirmLink, confirmSubscription } from '../../../subscriptions/confirm.ts';
import { formBody, tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { confirmedPage, confirmPage } from '../views/links.ts';
import { pageLink, type PagesContext } from './context.ts';

export function confirmRoutes(router: Router, { chrome, deps }: PagesContext): void {
  router.get('/confirm', async (req, res) => {
    const token = tokenParam(req);
    const subscriber = await checkConfirmLink(deps, token);
    sendPage(res, 200, confirmPage(chrome, token!, subscriber));
  });

  router.post('/confirm', ...formBody(), async (req, res) => {
    const subscriber = await confirmSubscription(deps, tokenParam(req));
    const preferences = pageLink('/preferences', deps.tokens.sign({ purpose: 'preferences', subscriberId: subscriber.id }));
    sendPage(res, 200, confirmedPage(chrome, subscriber, preferences));
  });
}
