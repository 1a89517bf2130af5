// The dashboard's privacy tools on a subscriber's page: "Export data" (their JSON, downloaded) and
// "Erase…" — a confirmation page saying what goes and what stays, whose button erases (the same
// action as the admin API: web/admin/privacy-actions.ts). Both forms carry the session's CSRF token.
import type { Request } from 'express';
import { z } from 'zod';
import type { OperatorContext } from '../context.ts';
import { eraseAction, exportAction } from '../admin/privacy-actions.ts';
import { HttpError } from '../http-errors.ts';
import { formValue } from '../pages/body.ts';
import type { Handler } from './dashboard.ts';
import { plural } from '../../log/plural.ts';
import { html, type Html } from '../pages/html.ts';
import { BASE, button, page, time, type Frame } from './views.ts';
import { ROW_ID_MAX } from '../../model/row-id.ts';

const id = z.coerce.number().int().positive().max(ROW_ID_MAX);

/** The subscriber page's last section. */
export function privacySection(frame: Frame, s: { id: number; status: string; erasedAt?: Date | null }): Html {
  if (s.status === 'erased')
    return html`<h2>Privacy</h2><p>Their data was erased ${time(s.erasedAt)}: no address, no topics; their deliveries are kept, anonymous, for the counts.</p>`;
  const here = `${BASE}/subscribers/${s.id}`;
  return html`<h2>Privacy</h2>
<p class="hint">A reader may ask for their data, or for it to be erased.</p>
<div class="actions">${button(frame, `${here}/export`, 'Export data (JSON)')} ${button(frame, `${here}/erase/confirm`, 'Erase…')}</div>`;
}

async function what(ctx: OperatorContext, subscriberId: number) {
  const prisma = ctx.db.prisma;
  const [deliveries, feedback, mails, reports, handed, mailed] = await Promise.all([
    prisma.delivery.count({ where: { subscriberId } }),
    prisma.feedback.count({ where: { subscriberId } }),
    prisma.subscriptionMail.count({ where: { subscriberId } }),
    prisma.inboundReport.count({ where: { subscriberId } }),
    prisma.delivery.count({ where: { subscriberId, status: 'handed' } }),
    prisma.mailedPaper.count({ where: { subscriberId } }),
  ]);
  return { deliveries, feedback, mails, reports, handed, mailed };
}

function confirmBody(frame: Frame, s: { id: number; email: string; topics: string[] }, n: Awaited<ReturnType<typeof what>>): Html {
  const gone = [
    'the address',
    s.topics.length ? plural(s.topics.length, 'topic', 'topics') : '',
    n.feedback ? `${plural(n.feedback, 'feedback mark', 'feedback marks')} (and the reader model learned from them)` : '',
    n.mails ? plural(n.mails, 'subscription email', 'subscription emails') : '',
    n.mailed ? plural(n.mailed, 'paper recorded as mailed', 'papers recorded as mailed') : '',
    n.reports ? `the recipient and diagnostic of ${plural(n.reports, 'bounce or complaint', 'bounces or complaints')}` : '',
  ].filter(Boolean);
  return html`<p>Erase everything stored about <strong>${s.email}</strong> (subscriber ${s.id})? This cannot be undone.</p>
<ul>
<li>Gone: ${gone.join(', ')}.</li>
<li>Kept, anonymous: ${plural(n.deliveries, 'delivery', 'deliveries')} (status and times, without papers, topics or address), \
so every digest's counts still add up.</li>
<li>A delivery queued for them is never sent; no later digest mails them. If they subscribe again, they are a new subscriber.</li>
</ul>
${
  n.handed
    ? html`<p class="notice error" role="alert">A digest to them is being handed to the relay right now: \
erasing is refused until its reply is in. Try again in a minute.</p>`
    : ''
}
<form method="post" action="${BASE}/subscribers/${s.id}/erase" class="inline">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" class="primary">Erase ${s.email}</button>
</form> <a href="${BASE}/subscribers/${s.id}">Cancel</a>`;
}

const subscriberId = (req: Request) => {
  const r = id.safeParse(req.params.id);
  if (!r.success) throw new HttpError(400, 'VALIDATION_FAILED', 'not a subscriber id');
  return r.data;
};

/** POST /subscribers/:id/export: their JSON, downloaded. */
export const exportData: Handler = async ({ ctx }, req, res) => {
  const data = await exportAction(ctx, { id: subscriberId(req) }, 'dashboard');
  res.set({ 'Content-Disposition': `attachment; filename="subscriber-${data.subscriber.id}.json"`, 'Cache-Control': 'no-store' }).json(data);
};

/** POST /subscribers/:id/erase/confirm: what goes and what stays, and the button that erases. */
export const eraseConfirm: Handler = async ({ ctx, view }, req, res) => {
  const s = await ctx.db.prisma.subscriber.findUnique({ where: { id: subscriberId(req) }, select: { id: true, email: true, topics: true, status: true } });
  if (!s) throw new HttpError(404, 'SUBSCRIBER_NOT_FOUND', 'no such subscriber');
  if (s.status === 'erased') throw new HttpError(410, 'SUBSCRIBER_ERASED', `subscriber ${s.id} was already erased`);
  view.send(res, 200, page(view.frame(req), 'Erase a subscriber', confirmBody(view.frame(req), s, await what(ctx, s.id))));
};

/** POST /subscribers/:id/erase (from its confirmation page). */
export const erase: Handler = async ({ ctx, view }, req, res) => {
  if (formValue(req, 'confirm') !== 'yes')
    throw new HttpError(400, 'NOT_CONFIRMED', "erase a subscriber from its confirmation page (the subscriber's page, Erase…)");
  const r = await eraseAction(ctx, { id: subscriberId(req) }, 'dashboard');
  view.done(
    req,
    res,
    `Erased subscriber ${r.subscriberId}: the address, topics, feedback and history details are gone; kept for the counts: ` +
      `${plural(r.removed.deliveriesKept, 'anonymous delivery', 'anonymous deliveries')}.`,
    `${BASE}/subscribers/${r.subscriberId}`, // its tombstone, with the notice
  );
};
