// The whole reader's path in Chromium with JavaScript: topics typed and previewed live (highlights,
// a message under a topic that does not parse), subscribe, the confirmation read from the SMTP sink,
// its link followed and confirmed, preferences opened from a signed link and changed, unsubscribe
// with the button. No console message (a CSP violation would be one), no request elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriberByEmail } from '../../src/db/subscribers.ts';
import { subscriberLinks } from '../../src/deliver/links.ts';
import { addSubscribers } from '../support/app.ts';
import { skipWithoutChromium, screenshots, startBrowserApp, type BrowserApp, type Watched } from './support.ts';
import { anyOf } from '../support/matchers.ts';

/** Under load (two browsers, parallel test files) a page may take a few seconds to settle. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

describe.skipIf(skipWithoutChromium)('subscribe, confirm, preferences, unsubscribe in Chromium', () => {
  let b: BrowserApp;
  let w: Watched;

  beforeAll(async () => {
    b = await startBrowserApp();
    w = await b.context();
  });
  afterAll(async () => {
    await b?.close();
  });

  it('previews topics as they are typed: highlights, new papers marked, a clear message under a bad topic', async () => {
    const { page } = w;
    await page.goto(`${b.base}/`);
    await poll(() => page.locator('#preview').isVisible()).toBe(true);
    // before anything is typed: the newest list, and example topics to try
    await poll(() => page.locator('[data-role="snapshot"]').textContent()).toMatch(/^Hugging Face Daily Papers of Jun 10, \d{4}: 36 papers, 10 new$/);
    await screenshots(page, 'subscribe');
    await page.getByRole('button', { name: 'scaling laws' }).click();
    expect(await page.locator('#topics').inputValue()).toBe('scaling laws');
    await poll(() => page.locator('.pv-topic').count()).toBe(1);
    expect(await page.locator('[data-role="examples"]').isVisible()).toBe(false);
    await page.locator('#topics').fill('');
    await poll(() => page.locator('.pv-topic').count()).toBe(0);
    await page.getByLabel('Email address').fill('ada@example.org');
    const topics = page.locator('#topics');
    const before = w.requests.filter((u) => u.includes('/api/preview')).length;
    const started = Date.now();
    await topics.pressSequentially('scaling laws\nquantum "many', { delay: 15 });
    const typing = Date.now() - started;
    const typed = 'scaling laws\nquantum "many'.length;

    const first = page.locator('.pv-topic').first();
    await poll(() => page.locator('.pv-topic').count()).toBe(2);
    await poll(() => first.locator('.pv-title mark').count()).toBeGreaterThan(0);
    expect((await first.locator('.pv-title mark').allTextContents()).map((t) => t.toLowerCase())).toContain('scaling');
    expect(await first.locator('.pv-new').count()).toBeGreaterThan(0);
    // best match first, with the digest's reason line
    expect(await first.locator('.pv-reason').first().textContent()).toBe('Title matches Scaling Laws');
    const error = page.locator('.pv-topic').nth(1).locator('.pv-error');
    await poll(() => error.textContent()).toMatch(/never closed/i);
    expect(await page.locator('#topics-live').textContent()).toMatch(/Line 2.*quantum "many.*never closed/i);
    expect(await topics.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-role="status"]').textContent()).toMatch(/1 topic catches \d+ papers.*1 topic needs fixing/);
    // debounced: a request only after 250 ms without a keystroke, so far fewer than keystrokes
    const sent = w.requests.filter((u) => u.includes('/api/preview')).length - before;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(Math.floor(typing / 250) + 1);
    expect(sent).toBeLessThan(typed);

    await topics.fill('scaling laws\nquantum -gravity');
    await poll(() => page.locator('.pv-error').count()).toBe(0);
    await poll(() => page.locator('#topics-live').isHidden()).toBe(true);
    await screenshots(page, 'subscribe-preview');

    // a paper two topics catch is one paper, as in the digest: every "scaling laws" paper is a "scaling" one
    await topics.fill('scaling laws\nscaling');
    await poll(() => page.locator('.pv-topic h3').nth(1).textContent()).toBe('scaling');
    const counts = await page.locator('.pv-count').allTextContents();
    const scaling = Number(/^(\d+) papers/.exec((await page.locator('.pv-count').nth(1).textContent()) ?? '')?.[1]);
    expect(scaling, String(counts)).toBeGreaterThan(0);
    await poll(() => page.locator('[data-role="status"]').textContent()).toMatch(new RegExp(`^2 topics catch ${scaling} papers`));
  });

  it('shows the topic count against the limit while typing, before any submit', async () => {
    const { page } = w;
    await page.goto(`${b.base}/`);
    const counter = page.locator('[data-role="topic-count"]');
    expect(await counter.textContent()).toBe('0 of 10 topics');
    await page.locator('#topics').fill(Array.from({ length: 12 }, (_, i) => `topic number ${i + 1}`).join('\n'));
    await poll(() => counter.textContent()).toBe('12 topics: a subscription takes up to 10. Remove 2.');
    expect(await counter.getAttribute('data-over')).toBe('true');
    await screenshots(page, 'topic-limit');
    await page.locator('#topics').fill('scaling laws');
    await poll(() => counter.textContent()).toBe('1 of 10 topics');
  });

  it('the keyboard reaches everything in order, with a visible focus', async () => {
    const { page } = w;
    await page.goto(`${b.base}/`);
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate<string>(`document.activeElement.id || document.activeElement.textContent.trim()`));
    }
    // the lead names the source, linked, before the form; how often: one stop for the radio group
    // (arrows move within it), one for the weekday
    expect(order).toEqual(['Skip to content', 'paperboy.', 'Hugging Face Daily Papers', 'email', 'topics', 'frequency-daily', 'weekly-day', 'Subscribe']);
    const outline = await page.evaluate<string>(`getComputedStyle(document.activeElement).outlineWidth`);
    expect(parseFloat(outline)).toBeGreaterThanOrEqual(2);
  });

  it('subscribes, confirms from the email link with a button, and opens the preferences', async () => {
    const { page } = w;
    await page.goto(`${b.base}/`);
    await page.getByLabel('Email address').fill('ada@example.org');
    await page.locator('#topics').fill('scaling laws\nquantum -gravity');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await screenshots(page, 'check-inbox');

    const [mail] = await b.sink.waitFor(1);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=\S+)/.exec(mail!.parsed.text ?? '')![1]!;
    await page.goto(link);
    await page.getByRole('heading', { name: 'Confirm your subscription' }).waitFor();
    expect((await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org'))!.status).toBe('pending');
    await screenshots(page, 'confirm');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.getByRole('heading', { name: "You're subscribed" }).waitFor();
    expect((await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org'))!.status).toBe('active');
    await screenshots(page, 'confirmed');
  });

  it('changes a topic on the preferences page, with the same live preview, and unsubscribes with the button', async () => {
    const { page } = w;
    const ada = (await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org'))!;
    const links = subscriberLinks(b.app.ctx.tokens, b.base, ada.id);
    await page.goto(links.preferencesUrl);
    await poll(() => page.locator('.pv-topic').count()).toBe(2); // previews the stored topics at once
    await screenshots(page, 'preferences');

    await page.locator('#topics').fill('scaling laws\n"language model"');
    await poll(() => page.locator('.pv-topic h3').allTextContents()).toEqual(['scaling laws', '"language model"']);
    expect(await page.locator('[data-role="topic-count"]').textContent()).toBe('2 of 10 topics');
    await page.getByLabel('Pause for 1 week').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved. Your topics are updated.').waitFor();
    const paused = await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org');
    expect(paused).toMatchObject({ topics: ['scaling laws', '"language model"'], paused: true, pausedUntil: anyOf(Date) });
    expect(await page.getByLabel(/^Stay paused until /).isChecked()).toBe(true);
    await screenshots(page, 'preferences-saved');

    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: "You're unsubscribed" }).waitFor();
    expect((await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org'))!.status).toBe('unsubscribed');
    await screenshots(page, 'unsubscribed');
    // changed their mind: one click, the same topics, no confirmation
    await page.getByRole('button', { name: 'Subscribe again with the same topics' }).click();
    await page.getByRole('heading', { name: "You're subscribed again" }).waitFor();
    expect(await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org')).toMatchObject({
      status: 'active',
      topics: ['scaling laws', '"language model"'],
    });
    await screenshots(page, 'subscribed-again');
  });

  it('the unsubscribe link is a page with a button', async () => {
    const { page } = w;
    const [bob] = await addSubscribers(b.app, [['bob@example.org', ['scaling laws']]]);
    await page.goto(subscriberLinks(b.app.ctx.tokens, b.base, bob!.id).unsubscribeUrl);
    await page.getByRole('heading', { name: 'Unsubscribe?' }).waitFor();
    expect((await findSubscriberByEmail(b.app.ctx.db.prisma, 'bob@example.org'))!.status).toBe('active');
    await screenshots(page, 'unsubscribe');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: "You're unsubscribed" }).waitFor();
    expect((await findSubscriberByEmail(b.app.ctx.db.prisma, 'bob@example.org'))!.status).toBe('unsubscribed');
  });

  it('in dark mode too, and nothing went wrong anywhere: no console message, no CSP violation, nothing from elsewhere', async () => {
    const dark = await b.context({ colorScheme: 'dark' });
    await dark.page.goto(`${b.base}/`);
    await dark.page.locator('#topics').fill('scaling laws\nquantum "many');
    await poll(() => dark.page.locator('.pv-error').count()).toBe(1);
    await screenshots(dark.page, 'subscribe-preview-dark');
    expect(dark.problems).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.requests.every((u) => u.startsWith(`${b.base}/`))).toBe(true);

    // and the watch would have seen a violation: an inline style and script are refused and reported
    await dark.page.evaluate(
      `document.head.insertAdjacentHTML('beforeend', '<style>body{color:red}</style>'); document.body.setAttribute('onclick', 'x()'); document.body.click()`,
    );
    await poll(() => dark.problems.join('\n')).toMatch(/Content Security Policy/);
  });
});
