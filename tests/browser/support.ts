// The reader's pages in a real browser: Debian's Chromium driven by playwright-core, against the
// app listening on 127.0.0.1 (seeds ingested, a real SMTP sink, BASE_URL = the listening address so
// the emails' links lead back here). Every page is watched for console messages (a CSP violation is
// one), uncaught errors and requests to any other origin.
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type Request } from 'playwright-core';
import { createWebApp } from '../../src/web/app.ts';
import { pagesRouter } from '../../src/web/pages/router.ts';
import { ingestSeeds, startTestApp, type TestApp } from '../support/app.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

export { CHROMIUM, skipWithoutChromium } from '../support/chromium.ts';
import { CHROMIUM } from '../support/chromium.ts';
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
export const WIDTHS = [375, 1280] as const;

export interface BrowserApp {
  app: TestApp;
  sink: SmtpSink;
  base: string;
  browser: Browser;
  /** a context whose pages are watched; `problems` lists what went wrong in any of them */
  context(options?: BrowserContextOptions): Promise<Watched>;
  close(): Promise<void>;
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** console messages, page errors, failed requests and requests to other origins */
  problems: string[];
  /** every URL requested */
  requests: string[];
}

export async function startBrowserApp(): Promise<BrowserApp> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const sink = await startSmtpSink();
  // the port first, so that BASE_URL (the links in the emails) is this server
  let handler: http.RequestListener | null = null;
  const server = http.createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = await startTestApp('postgres', { SMTP_URL: sink.url, BASE_URL: base, SMTP_TIMEOUT: '20s' });
  await ingestSeeds(app);
  handler = createWebApp(app.ctx, { pages: pagesRouter(app.ctx) });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    app,
    sink,
    base,
    browser,
    async context(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      const problems: string[] = [];
      const requests: string[] = [];
      context.on('page', (page) => watch(page, base, problems, requests));
      const page = await context.newPage();
      return { context, page, problems, requests };
    },
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
      await app.close();
      await sink.close();
    },
  };
}

function watch(page: Page, base: string, problems: string[], requests: string[]): void {
  page.on('console', (m) => problems.push(`console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // which document of the page a request belongs to: a new main-frame navigation starts the next one
  let document = 0;
  const documentOf = new WeakMap<Request, number>();
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) document++;
    documentOf.set(r, document);
    requests.push(r.url());
    if (!r.url().startsWith(`${base}/`)) problems.push(`request to another origin: ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const aborted = /ABORTED/i.test(r.failure()?.errorText ?? '');
    // an aborted stale preview request is the design, not a problem; nor is a request of a document
    // the test navigated away from; nor the favicon, which Chromium fetches on its own and cancels when
    // the next page.goto starts — sometimes before the new navigation's request event, so the document
    // count cannot tell (seen in CI: "request failed: …/assets/icon.….svg net::ERR_ABORTED")
    const favicon = /\/assets\/icon\.[0-9a-f]+\.svg$/.test(r.url());
    if (aborted && (/\/api\/(preferences\/)?preview\b/.test(r.url()) || favicon || (documentOf.get(r) ?? document) < document)) return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
}

/** Full-page screenshots at phone and desktop widths: test-artifacts/web-<name>-<width>.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  const height = page.viewportSize()?.height ?? 900;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: new URL(`web-${name}-${width}.png`, ARTIFACTS).pathname, fullPage: true });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    if (overflow > 0) throw new Error(`${name} at ${width} px scrolls sideways by ${overflow} px`);
  }
  await page.setViewportSize({ width: 1280, height });
}
