// Secrets never leave: a run of `paperboy serve` (and the CLI) with credentials and API keys in
// SNAPSHOT_SOURCE, SMTP_URL and DATABASE_URL, and tokens in ADMIN_TOKEN, METRICS_TOKEN and
// SECRET_KEY, through a failing, a garbage and a good listing, a subscription and a digest. Every
// response body and header and every stdout/stderr line of the run is searched for each secret;
// the source server checks the credentials did reach it (as HTTP Basic auth and the query).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { freshPostgresUrl } from '../../support/databases.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { parseJson, type Health } from '../../support/json-body.ts';
import type { ingestAction } from '../../../src/web/admin/actions.ts';
import { startServe, type ServeChild } from './serve-child.ts';

const SECRETS = {
  sourceUser: 'feed-reader-7b2',
  sourcePass: 'src-pass-9f3a1',
  apiKey: 'APIKEY-7d1e-55c0',
  smtpPass: 'smtp-pass-51c8e',
  dbPass: 'db-pass-c0a4d',
  adminToken: 'admin-token-3e9f8a7b6c5d',
  metricsToken: 'metrics-token-0a1b2c3d4e',
  secretKey: 'signing-key-feedfacecafebeef',
  otherKey: 'OTHER-KEY-42aa',
};
const GOOD = JSON.stringify([
  {
    paper: { id: '2611.01234', title: 'Scaling Laws for Secret Keeping', summary: 'We study scaling laws.', upvotes: 3 },
    publishedAt: '2026-11-20T08:00:00.000Z',
  },
]);

type Ingested = Extract<Awaited<ReturnType<typeof ingestAction>>, { kind: 'direct' }>;

describe('secrets in a run of serve and the CLI (PostgreSQL, SMTP with auth, an authenticated source)', () => {
  let dir: string;
  let source: Server;
  let sink: SmtpSink;
  let serve: ServeChild | undefined;
  afterAll(async () => {
    await serve?.stop();
    await sink?.close();
    source?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('no response, header or log line carries any of them', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-secrets-'));
    // The source: 500 three times (the start-up ingest retries), then garbage, then a good listing.
    const answers = ['500', '500', '500', 'garbage', 'good'];
    const seen: Array<Pick<IncomingMessage, 'url' | 'headers'>> = [];
    source = createServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      if (answer === '500') res.writeHead(500).end('down');
      else if (answer === 'garbage') res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>maintenance</body></html>');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(GOOD);
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
    const sourceBase = `127.0.0.1:${(source.address() as AddressInfo).port}`;
    const sourceUrl = `http://${SECRETS.sourceUser}:${SECRETS.sourcePass}@${sourceBase}/api/daily_papers?apikey=${SECRETS.apiKey}&limit=100`;
    sink = await startSmtpSink({ auth: { user: 'mailer', pass: SECRETS.smtpPass } });
    const databaseUrl = new URL(await freshPostgresUrl());
    databaseUrl.username = 'postgres';
    databaseUrl.password = SECRETS.dbPass; // local PostgreSQL trusts: the password is carried, never checked
    const env = {
      DATABASE_URL: databaseUrl.toString(),
      DATA_DIR: path.join(dir, 'data'),
      SNAPSHOT_SOURCE: sourceUrl,
      SMTP_URL: sink.url,
      ADMIN_TOKEN: SECRETS.adminToken,
      METRICS_TOKEN: SECRETS.metricsToken,
      SECRET_KEY: SECRETS.secretKey,
      INGEST_CRON: '0 0 1 1 *',
      DIGEST_CRON: '0 0 1 1 *',
      LOG_LEVEL: 'debug',
    };
    const responses: string[] = [];
    const call = async (route: string, init: RequestInit & { token?: string } = {}) => {
      const res = await fetch(`${serve!.url}${route}`, {
        ...init,
        headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers },
      });
      const body = await res.text();
      responses.push(`${route} ${res.status} ${JSON.stringify([...res.headers])} ${body}`);
      return { status: res.status, body };
    };
    const admin = (route: string, body?: unknown) =>
      call(route, {
        token: SECRETS.adminToken,
        ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });

    serve = await startServe(env);
    await serve.waitForHealth((h) => h.lastIngest?.status === 'ok');
    expect(parseJson<Health>((await call('/healthz')).body).reasons[0]).toMatch(/^source fetch_failed: HTTP 500/);
    expect((await admin('/admin/source')).status).toBe(200);
    expect(JSON.parse((await admin('/admin/ingest', {})).body)).toMatchObject({ outcome: 'ran', detail: { rejected: 1 } }); // garbage
    await call('/healthz');
    expect(JSON.parse((await admin('/admin/ingest', {})).body)).toMatchObject({ outcome: 'ran', detail: { ingested: 1 } }); // good
    await call('/healthz');
    await admin('/admin/source');
    // an operator's one-off URL with its own key, and one that cannot be fetched
    const oneOff = parseJson<Ingested>((await admin('/admin/ingest', { url: `http://${sourceBase}/api/daily_papers?token=${SECRETS.otherKey}` })).body);
    expect(oneOff.outcomes[0]?.source).toBe(`http://${sourceBase}/api/daily_papers?***`);
    await admin('/admin/ingest', { url: `http://127.0.0.1:1/unreachable?token=${SECRETS.otherKey}` });

    await call('/');
    await call(`/api/preview?topics=${encodeURIComponent('scaling laws')}`);
    const form = new URLSearchParams({ email: 'reader@example.org', topics: 'scaling laws' }).toString();
    expect((await call('/subscribe', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);
    const [confirmation] = await sink.waitFor(1, 20_000);
    const confirmLink = /http:\/\/localhost:\d+(\/confirm\?token=[^\s"<>]+)/.exec(confirmation!.parsed.text ?? '')![1]!;
    await call(confirmLink, { method: 'POST', body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await admin('/admin/digest', {});
    await sink.waitFor(2, 20_000);
    await admin('/admin/digests');
    await call('/metrics', { token: SECRETS.metricsToken });
    await call('/metrics'); // refused without the token
    await call('/admin/digests', { token: 'a-wrong-token-of-some-length' });
    await call('/healthz');
    expect(await serve.stop()).toBe(0);

    // The CLI with the same settings: an ingest of the source and of a URL that fails.
    const cli = [
      await runCli(['ingest', sourceUrl], env),
      await runCli(['ingest', `http://u:${SECRETS.sourcePass}@127.0.0.1:1/x?apikey=${SECRETS.apiKey}`], env),
    ];
    expect(cli[1]!.code).toBe(1);

    // The credentials reached the source, the way HTTP carries them.
    const basic = `Basic ${Buffer.from(`${SECRETS.sourceUser}:${SECRETS.sourcePass}`).toString('base64')}`;
    expect(seen.filter((r) => r.url?.includes(SECRETS.apiKey)).length).toBeGreaterThanOrEqual(5);
    expect(seen.filter((r) => r.headers.authorization === basic).length).toBeGreaterThanOrEqual(5);

    const everything = [serve.stdout(), serve.stderr(), ...responses, ...cli.flatMap((r) => [r.stdout, r.stderr])].join('\n');
    expect(serve.stderr().split('\n').length).toBeGreaterThan(50); // a real run's worth of lines was searched
    expect(serve.stdout()).toContain(`source     http://***@${sourceBase}/api/daily_papers?***:`);
    for (const [name, secret] of Object.entries(SECRETS)) {
      const at = everything.indexOf(secret);
      expect(at, `${name} leaked: …${everything.slice(Math.max(0, at - 200), at + 100)}…`).toBe(-1);
    }
  }, 180_000);
});
