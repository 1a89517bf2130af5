// Never the same paper twice, whatever the operator does (issue 19, finding 2). Paper X is in digest
// A (day 1), drops out of B (day 2) and comes back, new again, in C (day 3). A reader's A failed (or
// ended unknown), so C mailed them X; then every remedy an operator has — `resend --only-failed`
// (the README's), a resend from the admin API, the dashboard's button, `resolve --resend`, and a
// resend racing C through two senders — must leave X out of A: A goes with what is left (its subject
// counts it), or, nothing left, is recorded skipped (nothing_new) and never mailed. A weekly reader's
// carried papers count the same. Real SMTP sink, read back with mailparser; both databases.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, ingestDeps, sendDeps } from '../../../src/app/deps.ts';
import { startWorker } from '../../../src/deliver/worker-liveness.ts';
import { pauseDigest, resumeDigest } from '../../../src/db/digests.ts';
import { archiveUrl } from '../../../src/deliver/links.ts';
import { resendOne } from '../../../src/deliver/resend.ts';
import { sendQueued } from '../../../src/deliver/send-deliveries.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestInputs } from '../../../src/ingest/ingest-inputs.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { pagesRouter } from '../../../src/web/pages/router.ts';
import { addSubscribers, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { runCli } from '../../support/cli.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { anyOf } from '../../support/matchers.ts';
import { bodyOf, type Page } from '../../support/json-body.ts';

const TOKEN = 'never-twice-admin-token-0123456789';
const X = 'Zebrafish Scaling Laws Revisited';
const P1 = 'Scaling Laws of Small Models';
const P2 = 'Scaling Laws on the Second Day';
const P3 = 'Scaling Laws on the Third Day';
const PAPERS: Record<string, string> = { [X]: '2605.00001', [P1]: '2605.00002', [P2]: '2605.00003', [P3]: '2605.00004' };

/** readers, each through one path; `only` and `weekly` have nothing left of A once C went out */
const READERS = ['cli', 'only', 'weekly', 'api', 'dash', 'resolve', 'race'].map((r) => `${r}@example.org`);

const plain = (text: string | undefined) => (text ?? '').replace(/\*/g, '');

describe.each(['postgres', 'embedded'] as const)('never the same paper twice (%s)', (backend) => {
  let app: TestApp;
  let sink: SmtpSink;
  let http: ReturnType<typeof createWebApp>;
  const digests: Record<'A' | 'B' | 'C', number> = { A: 0, B: 0, C: 0 };
  const prisma = () => app.ctx.db.prisma;
  const deliveryOf = (digest: 'A' | 'B' | 'C', email: string) =>
    prisma().delivery.findFirstOrThrow({ where: { digestId: digests[digest], subscriber: { email } } });
  /** the titles of every message `email` got, message by message */
  const titlesTo = (email: string) => sink.messagesTo(email).map((m) => Object.keys(PAPERS).filter((t) => plain(m.parsed.text).includes(t)));
  const timesMailed = (email: string, title: string) => titlesTo(email).filter((titles) => titles.includes(title)).length;

  const day = async (n: number, titles: string[], options: { now?: Date } = {}) => {
    const items = titles.map((title) => ({
      paper: { id: PAPERS[title], title, summary: `${title}: what we found.`, authors: [], upvotes: 1 },
      publishedAt: `2026-06-0${n}T06:00:00.000Z`,
    }));
    const file = path.join(app.dataDir, `day-${n}.json`);
    await writeFile(file, JSON.stringify(items));
    const [outcome] = await ingestInputs(ingestDeps(app.ctx), [file]);
    expect(outcome?.kind).toBe('ingested');
    const built = await buildDigest({ ...digestDeps(app.ctx), ...(options.now ? { now: () => options.now! } : {}) });
    expect(built.kind).toBe('built');
    return built.kind === 'built' ? built.digest!.id : 0;
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp(backend, {
      SMTP_URL: sink.url,
      ADMIN_TOKEN: TOKEN,
      SEND_MAX_TRIES: '1',
      BOUNCE_LIMIT: '10',
      SMTP_TIMEOUT: '5s',
      SMTP_REPLY_TIMEOUT: '5s',
    });
    http = createWebApp(app.ctx, { requestLog: false });
    await addSubscribers(app, [
      ['cli@example.org', ['scaling laws']],
      ['only@example.org', ['zebrafish']],
      ['weekly@example.org', ['scaling laws']],
      ['api@example.org', ['scaling laws']],
      ['dash@example.org', ['scaling laws']],
      ['resolve@example.org', ['scaling laws']],
      ['race@example.org', ['scaling laws']],
    ]);
    // A: X and P1, refused (550) for every reader.
    digests.A = await day(1, [X, P1]);
    sink.setBehaviour({ rejectRecipients: Object.fromEntries(READERS.map((r) => [r, 550])) });
    expect(await sendNow(app)).toMatchObject({ sent: 0, failed: READERS.length });
    sink.setBehaviour({});
    // B: X dropped out of the listing.
    digests.B = await day(2, [P2]);
    await sendNow(app);
    // C: X is back, new again (never mailed). The weekly reader, weekly from now, is due tomorrow: C carries A's P1 for them.
    await prisma().subscriber.update({ where: { emailKey: 'weekly@example.org' }, data: { frequency: 'weekly', weeklyDay: (new Date().getUTCDay() + 1) % 7 } });
    digests.C = await day(3, [X, P3], { now: new Date(Date.now() + 24 * 3600 * 1000) });
    expect((await deliveryOf('C', 'weekly@example.org')).papers).toHaveLength(3); // X, P3 and the carried P1
    // Before C goes out, one reader's A is resent and its reply never comes: unknown, it may have reached them.
    await pauseDigest(prisma(), digests.C, 'the test holds it', new Date());
    expect((await resendOne(app.ctx.db.sql, digests.A, 'resolve@example.org')).kind).toBe('queued');
    sink.setBehaviour({ stallRecipients: ['resolve@example.org'] });
    expect(await sendNow(app)).toMatchObject({ sent: 0, unknown: 1 });
    sink.setBehaviour({});
    await resumeDigest(prisma(), digests.C);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it('C: every reader got X once (A failed), but the one whose A is unknown: C leaves X out for them', async () => {
    // the race: A re-queued before C is sent; two senders at once take both
    expect((await resendOne(app.ctx.db.sql, digests.A, 'race@example.org')).kind).toBe('queued');
    const [w1, w2] = [await startWorker(app.ctx.db, 'one', app.ctx.log), await startWorker(app.ctx.db, 'two', app.ctx.log)];
    try {
      await Promise.all([sendQueued(sendDeps(app.ctx, w1)), sendQueued(sendDeps(app.ctx, w2))]);
    } finally {
      await Promise.all([w1.stop(), w2.stop()]);
    }
    for (const reader of READERS) expect([reader, timesMailed(reader, X)]).toEqual([reader, reader === 'resolve@example.org' ? 0 : 1]);
    expect(titlesTo('resolve@example.org').at(-1)).toEqual([P3]);
    // the race's two deliveries: the older (A) went first with X; C went with what was left
    expect(titlesTo('race@example.org').flat().sort()).toEqual([P1, P2, P3, X].sort());
    expect((await deliveryOf('C', 'race@example.org')).papers).toHaveLength(1);
  });

  it('the admin API: A goes again with P1 only, its subject counting one paper', async () => {
    const res = await request(http).post(`/admin/digests/${digests.A}/resend`).set('Authorization', `Bearer ${TOKEN}`).send({ email: 'api@example.org' });
    expect(res.status).toBe(200);
    expect(await sendNow(app)).toMatchObject({ sent: 1, skipped: 0 });
    const last = sink.messagesTo('api@example.org').at(-1)!;
    expect(last.messageId).toBe(`delivery-${(await deliveryOf('A', 'api@example.org')).id}.2@localhost`);
    expect(last.parsed.subject).toMatch(/^1 new paper on /);
    expect(titlesTo('api@example.org').at(-1)).toEqual([P1]);
    expect(String(last.parsed.html)).not.toContain(X);
    // the delivery now holds what was mailed, and its web view ("View in your browser") shows that
    const a = await deliveryOf('A', 'api@example.org');
    expect(a.papers).toEqual([expect.objectContaining({ paperId: anyOf(Number) })]);
    const webView = new URL(archiveUrl(app.ctx.tokens, app.ctx.config.BASE_URL, a.subscriberId, a.id));
    const view = await request(createWebApp(app.ctx, { pages: pagesRouter(app.ctx), requestLog: false }))
      .get(webView.pathname + webView.search)
      .expect(200);
    expect(view.text).toContain(P1);
    expect(view.text).not.toContain(X);
    expect(timesMailed('api@example.org', X)).toBe(1);
  });

  it("the dashboard's Resend button: the same", async () => {
    const login = await request(http).post('/admin/ui/login').type('form').send({ token: TOKEN }).expect(303);
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('paperboy_admin='))!
      .split(';')[0]!;
    const page = await request(http).get(`/admin/ui/digests/${digests.A}?status=failed`).set('Cookie', cookie).expect(200);
    const form = formFor(page.text, 'dash@example.org');
    await request(http).post(form.action).set('Cookie', cookie).type('form').send(form.fields).expect(303);
    expect(await sendNow(app)).toMatchObject({ sent: 1 });
    expect(titlesTo('dash@example.org').at(-1)).toEqual([P1]);
    expect(timesMailed('dash@example.org', X)).toBe(1);
  });

  it('`paperboy resolve <id> --resend` of the unknown A: A goes with X, which C left out', { timeout: 120_000 }, async () => {
    const a = await deliveryOf('A', 'resolve@example.org');
    expect(a.status).toBe('unknown');
    const resolved = await runCli(['resolve', String(a.id), '--resend'], app.env);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(await sendNow(app)).toMatchObject({ sent: 1 });
    expect(titlesTo('resolve@example.org').at(-1)).toEqual([X, P1]);
    expect(timesMailed('resolve@example.org', X)).toBe(1);
  });

  it("`paperboy resend A --only-failed`, the README's remedy: what is left goes; nothing left is skipped, never mailed", { timeout: 120_000 }, async () => {
    const resent = await runCli(['resend', String(digests.A), '--only-failed'], app.env);
    expect(resent.code, resent.stderr).toBe(0);
    expect(resent.stdout).toContain('re-queued 3 failed deliveries');
    const sent = await runCli(['send'], app.env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^sent 1, failed 0, retried 0, skipped 2 \(nothing new/m);
    expect(titlesTo('cli@example.org').at(-1)).toEqual([P1]);
    expect(sink.messagesTo('only@example.org')).toHaveLength(1); // C only
    expect(sink.messagesTo('weekly@example.org')).toHaveLength(2); // B (daily then) and the weekly C
    for (const reader of ['only@example.org', 'weekly@example.org']) {
      const a = await deliveryOf('A', reader);
      expect([a.status, a.errorCode]).toEqual(['skipped', 'nothing_new']);
      const attempts = await prisma().deliveryAttempt.findMany({ where: { deliveryId: a.id }, orderBy: { id: 'asc' } });
      expect(attempts.map((t) => t.status)).toEqual(['failed', 'skipped']);
    }
    for (const reader of READERS) expect([reader, timesMailed(reader, X)]).toEqual([reader, 1]);
    for (const reader of READERS) expect([reader, timesMailed(reader, P1)]).toEqual([reader, reader === 'only@example.org' ? 0 : 1]);
  });

  it('skipped deliveries are counted where statuses are listed: the admin API, /metrics', async () => {
    const res = await request(http).get('/admin/digests').set('Authorization', `Bearer ${TOKEN}`);
    expect(bodyOf<Page<{ id: number; counts: Record<string, number> }>>(res).items.find((d) => d.id === digests.A)!.counts).toMatchObject({
      skipped: 2,
      sent: 5,
      failed: 0,
    });
    const metrics = (await request(http).get('/metrics')).text;
    expect(metrics).toMatch(/^paperboy_deliveries\{status="skipped"\} 2$/m);
    const login = await request(http).post('/admin/ui/login').type('form').send({ token: TOKEN }).expect(303);
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('paperboy_admin='))!
      .split(';')[0]!;
    const page = await request(http).get(`/admin/ui/digests/${digests.A}`).set('Cookie', cookie).expect(200);
    expect(page.text).toMatch(/<td data-count="skipped"><a [^>]*>2<\/a><\/td>/);
    const progress = await request(http).get(`/admin/ui/digests/${digests.A}/progress.json`).set('Cookie', cookie).expect(200);
    expect(progress.body).toMatchObject({ done: READERS.length, total: READERS.length, inFlight: false }); // skipped ones are done
  });
});

const unescape = (v: string) =>
  v
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The Resend form of one reader's row on a dashboard page: where it posts and its fields. */
function formFor(page: string, email: string): { action: string; fields: Record<string, string> } {
  const forms = [...page.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => f[2]!.includes(`value="${email}"`) && f[1]!.endsWith('/resend-one'));
  if (!form) throw new Error(`no Resend form for ${email}`);
  const fields = Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, unescape(m[2]!)]));
  return { action: form[1]!, fields };
}
