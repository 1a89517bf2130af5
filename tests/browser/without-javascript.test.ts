// The forms without JavaScript (Chromium, javaScriptEnabled: false): the preview stays out of the
// way, errors come back from the server next to each field with the reader's input kept, and the
// whole double opt-in works. Also the pages a reader sees when something is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriberByEmail } from '../../src/db/subscribers.ts';
import { skipWithoutChromium, screenshots, startBrowserApp, type BrowserApp, type Watched } from './support.ts';

describe.skipIf(skipWithoutChromium)('the pages without JavaScript in Chromium', () => {
  let b: BrowserApp;
  let w: Watched;

  beforeAll(async () => {
    b = await startBrowserApp();
    w = await b.context({ javaScriptEnabled: false });
  });
  afterAll(async () => {
    await b?.close();
  });

  it("shows the server's errors next to the fields, keeps the input, then subscribes and confirms", async () => {
    const { page } = w;
    await page.goto(`${b.base}/`);
    expect(await page.locator('#preview').isVisible()).toBe(false);
    // passes the browser's own check (type=email), not the server's (no top-level domain)
    await page.getByLabel('Email address').fill('ada@localhost');
    await page.locator('#topics').fill('scaling laws\nquantum "many\n-video');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Please check the form' }).waitFor();
    expect(await page.locator('#email-error').textContent()).toMatch(/does not look like an email address/);
    expect(await page.locator('#topics-error').textContent()).toMatch(/Line 2[\s\S]*never closed[\s\S]*Line 3[\s\S]*/);
    expect(await page.locator('#email').inputValue()).toBe('ada@localhost');
    expect(await page.locator('#topics').inputValue()).toBe('scaling laws\nquantum "many\n-video');
    expect(await page.locator('#topics').getAttribute('aria-invalid')).toBe('true');
    expect(await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@localhost')).toBeNull();
    await screenshots(page, 'subscribe-errors');

    await page.getByLabel('Email address').fill('ada@example.org');
    await page.locator('#topics').fill('scaling laws\nquantum "many-body"');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const [mail] = await b.sink.waitFor(1);
    await page.goto(/(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=\S+)/.exec(mail!.parsed.text ?? '')![1]!);
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.getByRole('heading', { name: "You're subscribed" }).waitFor();
    expect(await findSubscriberByEmail(b.app.ctx.db.prisma, 'ada@example.org')).toMatchObject({
      status: 'active',
      topics: ['scaling laws', 'quantum "many-body"'],
    });

    // the same link again: "already subscribed" and the way to preferences, not a second confirmation
    const again = await page.goto(/(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=\S+)/.exec(mail!.parsed.text ?? '')![1]!);
    expect(again?.status()).toBe(200);
    await page.getByRole('heading', { name: "You're already subscribed" }).waitFor();
    await screenshots(page, 'link-used');
    await page.getByRole('link', { name: 'Open your preferences' }).click();
    await page.getByRole('heading', { name: 'Your preferences' }).waitFor();
  });

  it('a damaged link, and a page that does not exist', async () => {
    const { page } = w;
    const damaged = await page.goto(`${b.base}/preferences?token=p.1.`);
    expect(damaged?.status()).toBe(400);
    await page.getByRole('heading', { name: 'This link is incomplete' }).waitFor();
    await screenshots(page, 'link-damaged');
    expect(w.problems.filter((p) => !p.includes('status of 4'))).toEqual([]); // the 4xx statuses are the point
  });
});
