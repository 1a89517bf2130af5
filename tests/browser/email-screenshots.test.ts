// Renders a realistic digest (seed papers, real topic hits) and the transactional emails, opens
// each in headless Chromium at phone and desktop widths, light and dark, checks the layout and the
// contrast, and writes screenshots to test-artifacts/email-*.png for a person to look at.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDigest, renderConfirmation, renderPreferencesChanged, renderPreferencesLink, type RenderedEmail } from '../../src/render/index.ts';
import { CHROMIUM, skipWithoutChromium } from '../support/chromium.ts';
import { BASE_URL, recipient, seedDigest } from '../unit/render/builders.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const WIDTHS = [375, 800] as const;

/**
 * Words broken across two lines (CSS such as word-break: break-all), run in the page: each run of
 * letters and digits must sit on one line. Addresses and URLs (with "://", "@" or a dot inside) may
 * break anywhere; a hyphen or a dash is a place to break, not a word.
 */
const BROKEN_WORDS = `(() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const chunk of text.matchAll(/\\S+/g)) {
      if (/:\\/\\/|@|\\w\\.\\w/.test(chunk[0])) continue;
      for (const word of chunk[0].matchAll(/[\\p{L}\\p{N}'’]+/gu)) {
        const range = document.createRange();
        range.setStart(node, chunk.index + word.index);
        range.setEnd(node, chunk.index + word.index + word[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
})()`;
const SCHEMES = ['light', 'dark'] as const;

/**
 * The lowest contrast ratio (WCAG) between the text colour of the elements matching a selector and
 * the first opaque background behind each, run in the page.
 */
const CONTRAST = `(selector) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b]
    .map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  let worst = 21;
  for (const el of document.querySelectorAll(selector)) {
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    worst = Math.min(worst, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return worst;
}`;

async function emails(): Promise<Record<string, RenderedEmail>> {
  // two title hits, a long title with a hit (synchronization), two hits in one paper (Fermi), and
  // a paper caught by its abstract only
  const { view, matches } = seedDigest(['scaling laws', 'synchronization', 'fermi surface']);
  const abstractOnly = matches.findLast((m) => m.hits.every((h) => h.title.length === 0));
  const picked = matches.filter((m, i) => i < 2 || m.hits.some((h) => h.topic !== 'scaling laws') || m === abstractOnly);
  const links = { preferencesUrl: `${BASE_URL}/preferences?token=p`, unsubscribeUrl: `${BASE_URL}/unsubscribe?token=u` };
  const base = {
    productName: 'paperboy',
    baseUrl: BASE_URL,
    email: 'ada@example.com',
    topics: ['scaling laws', '"quantum many-body" OR tensor networks', 'diffusion -video'],
    frequency: 'weekly' as const,
    weeklyDay: 1,
  };
  // a reader with a model: one caught paper set aside under "Probably not for you", one paper no
  // topic caught suggested under "You may also like", with the liked paper it resembles
  const pickedIds = new Set(picked.map((m) => m.paperId));
  const suggested = view.papers.find((p) => !matches.some((m) => m.paperId === p.paperId))!;
  const learned = [
    ...picked.slice(1),
    { ...picked[0]!, section: 'not-for-you' as const },
    { paperId: suggested.paperId, hits: [], section: 'also-like' as const, like: view.papers.find((p) => pickedIds.has(p.paperId))!.title },
  ];
  const digest = await compileDigest(view);
  const frequency = { frequency: { frequency: 'daily' as const, weeklyDay: 1 } };
  return {
    digest: digest.render(recipient(picked, frequency)),
    'digest-learned': digest.render(recipient(learned, frequency)),
    confirmation: await renderConfirmation({
      ...base,
      confirmUrl: `${BASE_URL}/confirm?token=eyJzdWIiOiJhZGFAZXhhbXBsZS5jb20ifQ.c2lnbmF0dXJl`,
      expiresAt: new Date('2025-06-12T14:30:00Z'),
    }),
    'preferences-changed': await renderPreferencesChanged({ ...base, ...links, paused: true }),
    'preferences-link': await renderPreferencesLink({ ...base, ...links }),
    'preferences-changed-feed': await renderPreferencesChanged({ ...base, ...links, paused: false, frequency: 'feed' }),
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

  for (const name of ['digest', 'digest-learned', 'confirmation', 'preferences-changed', 'preferences-link', 'preferences-changed-feed']) {
    it(`${name}: no word broken across two lines at any width`, async () => {
      const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
      await page.setContent(rendered[name]!.html, { waitUntil: 'load' });
      for (let width = 320; width <= 1280; width += 40) {
        await page.setViewportSize({ width, height: 800 });
        expect(await page.evaluate<string[]>(BROKEN_WORDS), `at ${width} px`).toEqual([]);
      }
      await page.close();
    });
    for (const [width, scheme] of WIDTHS.flatMap((w) => SCHEMES.map((s) => [w, s] as const))) {
      it(`${name} at ${width} px, ${scheme}: no horizontal scroll, nothing loaded, every title and link visible and readable`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme: scheme });
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.setContent(rendered[name]!.html, { waitUntil: 'load' });

        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        expect(requests).toEqual([]); // offline: no fonts, images or CDN

        // every link readable: inside the viewport horizontally, not clipped to nothing
        const links = await page.evaluate<Array<{ text: string; left: number; right: number; height: number }>>(
          `[...document.querySelectorAll('a')].map((a) => {
            const r = a.getBoundingClientRect();
            return { text: a.textContent?.trim() ?? '', left: r.left, right: r.right, height: r.height };
          })`,
        );
        for (const link of links) {
          expect(link.height, link.text).toBeGreaterThan(0);
          expect(link.left, link.text).toBeGreaterThanOrEqual(0);
          expect(link.right, link.text).toBeLessThanOrEqual(width);
        }
        if (name.startsWith('digest')) {
          const titles = await page.evaluate<Array<{ text: string; fontSize: number }>>(
            `[...document.querySelectorAll('h3')].map((h) => ({ text: h.textContent, fontSize: parseFloat(getComputedStyle(h).fontSize) }))`,
          );
          expect(titles.length).toBeGreaterThanOrEqual(4);
          for (const title of titles) {
            await expect(page.getByRole('link', { name: title.text.trim(), exact: true }).isVisible()).resolves.toBe(true);
            expect(title.fontSize).toBeGreaterThanOrEqual(17);
          }
          expect(await page.locator('span.hit').count()).toBeGreaterThan(5);
          expect(await page.locator('mark').count()).toBe(0);
          // readable in both schemes: titles on the card, highlights, meta, TL;DR, links (WCAG AA: 4.5)
          for (const selector of [
            '.paper-link',
            '.hit',
            '.meta',
            '.reason',
            '.tldr',
            '.action',
            '.group-heading',
            '.lead',
            '.footer',
            ...(name === 'digest-learned' ? ['.section-heading'] : []),
          ]) {
            const ratio = await page.evaluate<number>(`(${CONTRAST})(${JSON.stringify(selector)})`);
            expect(ratio, `${selector} in ${scheme}`).toBeGreaterThanOrEqual(4.5);
          }
          if (name === 'digest-learned') {
            for (const heading of ['Probably not for you — like papers you marked not relevant', 'You may also like']) {
              await expect(page.getByRole('heading', { name: heading }).isVisible()).resolves.toBe(true);
            }
          }
          const card = await page.evaluate<string>(`getComputedStyle(document.querySelector('.card')).backgroundColor`);
          expect(card).toBe(scheme === 'dark' ? 'rgb(34, 36, 41)' : 'rgb(255, 255, 255)');
        }
        for (const label of name === 'confirmation' ? ['Confirm my subscription'] : ['Manage preferences']) {
          await expect(page.getByRole('link', { name: label }).first().isVisible()).resolves.toBe(true);
        }
        await page.screenshot({ path: new URL(`email-${name}-${width}-${scheme}.png`, ARTIFACTS).pathname, fullPage: true });
        await page.close();
      });
    }
  }
});
