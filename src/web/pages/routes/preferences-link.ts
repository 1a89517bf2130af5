// "Email me my preferences link", offered by the pages a read link opens (the archive, the web view):
//   GET /preferences-link?token=<archive>    a page with one button (opening it changes nothing)
//   POST /preferences-link?token=<archive>   queues the reader's preferences link to the reader's own
//                                            stored address (subscriptions/preferences-link.ts), then
//                                            303 to the answer: the same page, no sooner than the
//                                            answer floor, whatever the address's state and whether
//                                            anything was queued (rate limited per client and per address)
import { setTimeout as sleep } from 'node:timers/promises';
import type { Router } from 'express';
import { askForPreferencesLink } from '../../../subscriptions/preferences-link.ts';
import { readLink } from '../../../subscriptions/read-link.ts';
import { formBody, tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { pageLinks } from '../page-links.ts';
import { preferencesLinkAskedPage, preferencesLinkPage } from '../views/preferences-link.ts';
import type { PagesContext } from './context.ts';
import { SUBSCRIBE_ANSWER_MS } from './subscribe.ts';

export function preferencesLinkRoutes(router: Router, { chrome, deps, limits, subscribeAnswerMs = SUBSCRIBE_ANSWER_MS }: PagesContext): void {
  router.get('/preferences-link', async (req, res) => {
    const { subscriber } = await readLink(deps, tokenParam(req), 'archive');
    const links = pageLinks(deps, 'archive', subscriber.id);
    const view = { email: subscriber.email, archiveUrl: links.archive() };
    if (req.query.asked === '1') return sendPage(res, 200, preferencesLinkAskedPage(chrome, view));
    sendPage(res, 200, preferencesLinkPage(chrome, { ...view, action: links.preferencesLinkForm() }));
  });

  router.post('/preferences-link', limits.preferencesLink, ...formBody(), async (req, res) => {
    const answerAt = performance.now() + subscribeAnswerMs;
    let subscriberId: number;
    try {
      // whatever the form carries (an `email` field, say) is never read: the link names the reader
      subscriberId = (await askForPreferencesLink(deps, tokenParam(req))).subscriber.id;
    } finally {
      await sleep(Math.max(0, answerAt - performance.now()));
    }
    // POST-redirect-GET: a reload shows the answer again instead of asking again
    res.redirect(303, `${pageLinks(deps, 'archive', subscriberId).preferencesLinkForm()}&asked=1`);
  });
}
