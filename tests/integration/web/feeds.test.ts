// The feeds on a real PostgreSQL: a reader's Atom and JSON Feed (the papers their topics catch, from
// the frozen digests) and the public Atom feed of the listing's new papers, read back by a maintained
// feed parser; ids that never change, rel="self", `updated` from the content; ETag and Last-Modified
// answered with 304; bad, wrong-purpose and ended feeds refused with nothing changed. Every Atom
// document is checked by a strict XML parser first (support/feeds.ts).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import { addSubscribers } from '../../support/app.ts';
import { parseFeed } from '../../support/feeds.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { BASE_URL, LEAKS } from './support.ts';

interface JsonFeed {
  version: string;
  title: string;
  feed_url: string;
  home_page_url: string;
  items: Array<{ id: string; url: string; title: string; content_html: string; date_modified: string; tags?: string[] }>;
}

describe('feeds (PostgreSQL)', () => {
  let w: ReaderWorld;
  let ada: Subscriber;
  let atomPath = '';
  let jsonPath = '';
  const prisma = () => w.app.ctx.db.prisma;
  const pathOf = (url: string) => url.slice(BASE_URL.length).replaceAll('&amp;', '&');

  beforeAll(async () => {
    // recentMs 0: every request sees the newest digests at once
    w = await startReaderWorld({ feeds: { recentMs: 0 } });
    [ada] = (await addSubscribers(w.app, [
      ['ada@example.org', ['scaling laws']],
      ['bob@example.org', ['diffusion']],
    ])) as [Subscriber];
    for (const [n, day] of ['2026-06-08', '2026-06-09'].entries()) {
      await w.ingest(day, [
        item(`2606.0010${n}`, `Scaling Laws & <Friends>, Day ${n + 1}`, 'New scaling laws ]]> for sparse mixtures.', day),
        item(`2606.0020${n}`, `Diffusion Models, Day ${n + 1}`, 'Diffusion all the way down.', day),
      ]);
      await w.digestAndSend();
    }
    // the preferences page shows the reader's feed addresses
    const prefs = await request(w.web)
      .get(`/preferences?token=${w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: ada.id })}`)
      .expect(200);
    atomPath = pathOf(/<input id="feed-atom" type="url" readonly value="([^"]+)">/.exec(prefs.text)![1]!);
    jsonPath = pathOf(/<input id="feed-json" type="url" readonly value="([^"]+)">/.exec(prefs.text)![1]!);
    expect(atomPath).toMatch(/^\/feeds\/mine\.atom\?token=f\./);
    expect(jsonPath).toMatch(/^\/feeds\/mine\.json\?token=f\./);
  });
  afterAll(async () => {
    await w?.close();
  });

  it("a reader's Atom feed: the papers their topics catch, newest first, read back by a feed parser", async () => {
    const res = await request(w.web).get(atomPath).expect(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const feed = parseFeed(res.text);
    expect(feed.meta.type).toBe('atom');
    expect(feed.title).toBe('paperboy: new papers on your topics');
    expect(feed.self).toBe(`${BASE_URL}${atomPath}`);
    expect(feed.url).toBe(`${BASE_URL}/`); // its home page: the public one (the feed links to nothing else of the reader's)
    expect(feed.items.map((i) => i.title)).toEqual(['Scaling Laws & <Friends>, Day 2', 'Scaling Laws & <Friends>, Day 1']);
    const ids = await prisma().paper.findMany({ where: { arxivId: { in: ['2606.00101', '2606.00100'] } }, orderBy: { arxivId: 'desc' } });
    expect(feed.items.map((i) => i.id)).toEqual(ids.map((p) => `tag:papers.example.org,2026:paper/${p.id}`));
    expect(feed.items[0]!.url).toBe('https://huggingface.co/papers/2606.00101');
    expect(feed.items[0]!.description).toContain('New scaling laws ]]> for sparse mixtures.'); // the text as written, CDATA unbroken
    expect(feed.items[0]!.categories.map((c) => c.term)).toEqual(['scaling laws']);
    // updated: when the newest digest was built (the content), never the clock
    const newest = await prisma().digest.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect(feed.updated?.toISOString()).toBe(newest.createdAt.toISOString());
    expect(feed.items[0]!.updated?.toISOString()).toBe(newest.createdAt.toISOString());
    expect(res.headers['last-modified']).toBe(newest.createdAt.toUTCString());
  });

  it('the same as JSON Feed, with the same ids', async () => {
    const res = await request(w.web).get(jsonPath).expect(200);
    expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = JSON.parse(res.text) as JsonFeed;
    expect(feed.version).toBe('https://jsonfeed.org/version/1');
    expect(feed.feed_url).toBe(`${BASE_URL}${jsonPath}`);
    // a feed URL is shared and kept in feed readers: its home page is the public one, never the reader's archive
    expect(feed.home_page_url).toBe(`${BASE_URL}/`);
    expect(res.text).not.toMatch(/token=(?!f\.)/);
    expect(feed.items.map((i) => i.title)).toEqual(['Scaling Laws & <Friends>, Day 2', 'Scaling Laws & <Friends>, Day 1']);
    expect(feed.items[0]!.content_html).toContain('New scaling laws ]]&gt; for sparse mixtures.');
    const atom = parseFeed((await request(w.web).get(atomPath)).text);
    expect(feed.items.map((i) => i.id)).toEqual(atom.items.map((i) => i.id));
    expect(feed.items[0]!.tags).toEqual(['scaling laws']);
  });

  it('answers 304 to If-None-Match and If-Modified-Since; a new digest or new topics change the validator; ids never change', async () => {
    const first = await request(w.web).get(atomPath).expect(200);
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await request(w.web).get(atomPath).set('If-None-Match', etag).expect(304);
    expect(again.text ?? '').toBe('');
    await request(w.web).get(atomPath).set('If-Modified-Since', first.headers['last-modified']!).expect(304);
    await request(w.web).get(atomPath).set('If-None-Match', '"something-else"').expect(200);
    const json = await request(w.web).get(jsonPath).expect(200);
    expect(json.headers.etag).not.toBe(etag); // another representation
    await request(w.web).get(jsonPath).set('If-None-Match', json.headers.etag!).expect(304);

    // a paper renamed since does not change a frozen digest's entries
    await prisma().paper.update({ where: { arxivId: '2606.00100' }, data: { title: 'Renamed Later' } });
    await request(w.web).get(atomPath).set('If-None-Match', etag).expect(304);

    await w.ingest('2026-06-10', [item('2606.00102', 'Scaling Laws, Day 3', 'More scaling laws.', '2026-06-10')]);
    await w.digestAndSend();
    const newer = await request(w.web).get(atomPath).set('If-None-Match', etag).expect(200);
    const items = parseFeed(newer.text).items;
    expect(items.map((i) => i.title)).toEqual(['Scaling Laws, Day 3', 'Scaling Laws & <Friends>, Day 2', 'Scaling Laws & <Friends>, Day 1']);
    expect(items.slice(1).map((i) => i.id)).toEqual(parseFeed(first.text).items.map((i) => i.id));

    await prisma().subscriber.update({ where: { id: ada.id }, data: { topics: ['diffusion'], updatedAt: new Date() } });
    const changed = await request(w.web).get(atomPath).set('If-None-Match', newer.headers.etag!).expect(200);
    expect(parseFeed(changed.text).items.map((i) => i.title)).toEqual(['Diffusion Models, Day 2', 'Diffusion Models, Day 1']);
    await prisma().subscriber.update({ where: { id: ada.id }, data: { topics: ['scaling laws'], updatedAt: new Date() } });
  });

  it('the public Atom feed: every new paper of the listing, no token, cached the same way', async () => {
    const res = await request(w.web).get('/feeds/new-papers.atom').expect(200);
    expect(res.headers['cache-control']).toBe('public, no-cache');
    const feed = parseFeed(res.text);
    expect(feed.self).toBe(`${BASE_URL}/feeds/new-papers.atom`);
    expect(feed.items.map((i) => i.title)).toEqual([
      'Scaling Laws, Day 3',
      'Scaling Laws & <Friends>, Day 2',
      'Diffusion Models, Day 2',
      'Scaling Laws & <Friends>, Day 1',
      'Diffusion Models, Day 1',
    ]);
    expect(new Set(feed.items.map((i) => i.id)).size).toBe(5);
    await request(w.web).get('/feeds/new-papers.atom').set('If-None-Match', res.headers.etag!).expect(304);
  });

  it('refuses forged, damaged and wrong-purpose feed links (400), an ended subscription (410), changing nothing', async () => {
    const before = await tableFingerprint(prisma());
    const good = w.app.ctx.tokens.sign({ purpose: 'feed', subscriberId: ada.id });
    for (const [url, status] of [
      ['/feeds/mine.atom', 400],
      [`/feeds/mine.atom?token=${good.slice(0, -2)}`, 400],
      [`/feeds/mine.json?token=${good.replace(/^f\.[0-9a-z]+\./, 'f.zz.')}`, 400],
      [`/feeds/mine.atom?token=${w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: ada.id })}`, 400],
      [`/archive?token=${good}`, 400],
      [`/feeds/mine.atom?token=${w.app.ctx.tokens.sign({ purpose: 'feed', subscriberId: 999_999 })}`, 410],
    ] as const) {
      const res = await request(w.web).get(url);
      expect(res.status, url).toBe(status);
      expect(res.text).not.toMatch(LEAKS);
    }
    expect(await tableFingerprint(prisma())).toEqual(before);
    await prisma().subscriber.update({ where: { id: ada.id }, data: { status: 'unsubscribed' } });
    try {
      expect((await request(w.web).get(`/feeds/mine.atom?token=${good}`).expect(410)).text).toContain('This feed has ended');
    } finally {
      await prisma().subscriber.update({ where: { id: ada.id }, data: { status: 'active' } });
    }
  });
});
