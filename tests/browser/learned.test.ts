// What paperboy learned, in Chromium: a reader marks papers on the feedback page of their digest (the
// page says what each mark does), mutes a topic, opens their preferences from there and sees their
// marks ("learning … before your next digest"), then, once the reader-model job ran, the words that
// weigh for and against; undoes a mark; forgets everything after a confirmation. Each state at 375
// and 1280 px, light and dark, with axe-core finding nothing serious and no console message.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, trainReaderModelsDeps } from '../../src/app/deps.ts';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { trainReaderModels } from '../../src/jobs/train-reader-models.ts';
import { addSubscribers, sendNow } from '../support/app.ts';
import { ARTIFACTS, skipWithoutChromium, screenshots, startBrowserApp, type BrowserApp, type Watched } from './support.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function axe(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol, so the page's CSP (no inline script) stays as it is
  const result = await page.evaluate<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>(
    `${AXE};axe.run(document, { resultTypes: ['violations'] })`,
  );
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}

describe.skipIf(skipWithoutChromium)('what paperboy learned, in Chromium', () => {
  let b: BrowserApp;
  let w: Watched;
  let feedbackUrl = '';
  let subscriberId = 0;
  let preferencesUrl = '';
  const prisma = () => b.app.ctx.db.prisma;
  const marks = () => prisma().feedback.count({ where: { subscriberId, kind: { in: ['more_like_this', 'not_relevant'] } } });
  const model = () => prisma().readerModel.findUnique({ where: { subscriberId } });

  beforeAll(async () => {
    b = await startBrowserApp();
    w = await b.context();
    const [ada] = await addSubscribers(b.app, [['ada@example.org', ['language model', 'diffusion', 'scaling laws']]]);
    subscriberId = ada!.id;
    expect((await buildDigest(digestDeps(b.app.ctx))).kind).toBe('built');
    await sendNow(b.app);
    const [mail] = await b.sink.waitFor(1);
    feedbackUrl = /^Which papers fit\?: (\S+)$/m.exec(mail!.parsed.text ?? '')![1]!;
  });
  afterAll(async () => {
    await b?.close();
  });

  it('marks papers on the feedback page, which says what each mark does; the preferences page lists them, learning', async () => {
    const { page } = w;
    await page.goto(feedbackUrl);
    await page.getByRole('heading', { name: 'Which papers fit?' }).waitFor();
    await page.getByText('papers like this go to the end of your next digests, under “Probably not for you”, never left out.').waitFor();
    const papers = page.locator('.feedback-paper');
    expect(await papers.count()).toBeGreaterThanOrEqual(4);
    for (const [n, button] of [
      [0, 'More like this'],
      [1, 'More like this'],
      [2, 'Not relevant'],
      [3, 'Not relevant'],
    ] as const) {
      await papers.nth(n).getByRole('button', { name: button }).click();
      await page
        .locator('.alert')
        .getByText(
          button === 'More like this'
            ? /as more like this: papers like this come first in your next digests\./
            : /as not relevant: papers like this go to the end of your next digests/,
        )
        .waitFor();
    }
    expect(await marks()).toBe(4);
    await page.locator('.topic-actions li', { hasText: 'scaling laws' }).getByRole('button', { name: 'Mute this topic' }).click();
    await page.getByText(/Muted “scaling laws”: it catches nothing/).waitFor();
    await page.getByRole('link', { name: 'your preferences page' }).first().click();
    await page.getByRole('heading', { name: 'What paperboy learned' }).waitFor();
    preferencesUrl = page.url();
    await page.getByText('Learning from your marks before your next digest.').waitFor();
    expect(await page.locator('.marked-paper').count()).toBe(4);
    // the muted topic, muted in the topics box
    expect(await page.locator('#topics-muted .chip-muted').textContent()).toBe('scaling laws');
    expect(await axe(page)).toEqual([]);
    expect(w.problems).toEqual([]);
  });

  it('after the reader-model job: the words that weigh for and against, at 375 and 1280 px, light and dark', async () => {
    expect((await trainReaderModels(trainReaderModelsDeps(b.app.ctx))).trained).toBe(1);
    for (const scheme of ['light', 'dark'] as const) {
      const v = scheme === 'light' ? w : await b.context({ colorScheme: 'dark' });
      await v.page.goto(preferencesUrl);
      await v.page.getByRole('heading', { name: 'What paperboy learned' }).waitFor();
      expect(await v.page.getByText('Learning from your marks').count()).toBe(0);
      expect(await v.page.locator('.chip-for').count()).toBeGreaterThan(0);
      expect(await v.page.locator('.chip-against').count()).toBeGreaterThan(0);
      // the preview marks the muted topic
      await v.page.locator('.pv-topic', { hasText: 'scaling laws' }).locator('.pill-muted').waitFor();
      expect(await axe(v.page)).toEqual([]);
      await screenshots(v.page, `preferences-learned-${scheme}`);
      // up close on a phone: the section, the topics box with its muted topic, the muted topic in the preview
      await v.page.setViewportSize({ width: 375, height: 900 });
      for (const [name, selector] of [
        ['section', '.learned'],
        ['topics', '.field:has(#topics)'],
        ['preview-muted', '.pv-topic:has(.pill-muted)'],
      ] as const) {
        await v.page.locator(selector).screenshot({ path: new URL(`web-preferences-learned-${name}-${scheme}-375.png`, ARTIFACTS).pathname });
      }
      await v.page.setViewportSize({ width: 1280, height: 900 });
      expect(v.problems).toEqual([]);
    }
  });

  it('undo one mark: it and the model are gone, the rest stays', async () => {
    const { page } = w;
    await page.goto(preferencesUrl);
    const first = page.locator('.marked-paper').first();
    const title = (await first.locator('.marked-title').textContent())!;
    await first.getByRole('button', { name: `Undo “${title}”` }).click();
    await page.getByText(`Undone: your mark on “${title}” no longer counts.`).waitFor();
    expect(await page.locator('.marked-paper').count()).toBe(3);
    expect(await page.locator('.marked-title', { hasText: title }).count()).toBe(0);
    expect(await marks()).toBe(3);
    expect(await model()).toBeNull();
    await page.getByText('Learning from your marks before your next digest.').waitFor();
    expect(w.problems).toEqual([]);
  });

  it('forget what you learned: a confirmation first, then every mark and the model are gone', async () => {
    const { page } = w;
    await trainReaderModels(trainReaderModelsDeps(b.app.ctx));
    await page.goto(preferencesUrl);
    await page.getByRole('link', { name: 'Forget what you learned about me' }).click();
    await page.getByRole('heading', { name: 'Forget what we learned about you?' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'preferences-forget');
    expect(await marks()).toBe(3);
    await page.getByRole('button', { name: 'Forget what you learned about me' }).click();
    await page.getByText('Forgotten: your marks on 3 papers and what was learned from them.').waitFor();
    await page.getByText('Nothing learned yet').first().waitFor();
    expect(await marks()).toBe(0);
    expect(await model()).toBeNull();
    expect(w.problems).toEqual([]);
  });
});
