// The preferences page's live preview in Chromium, for a reader who marked papers: typing a topic
// shows what their next digest would bring — the paper like those marked not relevant under
// "Probably not for you" at the end, a paper no topic catches under "You may also like" with the
// liked paper it resembles — and a muted topic marked muted. At 375 and 1280 px, light and dark; no
// console message, no request elsewhere.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedReaders, ML, PHYSICS, UNCAUGHT, type MarkedReaders } from '../support/marked-reader.ts';
import { ARTIFACTS, skipWithoutChromium, screenshots, startBrowserApp, type BrowserApp, type Watched } from './support.ts';

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

describe.skipIf(skipWithoutChromium)("the preferences page's preview, ranked for the reader, in Chromium", () => {
  let b: BrowserApp;
  let w: Watched;
  let readers: MarkedReaders;
  let preferencesUrl = '';

  beforeAll(async () => {
    b = await startBrowserApp();
    w = await b.context();
    readers = await markedReaders(b.app);
    await b.app.ctx.db.prisma.subscriber.update({
      where: { id: readers.ada.id },
      data: { topics: ['diffusion', 'scaling laws'], mutedTopics: ['scaling laws'] },
    });
    preferencesUrl = `${b.base}/preferences?token=${b.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: readers.ada.id })}`;
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
  });

  it("typing a topic shows the reader's groups: set aside at the end, a suggestion with its reason, the muted topic muted", async () => {
    const { page } = w;
    await page.goto(preferencesUrl);
    await page.getByRole('heading', { name: 'What your next digest would look like' }).waitFor();
    // the stored topics preview at once; then the box is typed anew, as a reader would
    await poll(() => page.locator('.pv-topic').count()).toBe(2);
    await page.locator('#topics').fill('');
    await poll(() => page.locator('.pv-topic').count()).toBe(0);
    await page.locator('#topics').pressSequentially('diffusion\nscaling laws', { delay: 20 });
    await poll(() => page.locator('.pv-topic h3').allTextContents()).toEqual(['diffusion', 'scaling laws']);

    const topic = page.locator('.pv-topic', { hasText: 'diffusion' }).first();
    await poll(() => topic.locator('.pv-title').allTextContents()).toEqual([ML[2][0]]);
    await topic.getByText('1 paper set aside: see “Probably not for you” below').waitFor();

    const aside = page.locator('.pv-not-for-you');
    await aside.getByRole('heading', { name: 'Probably not for you — like papers you marked not relevant' }).waitFor();
    expect(await aside.locator('.pv-title').allTextContents()).toEqual([PHYSICS[3][0]]);
    expect(await aside.locator('.pv-caught-by .chip').allTextContents()).toEqual(['diffusion']);

    const also = page.locator('.pv-also-like');
    await also.getByRole('heading', { name: 'You may also like' }).waitFor();
    expect(await also.locator('.pv-title').allTextContents()).toContain(UNCAUGHT[0]);
    expect(await also.locator('.pv-paper', { hasText: UNCAUGHT[0] }).locator('.pv-reason').textContent()).toMatch(
      new RegExp(
        `^Like “(${ML.slice(0, 2)
          .map((p) => p[0])
          .join('|')})”$`,
      ),
    );

    // the groups come after every topic, in the digest's order
    const order = await page.locator('.preview-results > section').evaluateAll((els: Array<{ className: string }>) => els.map((e) => e.className));
    expect(order).toEqual(['pv-topic', 'pv-topic', 'pv-group pv-not-for-you', 'pv-group pv-also-like']);
    // the muted topic: marked muted, nothing of it set aside or suggested
    await page.locator('.pv-topic', { hasText: 'scaling laws' }).locator('.pill-muted').waitFor();
    await page.getByText('Ranked for you, from the papers you marked.').waitFor();

    // the request carried the reader's preferences link, to its own route
    expect(w.requests.some((u) => /\/api\/preferences\/preview\?token=p\./.test(u))).toBe(true);
    expect(w.requests.some((u) => u.includes('/api/preview?'))).toBe(false);

    await page.locator('#preview').scrollIntoViewIfNeeded();
    await screenshots(page, 'preferences-reader-preview');
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await page.locator('#preview').screenshot({ path: new URL(`web-preferences-reader-preview-panel-${width}.png`, ARTIFACTS).pathname });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(w.problems).toEqual([]);
  });

  it('in dark mode too', async () => {
    const dark = await b.context({ colorScheme: 'dark' });
    await dark.page.goto(preferencesUrl);
    await dark.page.locator('.pv-also-like .pv-title').first().waitFor();
    await screenshots(dark.page, 'preferences-reader-preview-dark');
    expect(dark.problems).toEqual([]);
  });

  it('a reader who marked nothing sees the preview as anyone does: no groups', async () => {
    const v = await b.context();
    await v.page.goto(`${b.base}/preferences?token=${b.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: readers.bob.id })}`);
    await poll(() => v.page.locator('.pv-topic .pv-title').allTextContents()).toEqual([PHYSICS[3][0], ML[2][0]]);
    expect(await v.page.locator('.pv-group').count()).toBe(0);
    expect(await v.page.getByText('Ranked for you').count()).toBe(0);
    expect(v.problems).toEqual([]);
  });
});
