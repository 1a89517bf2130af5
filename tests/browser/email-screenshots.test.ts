// Renders a realistic digest (seed papers, real topic hits) and the transactional emails, opens
// each in headless Chromium at phone and desktop widths, checks the layout and writes screenshots
// to test-artifacts/email-*.png for a person to look at.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileDigest, renderConfirmation, renderPreferencesChanged, renderPreferencesLink, type RenderedEmail,
} from '../../src/render/index.ts';
import { CHROMIUM, skipWithoutChromium } from '../support/chromium.ts';
import { BASE_URL, recipient, seedDigest } from '../unit/render/builders.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const WIDTHS = [375, 800] as const;

async function emails(): Promise<Record<string, RenderedEmail>> {
  // two title hits, a long title with a hit (synchronization), two hits in one paper (Fermi), and
  // a paper caught by its abstract only
  const { view, matches } = seedDigest(['scaling laws', 'synchronization', 'fermi surface']);
  const abstractOnly = matches.findLast((m) => m.hits.every((h) => h.title.length === 0));
  const picked = matches.filter(
    (m, i) => i < 2 || m.hits.some((h) => h.topic !== 'scaling laws') || m === abstractOnly,
  );
  const links = { preferencesUrl: `${BASE_URL}/preferences?token=p`, unsubscribeUrl: `${BASE_URL}/unsubscribe?token=u` };
  const base = { productName: 'paperboy', baseUrl: BASE_URL, email: 'ada@example.com', topics: ['scaling laws', '"quantum many-body" OR tensor networks', 'diffusion -video'] };
  return {
    digest: (await compileDigest(view)).render(recipient(picked)),
    confirmation: await renderConfirmation({
      ...base,
      confirmUrl: `${BASE_URL}/confirm?token=eyJzdWIiOiJhZGFAZXhhbXBsZS5jb20ifQ.c2lnbmF0dXJl`,
      expiresAt: new Date('2025-06-12T14:30:00Z'),
    }),
    'preferences-changed': await renderPreferencesChanged({ ...base, ...links, paused: true }),
    'preferences-link': await renderPreferencesLink({ ...base, ...links }),
  };
}

describe.skipIf(skipWithoutChromium)(`the emails in Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let rendered: Record<string, RenderedEmail>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rendered = await emails();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const name of ['digest', 'confirmation', 'preferences-changed', 'preferences-link']) {
    for (const width of WIDTHS) {
      it(`${name} at ${width} px: no horizontal scroll, nothing loaded, every title and link visible`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.setContent(rendered[name]!.html, { waitUntil: 'load' });

        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        expect(requests).toEqual([]); // offline: no fonts, images or CDN

        // every link readable: inside the viewport horizontally, not clipped to nothing
        const links = await page.$$eval('a', (as) =>
          as.map((a) => {
            const r = a.getBoundingClientRect();
            return { text: a.textContent?.trim() ?? '', left: r.left, right: r.right, height: r.height };
          }),
        );
        for (const link of links) {
          expect(link.height, link.text).toBeGreaterThan(0);
          expect(link.left, link.text).toBeGreaterThanOrEqual(0);
          expect(link.right, link.text).toBeLessThanOrEqual(width);
        }
        if (name === 'digest') {
          const titles = await page.evaluate<Array<{ text: string; fontSize: number }>>(
            `[...document.querySelectorAll('h2')].map((h) => ({ text: h.textContent, fontSize: parseFloat(getComputedStyle(h).fontSize) }))`,
          );
          expect(titles.length).toBeGreaterThanOrEqual(4);
          for (const title of titles) {
            await expect(page.getByRole('link', { name: title.text.trim(), exact: true }).isVisible()).resolves.toBe(true);
            expect(title.fontSize).toBeGreaterThanOrEqual(17);
          }
          expect(await page.locator('mark').count()).toBeGreaterThan(5);
        }
        for (const label of name === 'confirmation' ? ['Confirm my subscription'] : ['Manage preferences']) {
          await expect(page.getByRole('link', { name: label }).first().isVisible()).resolves.toBe(true);
        }
        await page.screenshot({ path: new URL(`email-${name}-${width}.png`, ARTIFACTS).pathname, fullPage: true });
        await page.close();
      });
    }
  }
});
