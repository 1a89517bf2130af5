// The feeds, with HTTP caching (ETag, Last-Modified, 304 on If-None-Match / If-Modified-Since):
//   GET /feeds/mine.atom?token=…   a reader's Atom feed (signed `feed` link, shown on preferences)
//   GET /feeds/mine.json?token=…   the same as JSON Feed
//   GET /feeds/new-papers.atom     the public feed of every new paper of the listing
// A reader's feed works whatever their email frequency ("feed only" included) while the subscription
// is active; once it is not, 410 Gone, which tells feed readers to stop asking. A feed URL is a read
// link that lives in feed readers and gets shared: the feed links to nothing of the reader's but
// itself (its home page is the public subscribe page, not the archive).
import type { Request, Response, Router } from 'express';
import type { FeedFormat, FeedResponse, FeedService } from '../../../feeds/feed-service.ts';
import { readLink } from '../../../subscriptions/read-link.ts';
import { HttpError } from '../../http-errors.ts';
import { tokenParam } from '../body.ts';
import type { PagesContext } from './context.ts';

const TYPES: Record<FeedFormat, string> = { atom: 'application/atom+xml; charset=utf-8', json: 'application/feed+json; charset=utf-8' };

/** A reader's feed URLs (absolute: they go into a feed reader). */
function readerFeedUrls(baseUrl: string, token: string): { atom: string; json: string } {
  const t = encodeURIComponent(token);
  return { atom: `${baseUrl}/feeds/mine.atom?token=${t}`, json: `${baseUrl}/feeds/mine.json?token=${t}` };
}

export function feedRoutes(router: Router, { deps }: PagesContext, feeds: FeedService): void {
  for (const format of ['atom', 'json'] as const) {
    router.get(`/feeds/mine.${format}`, async (req, res) => {
      const token = tokenParam(req);
      const { subscriber } = await readLink(deps, token, 'feed');
      if (subscriber.status !== 'active') throw new HttpError(410, 'FEED_GONE', `the subscription is ${subscriber.status}`);
      const feed = await feeds.readerFeed(subscriber, format, readerFeedUrls(deps.baseUrl, token!));
      await send(req, res, feed, format, 'private, no-cache');
    });
  }

  router.get('/feeds/new-papers.atom', async (req, res) => {
    await send(req, res, await feeds.publicFeed(), 'atom', 'public, no-cache');
  });
}

async function send(req: Request, res: Response, feed: FeedResponse, format: FeedFormat, cache: string): Promise<void> {
  res.set({
    'Content-Type': TYPES[format],
    'Cache-Control': cache,
    ETag: feed.etag,
    'Last-Modified': feed.lastModified.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
  });
  if (cache.startsWith('private')) res.set('X-Robots-Tag', 'noindex, nofollow');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.status(200).send(await feed.body());
}
