// The reader's space, read with the signed `archive` link of every digest (no login):
//   GET /archive?token=…[&before=<digest>]   the digests they were sent, newest first, paged
//   GET /archive/:delivery?token=…           the web view of one digest: THE email, rendered by the
//                                             email's own renderer from the frozen digest, without
//                                             its links that change something
// A delivery of someone else, or one that never left, is 404 whatever the token. An archive link is
// a read link (forwarded with a "View in your browser", shared): these pages hand out read links
// only (page-links.ts), and offer "email me my preferences link" instead (preferences-link.ts). They
// look the same whatever the state of the subscription.
import type { Router } from 'express';
import { archiveVersion, DeliveryPapersCache, archivePage as loadArchivePage, viewableDelivery } from '../../../db/archive.ts';
import { latestPaperFeedback } from '../../../db/feedback.ts';
import { renderDelivery, type DigestRenderers } from '../../../deliver/digest-renderers.ts';
import { readLink } from '../../../subscriptions/read-link.ts';
import { HttpError } from '../../http-errors.ts';
import { tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { archivePage } from '../views/archive.ts';
import { SAID } from '../views/feedback.ts';
import { pageLinks } from '../page-links.ts';
import type { PagesContext } from './context.ts';

/** Digests on one page of the archive. */
export const ARCHIVE_PAGE_SIZE = 10;

/** rendered archive pages kept (each some tens of kB) */
const KEEP_PAGES = 200;

/**
 * The email's HTML has its styles inline (as every mail client needs) and no script: the web view
 * allows inline styles and https images, and nothing else.
 */
const WEB_VIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function archiveRoutes(router: Router, { chrome, deps }: PagesContext, { renderers, pageSize }: { renderers: DigestRenderers; pageSize: number }): void {
  const papers = new DeliveryPapersCache(deps.sql);
  // rendered pages, by everything they show: a reader reloading their archive costs one small query
  const pages = new Map<string, string>();
  router.get('/archive', async (req, res) => {
    const token = tokenParam(req);
    const { subscriber } = await readLink(deps, token, 'archive');
    const before = pageParam(req.query.before);
    const key = [token, before, subscriber.email, await archiveVersion(deps.sql, subscriber.id)].join('\u0000');
    const kept = pages.get(key);
    if (kept !== undefined) return sendPage(res, 200, kept);
    const page = await loadArchivePage(deps.sql, papers, subscriber.id, { limit: pageSize, before });
    const said = await latestPaperFeedback(
      deps.sql,
      subscriber.id,
      page.items.flatMap((d) => d.papers.map((p) => p.paperId)),
    );
    const own = `/archive?token=${encodeURIComponent(token!)}`;
    const html = archivePage(chrome, {
      email: subscriber.email,
      page,
      first: before === null,
      archiveUrl: own,
      preferencesLinkUrl: pageLinks(deps, 'archive', subscriber.id).preferencesLinkForm(),
      viewUrl: (id) => `/archive/${id}?token=${encodeURIComponent(token!)}`,
      feedback: new Map([...said].map(([paperId, kind]) => [paperId, SAID[kind]])),
    });
    if (pages.size >= KEEP_PAGES) pages.delete(pages.keys().next().value!);
    pages.set(key, html);
    sendPage(res, 200, html);
  });

  router.get('/archive/:delivery', async (req, res) => {
    const { subscriber } = await readLink(deps, tokenParam(req), 'archive');
    const id = /^\d{1,9}$/.test(req.params.delivery ?? '') ? Number(req.params.delivery) : null;
    const delivery = id === null ? null : await viewableDelivery(deps.prisma, subscriber.id, id);
    if (!delivery) throw new HttpError(404, 'NOT_FOUND', 'no such digest for this reader');
    const prepared = await renderers.get(delivery.digestId);
    const links = pageLinks(deps, 'archive', subscriber.id);
    const email = renderDelivery(
      prepared,
      subscriber.email,
      delivery.papers,
      { inYourInbox: { preferencesLinkUrl: links.preferencesLinkForm({ absolute: true }) } },
      [{ label: 'Your archive', url: `${deps.baseUrl}${links.archive()}` }],
      { frequency: subscriber.frequency, weeklyDay: subscriber.weeklyDay },
    );
    res.set({ 'Content-Security-Policy': WEB_VIEW_CSP, 'X-Robots-Tag': 'noindex, nofollow' });
    sendPage(res, 200, email.html);
  });
}

/** `before` of the archive's pager: a digest id, or the newest page. */
function pageParam(value: unknown): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw new HttpError(400, 'BAD_REQUEST', 'before is a digest id');
  return Number(value);
}
