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
import { alreadyConfirmedPage, confirmedPage, confirmPage } from '../views/links.ts';
import { pageLinks } from '../page-links.ts';
import type { PagesContext } from './context.ts';

export function confirmRoutes(router: Router, { chrome, deps }: PagesContext): void {
  const preferences = (id: number) => pageLinks(deps, 'confirm', id).preferences();

  router.get('/confirm', async (req, res) => {
    const token = tokenParam(req);
    const link = await checkConfirmLink(deps, token);
    if (link.kind === 'already-active') return sendPage(res, 200, alreadyConfirmedPage(chrome, link.subscriber, preferences(link.subscriber.id)));
    sendPage(res, 200, confirmPage(chrome, token!, link.subscriber));
  });

  router.post('/confirm', ...formBody(), async (req, res) => {
    const link = await confirmSubscription(deps, tokenParam(req));
    const page = link.kind === 'already-active' ? alreadyConfirmedPage : confirmedPage;
    sendPage(res, 200, page(chrome, link.subscriber, preferences(link.subscriber.id)));
  });
}
