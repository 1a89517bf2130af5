// GET|POST /preferences/delete?token=<preferences> — the reader deletes their data. The GET asks
// (a mail scanner opening the link changes nothing); the POST, with its confirmation, erases.
import type { Router } from 'express';
import { deleteMe, openDeleteMe } from '../../../privacy/delete-me.ts';
import { field, formBody, tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { deleteMePage, goodbyePage } from '../views/delete-me.ts';
import type { PagesContext } from './context.ts';

export function deleteMeRoutes(router: Router, { chrome, deps, limits }: PagesContext): void {
  router.get('/preferences/delete', async (req, res) => {
    const token = tokenParam(req);
    const subscriber = await openDeleteMe(deps, token);
    sendPage(res, 200, deleteMePage(chrome, token!, subscriber));
  });

  router.post('/preferences/delete', limits.preferences, ...formBody(), async (req, res) => {
    const token = tokenParam(req);
    if (field(req, 'confirm') !== 'yes') return sendPage(res, 400, deleteMePage(chrome, token!, await openDeleteMe(deps, token), 'unconfirmed'));
    const result = await deleteMe(deps, token);
    if (result.kind === 'in-flight') return sendPage(res, 409, deleteMePage(chrome, token!, result.subscriber, 'in-flight'));
    sendPage(res, 200, goodbyePage(chrome, result));
  });
}
