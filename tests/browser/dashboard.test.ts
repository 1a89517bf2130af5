// The operator dashboard in Chromium: log in with ADMIN_TOKEN (an HttpOnly, SameSite=Strict cookie),
// watch a digest while it sends (the progress bar follows the delivery log), settle an unknown
// delivery, resend the failed ones — each checked in the database — with axe-core finding nothing
// serious or critical, the reader pages' CSP holding (no console message), and a form posted without
// its CSRF token refused with nothing changed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, sendDeps } from '../../src/app/deps.ts';
import { startWorker } from '../../src/deliver/worker-liveness.ts';
import { pauseDigest } from '../../src/db/digests.ts';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { sendQueued } from '../../src/deliver/send-deliveries.ts';
import { createWebApp } from '../../src/web/app.ts';
import { addSubscribers, ingestSeeds, startTestApp, type TestApp } from '../support/app.ts';
import { CHROMIUM, skipWithoutChromium } from '../support/chromium.ts';
import { dayItems, isWeekendDay } from '../support/daily-papers-api.ts';
import { startFaultRelay, type FaultRelay } from '../support/fault-relay.ts';

const TOKEN = 'dashboard-admin-token-0123456789';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000 });
const READERS = Array.from({ length: 10 }, (_, i) => `reader${i}@example.org`).concat(['gone1@example.org', 'gone2@example.org', 'lost@example.org']);

async function axe(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol, so the page's CSP (no inline script) stays as it is
  const result = await page.evaluate<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>(
    `${AXE};axe.run(document, { resultTypes: ['violations'] })`,
  );
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}

describe.skipIf(skipWithoutChromium)('the operator dashboard in Chromium', () => {
  let app: TestApp;
  let relay: FaultRelay;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let digestId: number;
  let slow = true;
  const problems: string[] = [];
  const delivery = (email: string) => app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { subscriber: { email } } });
  const source = mkdtempSync(path.join(tmpdir(), 'paperboy-dashboard-source-'));
  const shot = (name: string) => page.screenshot({ path: new URL(`dashboard-${name}.png`, ARTIFACTS).pathname, fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    relay = await startFaultRelay({
      pick: ({ to }) =>
        to === 'lost@example.org'
          ? { kind: 'drop-after-dot', keep: false }
          : to.startsWith('gone')
            ? { kind: slow ? 'rcpt-550' : 'accept' }
            : slow
              ? { kind: 'late-reply', delayMs: 400 }
              : { kind: 'accept' },
    });
    app = await startTestApp('postgres', { SMTP_URL: relay.url, ADMIN_TOKEN: TOKEN, SEND_CONCURRENCY: '1', SMTP_TIMEOUT: '5s', SNAPSHOT_SOURCE: source });
    await ingestSeeds(app);
    await addSubscribers(
      app,
      READERS.map((e) => [e, ['scaling laws']] as [string, string[]]),
    );
    const built = await buildDigest(digestDeps(app.ctx));
    digestId = built.kind === 'built' ? built.digest!.id : 0;
    const handler = createWebApp(app.ctx, { requestLog: false });
    server = http.createServer(handler as unknown as http.RequestListener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => problems.push(`console ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await app?.close();
    await relay?.close();
    rmSync(source, { recursive: true, force: true });
  });

  it('asks for the admin token, refuses a wrong one, and keeps the session in an HttpOnly SameSite=Strict cookie', async () => {
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/ui/login');
    expect(await axe(page)).toEqual([]);
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await poll(() => page.getByRole('alert').textContent()).toContain('not the admin token');
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'paperboy_admin')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
  });

  it('shows a digest while it sends, its progress bar following the delivery log', async () => {
    const worker = await startWorker(app.ctx.db, 'test', app.ctx.log);
    const sending = sendQueued(sendDeps(app.ctx, worker)).finally(() => worker.stop());
    await poll(async () => (await app.ctx.db.prisma.delivery.count({ where: { status: 'sent' } })) > 0).toBe(true);
    await page.goto(`${base}/admin/ui/digests/${digestId}`);
    const bar = page.locator(`progress[data-progress="${digestId}"]`);
    const first = Number(await bar.getAttribute('value'));
    expect(first).toBeLessThan(READERS.length);
    expect(await page.locator(`[data-progress-live="${digestId}"]`).textContent()).toBe('sending');
    await shot('digest-sending');
    expect(await axe(page)).toEqual([]);
    // the script polls progress.json: the bar moves without a reload, up to every delivery settled
    await poll(async () => Number(await bar.evaluate((el) => (el as unknown as { value: number }).value))).toBeGreaterThan(first);
    await sending;
    await poll(async () => Number(await bar.evaluate((el) => (el as unknown as { value: number }).value))).toBe(READERS.length);
    await poll(() => page.locator(`[data-progress-live="${digestId}"]`).textContent()).toBe('done');
    expect(await page.locator('td[data-count="failed"]').textContent()).toBe('2');
    expect(await page.locator('td[data-count="unknown"]').textContent()).toBe('1');
    await shot('digest-done');
  });

  it('resolves an unknown delivery from the overview: the relay had it', async () => {
    slow = false;
    const lost = await delivery('lost@example.org');
    expect(lost.status).toBe('unknown');
    await page.goto(`${base}/admin/ui`);
    const row = page.locator('section[aria-labelledby="unknown"] tr', { hasText: 'lost@example.org' });
    expect(await row.locator('code').textContent()).toBe(lost.messageId);
    await shot('overview-unknown');
    expect(await axe(page)).toEqual([]);
    await row.getByRole('button', { name: 'Relay had it: mark sent' }).click();
    await poll(() => page.getByRole('status').textContent()).toBe(`Delivery ${lost.id} marked sent.`);
    expect(await delivery('lost@example.org')).toMatchObject({ status: 'sent', attempt: 1 });
    expect(await page.locator('section[aria-labelledby="unknown"]').textContent()).toContain('None');
  });

  it('resends the failed deliveries of a digest', async () => {
    await page.goto(`${base}/admin/ui/digests/${digestId}?status=failed`);
    const rows = page.locator('table.deliveries tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.allTextContents()).toEqual([expect.stringMatching(/gone1@example\.org.*550/s), expect.stringMatching(/gone2@example\.org.*550/s)]);
    await page.getByRole('button', { name: 'Resend the 2 failed' }).click();
    await poll(() => page.getByRole('status').textContent()).toBe('Re-queued 2 failed deliveries.');
    for (const email of ['gone1@example.org', 'gone2@example.org']) expect(await delivery(email)).toMatchObject({ status: 'queued', attempt: 2 });
    await shot('digest-resent');
  });

  it('resumes a paused digest', async () => {
    expect(await pauseDigest(app.ctx.db.prisma, digestId, '50 consecutive failed sends (SEND_MAX_ERRORS=50)', new Date())).toBe(true);
    await page.goto(`${base}/admin/ui/digests/${digestId}`);
    expect(await page.locator('main > p').first().textContent()).toContain('50 consecutive failed sends');
    await page.getByRole('button', { name: 'Resume sending' }).click();
    await poll(() => page.getByRole('status').textContent()).toBe(`Resumed digest ${digestId}.`);
    expect((await app.ctx.db.prisma.digest.findUniqueOrThrow({ where: { id: digestId } })).status).toBe('ready');
  });

  it('finds a subscriber by address, with their history', async () => {
    await page.goto(`${base}/admin/ui/subscribers`);
    await page.getByLabel('Address contains').fill('GONE1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'gone1@example.org' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('gone1@example.org');
    expect(await page.locator('.attempts').first().textContent()).toMatch(/attempt 1: failed — 550/);
    expect(await axe(page)).toEqual([]);
    await shot('subscriber');
  });

  it('refuses a form posted without its CSRF token, and nothing changes', async () => {
    const reader = await delivery('reader0@example.org');
    const statuses = await page.evaluate(
      async ([digest]) => {
        const post = (body: string) =>
          fetch(`/admin/ui/digests/${digest}/resend-one`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body,
            redirect: 'manual',
          }).then((r) => r.status);
        return [await post('email=reader0%40example.org'), await post('email=reader0%40example.org&_csrf=forged')];
      },
      [digestId],
    );
    expect(statuses).toEqual([403, 403]);
    expect(await delivery('reader0@example.org')).toMatchObject({ status: reader.status, attempt: reader.attempt });
    expect(app.captured.events('admin.csrf_refused')).toHaveLength(2);
    problems.splice(0, problems.length, ...problems.filter((p) => !/403/.test(p))); // the refused fetches log themselves
  });

  it('shows a failed subscription email on the overview and its page, and sends it again', async () => {
    const reader = await app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { email: 'reader1@example.org' } });
    await app.ctx.db.prisma.subscriber.update({ where: { id: reader.id }, data: { status: 'active' } });
    const now = new Date();
    const mail = await app.ctx.db.prisma.subscriptionMail.create({
      data: {
        subscriberId: reader.id,
        kind: 'preferences_link',
        status: 'failed',
        tries: 1,
        nextTryAt: now,
        retryUntil: now,
        createdAt: now,
        doneAt: now,
        lastError: 'smtp:554: Transaction failed: message refused',
      },
    });
    await page.goto(`${base}/admin/ui`);
    await page.getByRole('link', { name: 'send them again' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Subscription emails');
    expect(await axe(page)).toEqual([]);
    await shot('subscription-mails-failed');
    await page.getByRole('button', { name: 'Send again' }).click();
    await poll(() => page.getByRole('status').textContent()).toBe(`Subscription email ${mail.id} queued again: it goes out within seconds.`);
    expect(await app.ctx.db.prisma.subscriptionMail.findUniqueOrThrow({ where: { id: mail.id } })).toMatchObject({ status: 'queued', tries: 0 });
    expect(await page.locator('#failed + p').textContent()).toBe('None.');
    await shot('subscription-mails-waiting');
  });

  it('lists the real digest first with its listing date, the skipped one folded, every time with its zone', async () => {
    await page.goto(`${base}/admin/ui`);
    const digests = page.locator('section[aria-labelledby="digests"]');
    const [real, skipped] = await Promise.all(
      ['ready', 'skipped'].map((status) => app.ctx.db.prisma.digest.findFirstOrThrow({ where: { status: status as 'ready' }, include: { snapshot: true } })),
    );
    const firstRow = digests.locator('table').first().locator('tbody tr').first();
    expect(await firstRow.locator('td').nth(0).textContent()).toBe(`Digest ${real!.id}`);
    expect(await firstRow.locator('td').nth(1).textContent()).toBe(real!.snapshot.capturedAt.toISOString().slice(0, 10));
    const fold = digests.locator('details.skipped');
    expect(await fold.getAttribute('open')).toBeNull();
    expect(await fold.locator('summary').textContent()).toMatch(/^1 skipped digest: /);
    expect(await fold.locator('tbody tr').first().textContent()).toContain(`Digest ${skipped!.id}${skipped!.snapshot.capturedAt.toISOString().slice(0, 10)}`);
    const times = await page.locator('main time').allTextContents();
    const moments = times.filter((t) => t.includes(':'));
    expect(moments.length).toBeGreaterThan(0);
    for (const t of moments) expect(t).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });

  it('ingests and builds the digest from buttons, each after a confirmation page, and lists both jobs', async () => {
    let day = new Date(Date.now() - 86_400_000);
    while (isWeekendDay(day.toISOString().slice(0, 10))) day = new Date(day.getTime() - 86_400_000);
    const listing = day.toISOString().slice(0, 10);
    writeFileSync(path.join(source, `${listing}.json`), JSON.stringify(dayItems(listing, 6)));
    const digestsBefore = await app.ctx.db.prisma.digest.count();

    await page.goto(`${base}/admin/ui`);
    await page.getByRole('button', { name: 'Ingest now…' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ingest now');
    expect(await app.ctx.db.prisma.snapshot.count()).toBe(2); // nothing yet: the page only asks
    await page.getByRole('button', { name: 'Ingest now', exact: true }).click();
    await poll(() => page.getByRole('status').textContent()).toBe('Ingested: 1 new snapshot, 0 already stored, 0 quiet, 0 rejected.');

    await page.getByRole('button', { name: 'Build the digest…' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Build the digest');
    expect(await page.locator('main').textContent()).toContain(`Build the digest of the listing of ${listing}`);
    expect(await app.ctx.db.prisma.digest.count()).toBe(digestsBefore); // the dry run wrote nothing
    await shot('build-confirm');
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Build and send' }).click();
    await poll(() => page.getByRole('status').textContent()).toMatch(new RegExp(`^Built digest \\d+ of the listing of ${listing}: \\d+ deliveries queued\\.$`));
    const built = await app.ctx.db.prisma.digest.findFirstOrThrow({ orderBy: { id: 'desc' }, include: { snapshot: true } });
    expect(built.snapshot.capturedAt.toISOString().slice(0, 10)).toBe(listing);

    // a form posted without going through its confirmation page does nothing
    const unconfirmed = await page.evaluate<number>(`(async () => {
      const csrf = document.querySelector('input[name="_csrf"]').value;
      const r = await fetch('/admin/ui/digest', {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '_csrf=' + encodeURIComponent(csrf), redirect: 'manual',
      });
      return r.status;
    })()`);
    expect(unconfirmed).toBe(400);
    problems.splice(0, problems.length, ...problems.filter((p) => !/400/.test(p)));

    await page.goto(`${base}/admin/ui`);
    const jobs = await page.locator('section[aria-labelledby="jobs"] tbody tr').allTextContents();
    expect(jobs.slice(0, 2)).toEqual([expect.stringMatching(/^digestdashboardok/), expect.stringMatching(/^ingestdashboardok/)]);
  });

  it('every page fits a 375 px phone: nothing scrolls sideways', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await phone.context().addCookies(await page.context().cookies());
    const subscriber = await app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { email: 'gone1@example.org' } });
    for (const [name, url] of [
      ['overview', '/admin/ui'],
      ['digest', `/admin/ui/digests/${digestId}`],
      ['subscribers', '/admin/ui/subscribers'],
      ['subscriber', `/admin/ui/subscribers/${subscriber.id}`],
      ['subscription-mails', '/admin/ui/subscription-mails'],
    ] as const) {
      await phone.goto(`${base}${url}`);
      await phone
        .locator('details.skipped summary')
        .first()
        .click({ timeout: 1000 })
        .catch(() => undefined); // open the fold too
      await phone.screenshot({ path: new URL(`dashboard-375-${name}.png`, ARTIFACTS).pathname, fullPage: true });
      const wide = await phone.evaluate<string[]>( // what sticks out, if anything
        `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 375).map((e) => e.tagName + '.' + e.className ` +
          `+ ' ' + Math.round(e.getBoundingClientRect().right))`,
      );
      expect(await phone.evaluate<number>('document.documentElement.scrollWidth'), `${name}: ${wide.join(', ')}`).toBeLessThanOrEqual(375);
    }
    await phone.close();
  });

  it('loaded nothing the CSP refused, and logged no error in the page', () => {
    expect(problems).toEqual([]);
  });
});
