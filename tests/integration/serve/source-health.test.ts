// A URL source served by a local HTTP server that answers 500, then garbage, then an empty list,
// then a good snapshot: the right events, metrics and /healthz states at each step, no digest from
// the bad ones, an empty list a quiet check (healthy); and an unchanged listing (ETag) is not
// downloaded again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, ingestDeps } from '../../../src/app/deps.ts';
import type { Sql } from '../../../src/db/database.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestSource } from '../../../src/jobs/ingest-source.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { bodyOf, type Health } from '../../support/json-body.ts';
import { metricValue, parsePrometheus } from '../../support/prometheus.ts';

const GOOD = JSON.stringify([
  {
    paper: {
      id: '2606.01234',
      title: 'Scaling Laws for Tiny Models',
      summary: 'We study scaling laws.',
      authors: [{ name: 'A. B.' }],
      upvotes: 4,
      publishedAt: '2026-06-10T00:00:00.000Z',
    },
    publishedAt: '2026-06-11T07:00:00.000Z',
  },
]);

type Answer = { status: number; body: string; etag?: string };

describe('source health (URL source)', () => {
  let app: TestApp;
  let server: Server;
  let url: string;
  let answer: Answer = { status: 500, body: 'oops' };
  const served = { requests: 0, bodies: 0, conditional: 0 };
  const check = () => ingestSource(ingestDeps(app.ctx), url, { staleAfterMs: 48 * 3600_000, tries: 2, backoffMs: 20 });
  const health = async () => bodyOf<Health>(await request(createWebApp(app.ctx, { requestLog: false })).get('/healthz'));
  const metrics = async () => parsePrometheus(await app.ctx.metrics.registry.metrics());

  beforeAll(async () => {
    server = createServer((req, res) => {
      served.requests++;
      if (answer.etag && req.headers['if-none-match'] === answer.etag) {
        served.conditional++;
        res.writeHead(304).end();
        return;
      }
      served.bodies++;
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...(answer.etag ? { ETag: answer.etag } : {}) }).end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/daily_papers`;
    app = await startTestApp('postgres', { SNAPSHOT_SOURCE: url });
  });
  afterAll(async () => {
    await app?.close();
    server?.close();
  });

  it('500: retried, then reported unhealthy (fetch_failed), nothing stored', async () => {
    answer = { status: 500, body: 'Internal Server Error' };
    const result = await check();
    expect(served.requests).toBe(2); // retried once with backoff
    expect(result.outcomes).toEqual([]);
    expect(result.health).toMatchObject({ healthy: false, problems: [{ reason: 'fetch_failed' }] });
    expect(app.captured.events('source.unhealthy').at(-1)).toMatchObject({ reason: 'fetch_failed', source: url });
    expect(metricValue(await metrics(), 'paperboy_source_unhealthy_total', { reason: 'fetch_failed' })).toBe(1);
    const h = await health();
    expect(h.status).toBe('degraded');
    expect(h.reasons[0]).toMatch(/^source fetch_failed: HTTP 500/);
    expect(await app.ctx.db.prisma.snapshot.count()).toBe(0);
  });

  it('garbage: not_a_snapshot, rejected, still degraded', async () => {
    answer = { status: 200, body: '<!DOCTYPE html><html><body>Service Unavailable</body></html>' };
    const result = await check();
    expect(result.outcomes.map((o) => o.kind)).toEqual(['rejected']);
    expect(result.health.problems.map((p) => p.reason)).toEqual(['not_a_snapshot']);
    expect(metricValue(await metrics(), 'paperboy_snapshots_rejected_total', { code: 'SNAPSHOT_INVALID' })).toBe(1);
    expect((await health()).status).toBe('degraded');
  });

  it('an empty list (a weekend): a quiet check, healthy again, nothing stored, never an empty digest', async () => {
    answer = { status: 200, body: '[]' };
    const result = await check();
    expect(result.outcomes.map((o) => o.kind)).toEqual(['quiet']);
    expect(result.health).toMatchObject({ healthy: true, problems: [], consecutiveFailures: 0 });
    expect(metricValue(await metrics(), 'paperboy_snapshots_quiet_total')).toBe(1);
    expect(metricValue(await metrics(), 'paperboy_source_healthy')).toBe(1);
    expect(app.captured.events('snapshot.quiet').at(-1)).toMatchObject({ source: url });
    expect((await health()).status).toBe('ok');
    expect(await app.ctx.db.prisma.snapshot.count()).toBe(0);
    expect(await buildDigest(digestDeps(app.ctx))).toEqual({ kind: 'no-snapshot' });
    expect(await app.ctx.db.prisma.digest.count()).toBe(0);
  });

  it('a good snapshot: stored, healthy again, and a digest can be built from it', async () => {
    answer = { status: 200, body: GOOD, etag: '"v1"' };
    const result = await check();
    expect(result.outcomes.map((o) => o.kind)).toEqual(['ingested']);
    expect(result.health).toMatchObject({ healthy: true, problems: [], consecutiveFailures: 0 });
    expect(metricValue(await metrics(), 'paperboy_source_healthy')).toBe(1);
    expect(metricValue(await metrics(), 'paperboy_snapshots_ingested_total', { format: 'json' })).toBe(1);
    const h = await health();
    expect(h.status).toBe('ok');
    expect(h.source).toMatchObject({ healthy: true });
    expect((await buildDigest(digestDeps(app.ctx))).kind).toBe('built');
  });

  it('an unchanged listing answers 304 to the stored ETag and is not downloaded again', async () => {
    const before = { ...served };
    const result = await check();
    expect(result.unchanged).toBe(true);
    expect(result.outcomes).toEqual([]);
    expect(served.requests - before.requests).toBe(1);
    expect(served.conditional - before.conditional).toBe(1);
    expect(served.bodies).toBe(before.bodies);
    expect(result.health.healthy).toBe(true);
  });

  it('a check that fails half-way (the database refuses a write) fails the job and shows in the health at once', async () => {
    answer = { status: 200, body: GOOD.replace('Tiny Models', 'Tiny Models, Again'), etag: '"v2"' };
    const gone = () => Promise.reject(new Error('connection terminated unexpectedly'));
    const refusing = { query: gone, connect: gone } as unknown as Sql;
    const failing = ingestSource({ ...ingestDeps(app.ctx), sql: refusing }, url, { staleAfterMs: 48 * 3600_000 });
    await expect(failing).rejects.toThrow('connection terminated unexpectedly');
    const h = await health();
    expect(h.status).toBe('degraded');
    expect(h.reasons[0]).toBe('source check_failed: the check failed: connection terminated unexpectedly');
    expect(h.source).toMatchObject({ healthy: false, consecutiveFailures: 1 });
    // the next good check clears it
    expect((await check()).health).toMatchObject({ healthy: true, problems: [] });
  });

  it('a source with no new snapshot for longer than SOURCE_STALE_AFTER is stale', async () => {
    const later = ingestSource({ ...ingestDeps(app.ctx), now: () => new Date(Date.now() + 49 * 3600_000) }, url, { staleAfterMs: 48 * 3600_000 });
    const result = await later;
    expect(result.health.problems.map((p) => p.reason)).toEqual(['stale']);
  });
});
