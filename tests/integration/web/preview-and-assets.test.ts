// GET /api/preview over the seeds (PostgreSQL): the digest's matcher over the newest snapshot, new
// papers marked, ranges that land on the matched words, parse errors per line; the pages' assets;
// the security headers every page carries.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { LEAKS, startWebTestApp, type WebTestApp } from './support.ts';
import { stringMatching } from '../../support/matchers.ts';
import { errorOf } from '../../support/json-body.ts';

interface PreviewPaper {
  id: number;
  title: string;
  url: string;
  new: boolean;
  titleRanges: Array<[number, number]>;
  abstract: string;
  abstractRanges: Array<[number, number]>;
  words: string[];
}
interface Preview {
  snapshot: { id: number; capturedAt: string; papers: number; newPapers: number } | null;
  maxTopics: number;
  overLimit: boolean;
  caught: { papers: number; new: number };
  topics: Array<{
    topic: string;
    like?: { arxivId: string; title: string | null };
    total?: number;
    newTotal?: number;
    papers?: PreviewPaper[];
    error?: { code: string; message: string; column: number | null };
  }>;
}

describe('the live preview API and the assets (PostgreSQL)', () => {
  let t: WebTestApp;
  const preview = async (topics: string, status = 200) => (await request(t.web).get('/api/preview').query({ topics }).expect(status)).body as Preview;

  beforeAll(async () => {
    t = await startWebTestApp('postgres');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts a paper two topics catch once, as the digest does', async () => {
    const body = await preview('scaling laws\nscaling\nneural');
    const totals = body.topics.reduce((n, x) => n + x.total!, 0);
    const fresh = body.topics.reduce((n, x) => n + x.newTotal!, 0);
    expect(body.caught.papers).toBeGreaterThan(0);
    expect(body.caught.papers).toBeLessThan(totals); // "scaling laws" papers are all "scaling" papers
    expect(body.caught.papers).toBeGreaterThanOrEqual(Math.max(...body.topics.map((x) => x.total!)));
    expect(body.caught.new).toBeLessThan(fresh);
  });

  it('a like: line shows the papers resembling the stored paper it names, with it as the reason; one not stored catches nothing and says so', async () => {
    await t.app.ctx.db.sql.query(`UPDATE paper SET arxiv_id = '2210.14891' WHERE title = 'Broken Neural Scaling Laws'`);
    const body = await preview('like:2210.14891\nhttps://huggingface.co/papers/2412.99999');
    const [named, unknown] = body.topics;
    expect(named).toMatchObject({ topic: 'like:2210.14891', like: { arxivId: '2210.14891', title: 'Broken Neural Scaling Laws' } });
    expect(named!.total).toBeGreaterThan(0);
    for (const p of named!.papers!) {
      expect(p.title).not.toBe('Broken Neural Scaling Laws');
      expect((p as PreviewPaper & { reason: string }).reason).toBe('Like “Broken Neural Scaling Laws”');
    }
    expect(unknown).toEqual({ topic: 'like:2412.99999', like: { arxivId: '2412.99999', title: null }, total: 0, newTotal: 0, papers: [] });
    expect(body.caught.papers).toBe(named!.total);
  });

  it('answers per topic line: the papers of the newest snapshot, best first, new ones marked, with highlight ranges', async () => {
    const before = await tableFingerprint(t.app.ctx.db.prisma);
    const res = await request(t.web).get('/api/preview?topics=scaling%20laws%0Aquantum%20-gravity').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.body as Preview;
    expect(body.snapshot).toMatchObject({ capturedAt: stringMatching(/^\d{4}-06-10$/), newPapers: 10 });
    expect(body.topics.map((x) => x.topic)).toEqual(['scaling laws', 'quantum -gravity']);
    const scaling = body.topics[0]!;
    expect(scaling.total).toBeGreaterThanOrEqual(4);
    expect(scaling.papers!.length).toBeLessThanOrEqual(5);
    expect(scaling.papers!.map((p) => p.title)).toContain('Scaling Laws for Uncertainty in Deep Learning');
    const fresh = scaling.papers!.find((p) => p.title === 'Scaling Laws for Uncertainty in Deep Learning')!;
    expect(fresh.new).toBe(true);
    // the four new papers the digest mails for this topic (tests/integration/delivery/digest-send.test.ts)
    expect(scaling.newTotal).toBe(4);
    expect(
      scaling
        .papers!.filter((p) => p.new)
        .map((p) => p.title)
        .sort(),
    ).toEqual([
      'Broken Neural Scaling Laws',
      'Lying Is Just a Phase: The Hidden Alignment Transition in Language Model Scaling',
      'Particle contact dynamics as the origin for non-integer power expansion rheology in attractive suspension networks',
      'Scaling Laws for Uncertainty in Deep Learning',
    ]);
    expect(fresh.titleRanges.map(([s, e]) => fresh.title.slice(s, e).toLowerCase())).toEqual(['scaling laws']); // one mark across the space
    expect(fresh.url).toMatch(/^https:\/\/(huggingface\.co\/papers\/|arxiv\.org\/search)/);
    for (const paper of scaling.papers!) {
      for (const [s, e] of paper.abstractRanges) expect(paper.abstract.slice(s, e)).toMatch(/^(scal\w*|laws?)(\s+(scal\w*|laws?))*$/i);
    }
    // new papers first (what a digest would mail), then best first: title hits before abstract-only hits
    const order = scaling.papers!.map((p) => [Number(p.new), Number(p.titleRanges.length > 0)]);
    expect(order).toEqual([...order].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!));
    expect(order[0]).toEqual([1, 1]);
    expect(body.topics[1]!.papers!.every((p) => !/gravity/i.test(p.title + p.abstract))).toBe(true);
    expect(await tableFingerprint(t.app.ctx.db.prisma)).toEqual(before);
  });

  it('names the error of a topic that does not parse, with its column, and still previews the others', async () => {
    const body = await preview('scaling laws\nquantum "many\n-video\nOR diffusion');
    expect(body.topics[0]!.papers!.length).toBeGreaterThan(0);
    expect(body.topics[1]!.error).toMatchObject({ code: 'TOPIC_UNBALANCED_QUOTE', column: 8 });
    expect(body.topics[2]!.error).toMatchObject({ code: 'TOPIC_ONLY_EXCLUSIONS' });
    expect(body.topics[3]!.error).toMatchObject({ code: 'TOPIC_BAD_OR' });
  });

  it('trims, drops blank and repeated lines, previews at most 10 and says so, refuses more than 2,000 characters', async () => {
    expect((await preview('')).topics).toEqual([]);
    expect((await preview('  Scaling laws \n\nscaling LAWS\n')).topics.map((x) => x.topic)).toEqual(['Scaling laws']);
    const many = await preview(Array.from({ length: 12 }, (_, i) => `topic${i}`).join('\n'));
    expect(many.topics).toHaveLength(10);
    expect(many.overLimit).toBe(true);
    const tooLong = await preview('x'.repeat(2001), 400);
    expect(tooLong).toMatchObject({ error: { code: 'TOPICS_TOO_LONG' } });
    const repeated = await request(t.web).get('/api/preview?topics=a&topics=b').expect(400);
    expect(errorOf(repeated).code).toBe('BAD_REQUEST');
    expect(JSON.stringify(repeated.body)).not.toMatch(LEAKS);
  });

  it('serves the CSS, the script and the icon from memory with year-long immutable caching', async () => {
    const page = await request(t.web).get('/').expect(200);
    const urls = [...page.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      const res = await request(t.web).get(url).expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      await request(t.web).get(url).set('If-None-Match', res.headers.etag!).expect(304);
    }
    const css = urls.find((u) => u.endsWith('.css'))!;
    expect((await request(t.web).get(css)).headers['content-type']).toBe('text/css; charset=utf-8');
    await request(t.web).get('/assets/site.0000000000.css').expect(404);
    await request(t.web).get('/assets/../router.ts').expect(404);
  });

  it('every page carries the security headers and no cookie', async () => {
    for (const path of ['/', '/confirm?token=x', '/assets/nope.css']) {
      const res = await request(t.web).get(path);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await request(t.web).get('/subscribe').expect(303).expect('Location', '/');
  });

  it('an unknown address: a page for a browser, the usual JSON for anything else', async () => {
    const page = await request(t.web).get('/nope').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').expect(404);
    expect(page.text).toContain('Page not found');
    expect(errorOf(await request(t.web).get('/nope').expect(404)).code).toBe('NOT_FOUND');
    expect((await request(t.web).get('/admin/digests').set('Accept', 'text/html').expect(404)).headers['content-type']).toMatch(/json/);
  });

  it('a link can prefill the topics (escaped); a subscribe form posted from another site works (EMBED.md)', async () => {
    const page = await request(t.web).get('/').query({ topics: 'scaling laws\n</textarea><script>x</script>' }).expect(200);
    expect(page.text).toContain('>scaling laws\n&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>');
    const res = await request(t.web)
      .post('/subscribe')
      .set('Origin', 'https://blog.example.com')
      .set('Referer', 'https://blog.example.com/posts/1')
      .type('form')
      .send('email=embed%40example.org&topics=scaling+laws')
      .redirects(1) // answered 303 → the check-inbox page
      .expect(200);
    expect(res.text).toContain('Check your inbox');
    await t.sink.waitFor(1);
  });

  it('errors of routers mounted before the pages stay theirs (JSON), the pages render their own', async () => {
    const { Router } = await import('express');
    const { createWebApp } = await import('../../../src/web/app.ts');
    const { pagesRouter } = await import('../../../src/web/pages/router.ts');
    const other = Router().get('/boom', () => {
      throw new Error('boom');
    });
    const web = createWebApp(t.app.ctx, { extra: [other], pages: pagesRouter(t.app.ctx), requestLog: false });
    const res = await request(web).get('/boom').expect(500);
    expect(res.headers['content-type']).toMatch(/json/);
    expect((await request(web).get('/confirm?token=nope').expect(400)).headers['content-type']).toMatch(/html/);
  });
});
