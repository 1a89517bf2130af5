// POST /preferences/undo-mark?token=…   paper=… (a mark undone, from "What paperboy learned")
// GET  /preferences/forget?token=…      what forgetting does, with its button (changes nothing)
// POST /preferences/forget?token=…      "forget what you learned about me": every mark and the model
// Reached with the preferences link only (security/capabilities.ts), like the rest of that page.
import type { Router } from 'express';
import { forgetLearned, undoPaperMark, whatWasLearned } from '../../../subscriptions/learned.ts';
import { openPreferences } from '../../../subscriptions/preferences.ts';
import { HttpError } from '../../http-errors.ts';
import { field, formBody, tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { forgetPage } from '../views/learned.ts';
import type { PagesContext } from './context.ts';
import { notActivePage, type PreferencesWithNotice } from './preferences.ts';

export function learnedRoutes(router: Router, { chrome, deps, limits }: PagesContext, withNotice: PreferencesWithNotice): void {
  router.post('/preferences/undo-mark', limits.preferences, ...formBody(), async (req, res) => {
    const token = tokenParam(req);
    const paper = field(req, 'paper');
    if (!/^\d{1,9}$/.test(paper ?? '')) {
      await openPreferences(deps, token); // a bad link is said first, whatever the form says
      throw new HttpError(400, 'BAD_REQUEST', 'no paper');
    }
    const { marks, title } = await undoPaperMark(deps, token, Number(paper));
    const text =
      marks > 0
        ? `Undone: your mark on “${title ?? 'that paper'}” no longer counts. Your next digests are ranked from the marks that are left.`
        : 'That paper had no mark to undo.';
    sendPage(res, 200, await withNotice(token!, text));
  });

  router.get('/preferences/forget', async (req, res) => {
    const token = tokenParam(req);
    const subscriber = await openPreferences(deps, token);
    if (subscriber.status !== 'active') return sendPage(res, 200, notActivePage(chrome, deps, subscriber));
    const { totalMarks } = await whatWasLearned(deps, subscriber.id);
    sendPage(res, 200, forgetPage(chrome, token!, { email: subscriber.email, marks: totalMarks }));
  });

  router.post('/preferences/forget', limits.preferences, ...formBody(), async (req, res) => {
    const token = tokenParam(req);
    const { marks } = await forgetLearned(deps, token);
    const what = marks === 0 ? 'nothing was marked' : `your marks on ${marks === 1 ? 'one paper' : `${marks} papers`} and what was learned from them`;
    sendPage(res, 200, await withNotice(token!, `Forgotten: ${what}. Your next digests follow your topics alone until you mark papers again.`));
  });
}
