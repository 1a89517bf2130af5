// Feedback from the email on a real PostgreSQL: the digest's link opens a page (a GET changes
// nothing: mail scanners follow links) whose buttons POST "more like this", "not relevant" or "mute
// this topic"; every event is stored and shown in the archive; a muted topic catches nothing in the
// next digest and the feed until restored on the preferences page; bad links refused, nothing changed.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { addSubscribers } from '../../support/app.ts';
import { parseFeed } from '../../support/feeds.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { footerLink, item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { form, LEAKS } from './support.ts';
import type { SinkMessage } from '../../support/smtp-sink.ts';

describe('feedback from the email (PostgreSQL, SMTP)', () => {
  let w: ReaderWorld;
  let ada: Subscriber;
  let bob: Subscriber;
  let page = '';
  let adaMail: SinkMessage;
  let scalingId = 0;
  let diffusionId = 0;
  const prisma = () => w.app.ctx.db.prisma;
  const post = (fields: Record<string, string>, url = page) => request(w.web).post(url).type('form').send(form(fields));

  beforeAll(async () => {
    w = await startReaderWorld({ feeds: { recentMs: 0 } });
    [ada, bob] = (await addSubscribers(w.app, [
      ['ada@example.org', ['scaling laws', 'diffusion']],
      ['bob@example.org', ['diffusion']],
    ])) as [Subscriber, Subscriber];
    await w.ingest('2026-06-08', [
      item('2606.00100', 'Scaling Laws Revisited', 'New scaling laws.', '2026-06-08'),
      item('2606.00200', 'Diffusion Everywhere', 'Diffusion all the way down.', '2026-06-08'),
    ]);
    await w.digestAndSend();
    const [mail] = (await w.sink.waitFor(2)).filter((m) => m.envelope.to.includes('ada@example.org'));
    adaMail = mail!;
    page = footerLink(mail!, 'Which papers fit\\?');
    expect(page).toMatch(/^\/feedback\/\d+\?token=k\./);
    scalingId = (await prisma().paper.findUniqueOrThrow({ where: { arxivId: '2606.00100' } })).id;
    diffusionId = (await prisma().paper.findUniqueOrThrow({ where: { arxivId: '2606.00200' } })).id;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('the link opens a page with a button per choice; opening it changes nothing', async () => {
    const before = await tableFingerprint(prisma());
    const res = await request(w.web).get(page).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('Scaling Laws Revisited');
    expect(res.text).toContain('Diffusion Everywhere');
    expect(res.text).toContain(`<input type="hidden" name="kind" value="more_like_this">`);
    expect(res.text).toContain(`<input type="hidden" name="paper" value="${scalingId}">`);
    expect(res.text).toContain(`<input type="hidden" name="topic" value="diffusion">`);
    // a per-paper link asks first, with its one button
    const asked = await request(w.web).get(`${page}&paper=${diffusionId}&kind=not_relevant`).expect(200);
    expect(asked.text).toContain(
      'Mark <strong>Diffusion Everywhere</strong> as not relevant? Papers like this go to the end of your next digests, under “Probably not for you”.',
    );
    const askedMore = await request(w.web).get(`${page}&paper=${scalingId}&kind=more_like_this`).expect(200);
    expect(askedMore.text).toContain('Mark <strong>Scaling Laws Revisited</strong> as more like this? Papers like this come first in your next digests.');
    // the page says what each button does, and where a mark is undone (the reader's own preferences link)
    expect(res.text).toContain(
      '<li><strong>Not relevant</strong>: papers like this go to the end of your next digests, under “Probably not for you”, never left out.</li>',
    );
    expect(res.text).toMatch(/You can undo any mark on <a href="\/preferences\?token=p\.[^"]+">your preferences page<\/a>/);
    expect(await tableFingerprint(prisma())).toEqual(before);
  });

  it('every paper of the email has its own "More like this · Not relevant" links (HTML and text), which ask before storing', async () => {
    const before = await tableFingerprint(prisma());
    const html = adaMail.parsed.html || '';
    for (const id of [scalingId, diffusionId]) {
      for (const [kind, label] of [
        ['more_like_this', 'More like this'],
        ['not_relevant', 'Not relevant'],
      ] as const) {
        const link = new RegExp(
          `<a class="feedback-link"[^>]* href="[^"]*(/feedback/\\d+\\?token=[^"&]+&amp;paper=${id}&amp;kind=${kind})"[^>]*>${label}</a>`,
        ).exec(html);
        expect(link, `${label} for paper ${id}`).not.toBeNull();
        const res = await request(w.web).get(link![1]!.replace(/&amp;/g, '&')).expect(200);
        expect(res.text).toContain(`as ${kind === 'more_like_this' ? 'more like this' : 'not relevant'}?`);
      }
      expect(adaMail.parsed.text).toMatch(new RegExp(`More like this, or not relevant\\? \\S+/feedback/\\d+\\?token=\\S+&paper=${id}#paper-${id}`));
    }
    expect(await tableFingerprint(prisma())).toEqual(before);
  });

  it('stores every event (reader, paper, kind, time) and shows the latest in the archive', async () => {
    const more = await post({ kind: 'more_like_this', paper: String(scalingId) }).expect(200);
    // what the click does, as src/relevance/rank.ts does it, and where to undo it
    expect(more.text).toContain(
      'Noted “Scaling Laws Revisited” as more like this: papers like this come first in your next digests. You can undo it on your preferences page.',
    );
    const less = await post({ kind: 'not_relevant', paper: String(diffusionId) }).expect(200);
    expect(less.text).toContain(
      'Noted “Diffusion Everywhere” as not relevant: papers like this go to the end of your next digests, under “Probably not for you”.',
    );
    await post({ kind: 'more_like_this', paper: String(diffusionId) }).expect(200); // changed their mind
    const events = await prisma().feedback.findMany({ where: { subscriberId: ada.id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.paperId, e.kind, e.topic])).toEqual([
      [scalingId, 'more_like_this', 'scaling laws'],
      [diffusionId, 'not_relevant', 'diffusion'],
      [diffusionId, 'more_like_this', 'diffusion'],
    ]);
    expect(events.every((e) => e.at instanceof Date && e.deliveryId !== null)).toBe(true);
    expect(w.app.captured.events('feedback.recorded')).toHaveLength(3);
    const archive = await request(w.web)
      .get(`/archive?token=${w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: ada.id })}`)
      .expect(200);
    expect(archive.text.match(/You said: more like this/g)).toHaveLength(2);
  });

  it('mute a topic: nothing of it in the next digest nor the feed, until restored on the preferences page', async () => {
    const feedUrl = `/feeds/mine.atom?token=${w.app.ctx.tokens.sign({ purpose: 'feed', subscriberId: ada.id })}`;
    const feedBefore = await request(w.web).get(feedUrl).expect(200);
    expect(parseFeed(feedBefore.text).items.map((i) => i.title)).toContain('Diffusion Everywhere');

    const muted = await post({ kind: 'mute_topic', topic: 'diffusion' }).expect(200);
    expect(muted.text).toContain('Muted “diffusion”: it catches nothing, in your emails and your feed, until you restore it on your preferences page.');
    expect(await prisma().subscriber.findUniqueOrThrow({ where: { id: ada.id } })).toMatchObject({
      topics: ['scaling laws', 'diffusion'],
      mutedTopics: ['diffusion'],
    });
    expect((await post({ kind: 'mute_topic', topic: 'diffusion' }).expect(200)).text).toContain('was already muted');
    expect(await prisma().feedback.count({ where: { subscriberId: ada.id, kind: 'mute_topic' } })).toBe(1);

    const feed = await request(w.web).get(feedUrl).set('If-None-Match', feedBefore.headers.etag!).expect(200);
    expect(parseFeed(feed.text).items.map((i) => i.title)).not.toContain('Diffusion Everywhere');
    expect(feed.text).toContain('Scaling Laws Revisited');

    await w.ingest('2026-06-09', [
      item('2606.00201', 'More Diffusion', 'Diffusion again.', '2026-06-09'),
      item('2606.00101', 'Scaling Laws Again', 'Scaling laws.', '2026-06-09'),
    ]);
    const planned: Array<[number, number[]]> = [];
    await buildDigest(digestDeps(w.app.ctx), { dryRun: true, onPlan: (p) => planned.push([p.subscriberId, p.papers.map((x) => x.paperId)]) });
    const adas = planned.find(([id]) => id === ada.id)![1];
    const more = await prisma().paper.findUniqueOrThrow({ where: { arxivId: '2606.00201' } });
    expect(adas).not.toContain(more.id);
    expect(planned.find(([id]) => id === bob.id)![1]).toContain(more.id); // bob's own topic is his

    const prefsUrl = `/preferences?token=${w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: ada.id })}`;
    const prefs = await request(w.web).get(prefsUrl).expect(200);
    expect(prefs.text).toContain('Muted topics');
    // shown muted in the topics box too (still one of the topics), and marked in the preview
    expect(prefs.text).toMatch(
      /<p class="topics-muted" id="topics-muted"><span class="pill pill-muted">Muted<\/span> <span class="chip chip-muted">diffusion<\/span> stays in your topics and catches nothing, in emails and your feed, until you <a href="#muted-heading">restore it<\/a>\.<\/p>/,
    );
    expect(prefs.text).toContain('data-muted="[&quot;diffusion&quot;]"');
    const restoreUrl = /<form method="post" action="([^"]+)" class="inline-action">\s*<input type="hidden" name="topic" value="diffusion">/
      .exec(prefs.text)![1]!
      .replaceAll('&amp;', '&');
    const restored = await request(w.web)
      .post(restoreUrl)
      .type('form')
      .send(form({ topic: 'diffusion' }))
      .expect(200);
    expect(restored.text).toContain('Restored “diffusion”: it catches papers again.');
    expect(restored.text).not.toContain('Muted topics');
    expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: ada.id } })).mutedTopics).toEqual([]);
    expect(await prisma().feedback.count({ where: { subscriberId: ada.id, kind: 'restore_topic', topic: 'diffusion' } })).toBe(1);
    expect((await request(w.web).get(feedUrl).expect(200)).text).toContain('Diffusion Everywhere');
  });

  it("refuses forged and wrong-purpose links (400), what is not this reader's (404), unknown choices (400), changing nothing", async () => {
    const before = await tableFingerprint(prisma());
    const adaDelivery = /\/feedback\/(\d+)/.exec(page)![1]!;
    const bobDelivery = (await prisma().delivery.findFirstOrThrow({ where: { subscriberId: bob.id } })).id;
    const good = /token=([^&]+)/.exec(page)![1]!;
    const cases: Array<[string, Record<string, string>, number]> = [
      [`/feedback/${adaDelivery}?token=${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`, { kind: 'not_relevant', paper: String(scalingId) }, 400],
      [
        `/feedback/${adaDelivery}?token=${w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: ada.id })}`,
        { kind: 'not_relevant', paper: String(scalingId) },
        400,
      ],
      [`/feedback/${adaDelivery}`, { kind: 'not_relevant', paper: String(scalingId) }, 400],
      [`/feedback/${bobDelivery}?token=${good}`, { kind: 'not_relevant', paper: String(diffusionId) }, 404],
      [`/feedback/abc?token=${good}`, { kind: 'not_relevant', paper: String(scalingId) }, 404],
      [page, { kind: 'not_relevant', paper: '999999' }, 404],
      [page, { kind: 'mute_topic', topic: 'quantum gravity' }, 404],
      [page, { kind: 'love_it', paper: String(scalingId) }, 400],
      [page, { kind: 'mute_topic' }, 400],
      [`/preferences/restore-topic?token=${good}`, { topic: 'diffusion' }, 400],
    ];
    for (const [url, fields, status] of cases) {
      const res = await post(fields, url);
      expect(res.status, `${url} ${JSON.stringify(fields)}`).toBe(status);
      expect(res.text).not.toMatch(LEAKS);
    }
    for (const url of [
      `/feedback/${bobDelivery}?token=${good}`,
      `/feedback/${adaDelivery}?token=${w.app.ctx.tokens.sign({ purpose: 'unsubscribe', subscriberId: ada.id })}`,
    ]) {
      expect((await request(w.web).get(url)).status).toBeGreaterThanOrEqual(400);
    }
    expect(await tableFingerprint(prisma())).toEqual(before);
  });
});
