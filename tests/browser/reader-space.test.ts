// The reader's space in Chromium at phone and desktop widths: the web view of a digest opened from
// the email's own link (the email without its links that change something, under its own strict
// CSP: no console message, nothing from elsewhere), "email me my preferences link", the archive, and
// the preferences page that links to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../src/app/deps.ts';
import { findSubscriberByEmail } from '../../src/db/subscribers.ts';
import { subscriberLinks } from '../../src/deliver/links.ts';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { addSubscribers, sendNow } from '../support/app.ts';
import { ARTIFACTS, skipWithoutChromium, screenshots, startBrowserApp, type BrowserApp, type Watched } from './support.ts';

describe.skipIf(skipWithoutChromium)("the reader's space in Chromium", () => {
  let b: BrowserApp;
  let w: Watched;
  let viewUrl = '';
  let archiveUrl = '';
  let feedbackUrl = '';
  let subscriberId = 0;

  beforeAll(async () => {
    b = await startBrowserApp();
    w = await b.context();
    const [ada] = await addSubscribers(b.app, [['ada@example.org', ['language model', 'scaling laws', 'diffusion']]]);
    subscriberId = ada!.id;
    expect((await buildDigest(digestDeps(b.app.ctx))).kind).toBe('built');
    await sendNow(b.app);
    const [mail] = await b.sink.waitFor(1);
    const text = mail!.parsed.text ?? '';
    viewUrl = /^View in your browser: (\S+)$/m.exec(text)![1]!;
    archiveUrl = /^Your archive: (\S+)$/m.exec(text)![1]!;
    feedbackUrl = /^Which papers fit\?: (\S+)$/m.exec(text)![1]!;
  });
  afterAll(async () => {
    await b?.close();
  });

  it('the web view is the email without its links that change something, readable at 375 and 1280 px, with nothing blocked', async () => {
    const { page } = w;
    const res = await page.goto(viewUrl);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: /new papers? for you/ }).waitFor();
    expect(await page.locator('a.paper-link').count()).toBeGreaterThan(0);
    // it only reads (its link may have been forwarded): where the email's own links were, a line that says where they are
    for (const name of ['View in your browser', 'Manage preferences', 'Unsubscribe', 'Which papers fit?', 'More like this', 'Not relevant']) {
      expect(await page.getByRole('link', { name, exact: true }).count(), name).toBe(0);
    }
    await page.getByText('This is the web view: it only reads.').waitFor();
    await screenshots(page, 'web-view');
    // the footer, where the email's own links were, on a phone
    await page.setViewportSize({ width: 375, height: 700 });
    await page.getByText('This is the web view: it only reads.').scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('web-view-footer-375.png', ARTIFACTS).pathname });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Your archive' }).click();
    await page.getByRole('heading', { name: 'Your archive' }).waitFor();
    expect(w.problems).toEqual([]);
  });

  it('from the web view, "Email me my preferences link": its page, its button, the link in the reader\'s own inbox', async () => {
    const { page } = w;
    const before = b.sink.messages.length;
    await page.goto(viewUrl);
    await page.getByRole('link', { name: 'Email me my preferences link' }).click();
    await page.getByRole('heading', { name: 'Email me my preferences link' }).waitFor();
    await screenshots(page, 'preferences-link');
    await page.getByRole('button', { name: 'Email me my preferences link' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await screenshots(page, 'preferences-link-asked');
    const [, mail] = await b.sink.waitFor(before + 1);
    expect(mail!.envelope.to).toEqual(['ada@example.org']);
    // the link it carries opens the preferences: in the reader's own inbox only
    const preferences = /^(https?:\/\/\S+\/preferences\?token=p\.\S+)$/m.exec(mail!.parsed.text ?? '')![1]!;
    await page.goto(preferences);
    await page.getByRole('heading', { name: 'Your preferences' }).waitFor();
    expect(w.problems).toEqual([]);
  });

  it('the archive lists the digest with its papers and topics, opens its web view, and offers the preferences link by email', async () => {
    const { page } = w;
    await page.goto(archiveUrl);
    await page.getByRole('heading', { name: 'Your archive' }).waitFor();
    expect(await page.locator('.archive-digest').count()).toBe(1);
    expect(await page.locator('.archive-paper').count()).toBeGreaterThan(0);
    expect(await page.locator('.archive-paper .chip').first().textContent()).toMatch(/language model|scaling laws|diffusion/);
    expect(await page.getByRole('link', { name: 'Your preferences' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Email me my preferences link' }).waitFor();
    await screenshots(page, 'archive');
    await page.locator('.archive-day a').click();
    await page.getByRole('heading', { name: /new papers? for you/ }).waitFor();
    expect(w.problems).toEqual([]);
  });

  it('feedback: the page from the email, its buttons, mute a topic and restore it on the preferences page', async () => {
    const { page } = w;
    await page.goto(feedbackUrl);
    await page.getByRole('heading', { name: 'Which papers fit?' }).waitFor();
    await screenshots(page, 'feedback');
    await page.getByRole('button', { name: 'More like this' }).first().click();
    await page.getByText(/as more like this: papers like this come first in your next digests\./).waitFor();
    expect(await b.app.ctx.db.prisma.feedback.count({ where: { subscriberId, kind: 'more_like_this' } })).toBe(1);
    await page.locator('.topic-actions li', { hasText: 'diffusion' }).getByRole('button', { name: 'Mute this topic' }).click();
    await page.getByText(/Muted “diffusion”/).waitFor();
    await screenshots(page, 'feedback-muted');
    await page.getByRole('link', { name: 'your preferences page' }).first().click();
    await page.getByRole('heading', { name: 'Muted topics' }).waitFor();
    await screenshots(page, 'preferences-muted');
    await page.locator('.muted-topics').getByRole('button', { name: 'Restore' }).click();
    await page.getByText('Restored “diffusion”: it catches papers again.').waitFor();
    expect((await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org'))!.mutedTopics).toEqual([]);
    expect(w.problems).toEqual([]);
  });

  it('the preferences page shows the feed addresses and links to the archive', async () => {
    const { page } = w;
    await page.goto(subscriberLinks(b.app.ctx.tokens, b.base, subscriberId).preferencesUrl);
    const atom = await page.getByLabel('Atom feed').inputValue();
    expect(atom).toMatch(new RegExp(`^${b.base}/feeds/mine\\.atom\\?token=f\\.`));
    expect(await page.getByLabel('JSON Feed').inputValue()).toBe(atom.replace('mine.atom', 'mine.json'));
    const feed = await page.request.get(atom);
    expect(feed.status()).toBe(200);
    expect(feed.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
    await page.locator('#feeds-heading').scrollIntoViewIfNeeded();
    await screenshots(page, 'preferences-feeds');
    // once a week, on Fridays
    await page.getByLabel('Once a week').check();
    await page.getByLabel('on', { exact: true }).selectOption('5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved. From now on: once a week, on Fridays.').waitFor();
    expect(await page.getByLabel('Once a week').isChecked()).toBe(true);
    expect(await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org')).toMatchObject({ frequency: 'weekly', weeklyDay: 5 });
    await screenshots(page, 'preferences-weekly');
    await page.getByRole('link', { name: 'Your archive' }).click();
    await page.getByRole('heading', { name: 'Your archive' }).waitFor();
    expect(w.problems).toEqual([]);
  });
});
