// The reader's space in Chromium at phone and desktop widths: the web view of a digest opened from
// the email's own link (the email, under its own strict CSP: no console message, nothing from
// elsewhere), the archive, and the preferences page that links to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../src/app/deps.ts';
import { findSubscriberByEmail } from '../../src/db/subscribers.ts';
import { subscriberLinks } from '../../src/deliver/links.ts';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { addSubscribers, sendNow } from '../support/app.ts';
import { skipWithoutChromium, screenshots, startBrowserApp, type BrowserApp, type Watched } from './support.ts';

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

  it('the web view is the email, readable at 375 and 1280 px, with nothing blocked', async () => {
    const { page } = w;
    const res = await page.goto(viewUrl);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: /new papers? for you/ }).waitFor();
    expect(await page.locator('a.paper-link').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'View in your browser' }).count()).toBe(0);
    await screenshots(page, 'web-view');
    await page.getByRole('link', { name: 'Your archive' }).click();
    await page.getByRole('heading', { name: 'Your archive' }).waitFor();
    expect(w.problems).toEqual([]);
  });

  it('the archive lists the digest with its papers and topics, and opens its web view', async () => {
    const { page } = w;
    await page.goto(archiveUrl);
    await page.getByRole('heading', { name: 'Your archive' }).waitFor();
    expect(await page.locator('.archive-digest').count()).toBe(1);
    expect(await page.locator('.archive-paper').count()).toBeGreaterThan(0);
    expect(await page.locator('.archive-paper .chip').first().textContent()).toMatch(/language model|scaling laws|diffusion/);
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
    await page.getByText('Thanks: noted as more like this.').waitFor();
    expect(await b.app.ctx.db.prisma.feedback.count({ where: { subscriberId, kind: 'more_like_this' } })).toBe(1);
    await page.locator('.topic-actions li', { hasText: 'diffusion' }).getByRole('button', { name: 'Mute this topic' }).click();
    await page.getByText(/Muted “diffusion”/).waitFor();
    await screenshots(page, 'feedback-muted');
    await page.getByRole('link', { name: 'your preferences page' }).click();
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
