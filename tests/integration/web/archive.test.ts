// The reader's space on a real PostgreSQL and a real SMTP server: every digest email links to its
// web view (the same HTML, by the same renderer, from the frozen digest) and to the reader's archive
// (what they were actually sent, newest first, paged); bad, foreign and wrong-purpose links refused.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import { addSubscribers } from '../../support/app.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import type { SinkMessage } from '../../support/smtp-sink.ts';
import { footerLink, item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { LEAKS } from './support.ts';

describe('web view and archive (PostgreSQL, SMTP)', () => {
  let w: ReaderWorld;
  let ada: Subscriber;
  let bob: Subscriber;
  const digests: number[] = [];
  const mailsTo = (who: string): SinkMessage[] => w.sink.messages.filter((m) => m.envelope.to.includes(who));

  beforeAll(async () => {
    w = await startReaderWorld({ archivePageSize: 2 });
    [ada, bob] = (await addSubscribers(w.app, [
      ['ada@example.org', ['scaling laws']],
      ['bob@example.org', ['diffusion']],
    ])) as [Subscriber, Subscriber];
    const days = ['2026-06-08', '2026-06-09', '2026-06-10'];
    for (const [n, day] of days.entries()) {
      await w.ingest(day, [
        item(`2606.0010${n}`, `Scaling Laws, Day ${n + 1}`, 'New scaling laws for sparse mixtures.', day),
        item(`2606.0020${n}`, `Diffusion Models, Day ${n + 1}`, 'Diffusion all the way down.', day),
      ]);
      digests.push(await w.digestAndSend());
    }
    await w.sink.waitFor(6);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('every digest email links to its web view and to the archive, in both parts', () => {
    const mails = mailsTo('ada@example.org');
    expect(mails).toHaveLength(3);
    for (const mail of mails) {
      expect(footerLink(mail, 'View in your browser')).toMatch(/^\/archive\/\d+\?token=a\./);
      expect(footerLink(mail, 'Your archive')).toMatch(/^\/archive\?token=a\./);
      expect(mail.parsed.html).toMatch(/<a [^>]*href="https:\/\/papers\.example\.org\/archive\/\d+\?token=a\.[^"]+"[^>]*>View in your browser<\/a>/);
      expect(mail.parsed.html).toMatch(/>Your archive<\/a>/);
    }
  });

  it('the web view is the email itself, rendered by the same renderer from the frozen digest', async () => {
    const mail = mailsTo('ada@example.org')[2]!;
    const view = footerLink(mail, 'View in your browser');
    const res = await request(w.web).get(view).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
    // the same bytes as the email's HTML, but the link to itself and every link that changes something
    // (it is opened with a read link): where the footer's were, a line that says they are in the email
    const emailHtml = mail.parsed.html as string;
    const changeLinks = /<a [^>]*>Manage preferences<\/a>&nbsp;·&nbsp;<a [^>]*>Unsubscribe<\/a>/.exec(emailHtml)![0];
    const inYourInbox =
      /This is the web view: it only reads\. Your links to manage preferences, unsubscribe and say which papers fit are in the email itself, in your own inbox\. Not at hand\? <a [^>]*href="([^"]+)"[^>]*>Email me my preferences link<\/a>/.exec(
        res.text,
      )!;
    expect(inYourInbox[1]).toMatch(/^https:\/\/papers\.example\.org\/preferences-link\?token=a\./);
    const readOnly = emailHtml
      .replace(/<a [^>]*>View in your browser<\/a>&nbsp;·&nbsp; /, '')
      .replace(/<a [^>]*>Which papers fit\?<\/a>&nbsp;·&nbsp; /, '')
      .replaceAll(/<p class="feedback"[^>]*>.*?<\/p>/g, '')
      .replace(changeLinks, inYourInbox[0]);
    expect(emailHtml).toMatch(/<p class="feedback"/);
    expect(res.text).toBe(readOnly);
    expect(res.text).not.toMatch(/token=[cpuk]\./);
    expect(res.text).toContain('Scaling Laws, Day 3');
    expect(res.text).not.toMatch(/<script/i);

    // frozen: a paper renamed since does not change it
    await w.app.ctx.db.prisma.paper.update({ where: { arxivId: '2606.00102' }, data: { title: 'Renamed Later' } });
    const again = await request(w.web).get(view).expect(200);
    expect(again.text).toBe(res.text);
  });

  it('the archive: what was sent, newest first, paged, every paper with the topic that caught it', async () => {
    const first = await request(w.web)
      .get(footerLink(mailsTo('ada@example.org')[0]!, 'Your archive'))
      .expect(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.text).toContain('<meta name="robots" content="noindex, nofollow">');
    const days = [...first.text.matchAll(/<h2 class="archive-day"><a href="(\/archive\/\d+\?token=[^"]+)">([^<]+)<\/a>/g)];
    expect(days.map((d) => d[2])).toEqual(['June 10, 2026', 'June 9, 2026']);
    expect(first.text).toMatch(/Scaling Laws, Day 3<\/a>\s*<ul class="chips" aria-label="Topics"><li class="chip">scaling laws<\/li><\/ul>/);
    expect(first.text).not.toContain('Diffusion Models'); // bob's papers, not hers
    const older = /<a href="([^"]+)" rel="next">Older digests<\/a>/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    expect(older).toContain(`&before=${digests[1]}`);
    const second = await request(w.web).get(older).expect(200);
    expect([...second.text.matchAll(/class="archive-day"><a [^>]+>([^<]+)</g)].map((d) => d[1])).toEqual(['June 8, 2026']);
    expect(second.text).not.toContain('rel="next"');
    expect(second.text).toContain('>Newest digests</a>');
    // each entry opens its web view
    await request(w.web).get(days[1]![1]!.replaceAll('&amp;', '&')).expect(200);
  });

  it('lists only what was sent: a failed or queued delivery is not in the archive, and has no web view', async () => {
    const sent = await w.app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { subscriberId: ada.id, digestId: digests[0] } });
    await w.app.ctx.db.prisma.delivery.update({ where: { id_digestId: { id: sent.id, digestId: sent.digestId } }, data: { status: 'failed' } });
    try {
      const token = w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: ada.id });
      const page = await request(w.web).get(`/archive?token=${token}&before=${digests[1]}`).expect(200);
      expect(page.text).toContain('No older digests.');
      await request(w.web).get(`/archive/${sent.id}?token=${token}`).expect(404);
    } finally {
      await w.app.ctx.db.prisma.delivery.update({ where: { id_digestId: { id: sent.id, digestId: sent.digestId } }, data: { status: 'sent' } });
    }
  });

  it("refuses forged, damaged and wrong-purpose tokens (400) and another reader's digest (404), changing nothing", async () => {
    const before = await tableFingerprint(w.app.ctx.db.prisma);
    const good = w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: ada.id });
    const bobsDelivery = await w.app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { subscriberId: bob.id } });
    const adasDelivery = await w.app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { subscriberId: ada.id } });
    const cases: Array<[string, number, RegExp]> = [
      ['/archive', 400, /This link is incomplete/],
      [`/archive?token=${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`, 400, /didn&#39;t send this link/],
      [`/archive?token=${good.replace(/^a\.[0-9a-z]+\./, `a.${bob.id.toString(36)}.`)}`, 400, /didn&#39;t send this link/],
      [`/archive?token=${w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: ada.id })}`, 400, /belongs to another page/],
      [`/archive/${adasDelivery.id}?token=${w.app.ctx.tokens.sign({ purpose: 'unsubscribe', subscriberId: ada.id })}`, 400, /belongs to another page/],
      [`/archive?token=${w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: 999_999 })}`, 410, /no longer exists/],
      [
        `/archive?token=${w.app.ctx.tokens.sign({ purpose: 'archive', subscriberId: ada.id, expiresAt: Math.floor(Date.now() / 1000) - 60 })}`,
        410,
        /This link has expired/,
      ],
      [`/archive/${bobsDelivery.id}?token=${good}`, 404, /Page not found/],
      [`/archive/99999999?token=${good}`, 404, /Page not found/],
      [`/archive/12abc?token=${good}`, 404, /Page not found/],
      [`/archive?token=${good}&before=x`, 400, /couldn&#39;t read that request/],
      [`/preferences?token=${good}`, 400, /belongs to another page/],
    ];
    for (const [url, status, says] of cases) {
      const res = await request(w.web).get(url);
      expect(res.status, url).toBe(status);
      expect(res.text, url).toMatch(says);
      expect(res.text).not.toMatch(LEAKS);
    }
    expect(await tableFingerprint(w.app.ctx.db.prisma)).toEqual(before);
  });

  it('the preferences page links to the archive', async () => {
    const prefs = await request(w.web)
      .get(`/preferences?token=${w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: ada.id })}`)
      .expect(200);
    const link = /<a href="(\/archive\?token=a\.[^"]+)">Your archive<\/a>/.exec(prefs.text);
    expect(link).not.toBeNull();
    await request(w.web).get(link![1]!).expect(200);
  });
});
