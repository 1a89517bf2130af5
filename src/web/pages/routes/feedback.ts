// GET /feedback/:delivery?token=…[&paper=…&kind=…]   the feedback page of one digest (changes nothing)
// POST /feedback/:delivery?token=…                    kind=more_like_this|not_relevant&paper=…, or kind=mute_topic&topic=…
// POST /preferences/restore-topic?token=…             topic=… (a muted topic back, from the preferences page)
import type { Request, Router } from 'express';
import { giveFeedback, openFeedback, restoreMutedTopic, type FeedbackInput, type FeedbackPage } from '../../../subscriptions/feedback.ts';
import { HttpError } from '../../http-errors.ts';
import { field, formBody, tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { feedbackPage, MARK_DOES, SAID, type FeedbackView } from '../views/feedback.ts';
import { pageLinks } from '../page-links.ts';
import type { PagesContext } from './context.ts';

const deliveryParam = (req: Request): number | null => (/^\d{1,9}$/.test(String(req.params.delivery ?? '')) ? Number(req.params.delivery) : null);

export function feedbackRoutes(router: Router, { chrome, deps, limits }: PagesContext, onRestored: (token: string, notice: string) => Promise<string>): void {
  const render = (token: string, page: FeedbackPage, extra: { notice?: string | null; asked?: ReturnType<typeof askedOf> } = {}) => {
    const links = pageLinks(deps, 'feedback', page.subscriber.id);
    return feedbackPage(chrome, {
      email: page.subscriber.email,
      action: `/feedback/${page.deliveryId}?token=${encodeURIComponent(token)}`,
      papers: page.papers,
      said: page.said,
      topics: page.subscriber.topics,
      muted: page.subscriber.mutedTopics,
      preferencesUrl: links.preferences(),
      archiveUrl: links.archive(),
      ...extra,
    });
  };

  router.get('/feedback/:delivery', async (req, res) => {
    const token = tokenParam(req);
    const page = await openFeedback(deps, token, deliveryParam(req));
    sendPage(res, 200, render(token!, page, { asked: askedOf(page, req.query.paper, req.query.kind) }));
  });

  router.post('/feedback/:delivery', limits.preferences, ...formBody(), async (req, res) => {
    const token = tokenParam(req);
    const input = feedbackInput(field(req, 'kind'), field(req, 'paper'), field(req, 'topic'));
    const page = await giveFeedback(deps, token, deliveryParam(req), input);
    const notice =
      input.kind === 'mute_topic'
        ? page.changed
          ? `Muted “${input.topic}”: it catches nothing, in your emails and your feed, until you restore it on your preferences page.`
          : `“${input.topic}” was already muted.`
        : markedNotice(input.kind, page.papers.find((p) => p.paperId === input.paperId)?.title ?? '');
    sendPage(res, 200, render(token!, page, { notice }));
  });

  router.post('/preferences/restore-topic', limits.preferences, ...formBody(), async (req, res) => {
    const token = tokenParam(req);
    const topic = field(req, 'topic');
    if (!topic) throw new HttpError(400, 'BAD_REQUEST', 'no topic');
    const { changed } = await restoreMutedTopic(deps, token, topic);
    sendPage(res, 200, await onRestored(token!, changed ? `Restored “${topic}”: it catches papers again.` : `“${topic}” was not muted.`));
  });
}

/** The confirmation of a mark: what it does, as rank.ts does it, and where to undo it. */
function markedNotice(kind: 'more_like_this' | 'not_relevant', title: string): string {
  return `Noted “${title}” as ${SAID[kind]}: ${MARK_DOES[kind].does}. You can undo it on your preferences page.`;
}

function feedbackInput(kind: string | undefined, paper: string | undefined, topic: string | undefined): FeedbackInput {
  if ((kind === 'more_like_this' || kind === 'not_relevant') && /^\d{1,9}$/.test(paper ?? '')) return { kind, paperId: Number(paper) };
  if (kind === 'mute_topic' && topic) return { kind, topic };
  throw new HttpError(400, 'BAD_REQUEST', 'unknown feedback');
}

function askedOf(page: FeedbackPage, paper: unknown, kind: unknown): FeedbackView['asked'] {
  if ((kind !== 'more_like_this' && kind !== 'not_relevant') || typeof paper !== 'string') return null;
  const found = page.papers.find((p) => String(p.paperId) === paper);
  return found ? { paper: found, kind } : null;
}
