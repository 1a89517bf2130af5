// /metrics parses as Prometheus text and its counters move as the pipeline runs; METRICS_TOKEN
// protects it; every request is one http.request log line with a request id and no query string.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, sendDeps } from '../../../src/app/deps.ts';
import { startWorker } from '../../../src/deliver/worker-liveness.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { sendQueued } from '../../../src/deliver/send-deliveries.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, ingestSeeds, startTestApp, type TestApp } from '../../support/app.ts';
import { metricValue, parsePrometheus } from '../../support/prometheus.ts';
import { stringMatching } from '../../support/matchers.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let http: ReturnType<typeof createWebApp>;
  const scrape = async () => {
    const res = await request(http).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(res.text);
  };

  beforeAll(async () => {
    sink = await startSmtpSink({ behaviour: { rejectRecipients: { 'gone@example.org': 550 } } });
    app = await startTestApp('postgres', { SMTP_URL: sink.url, METRICS_TOKEN: TOKEN });
    http = createWebApp(app.ctx);
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it('is protected by METRICS_TOKEN when set', async () => {
    expect((await request(http).get('/metrics')).status).toBe(401);
    expect((await request(http).get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
  });

  it('parses, with TYPE lines, the process metrics and every paperboy family', async () => {
    const m = await scrape();
    const families: Array<[string, string]> = [
      ['paperboy_snapshots_ingested_total', 'counter'],
      ['paperboy_snapshots_rejected_total', 'counter'],
      ['paperboy_snapshot_papers', 'histogram'],
      ['paperboy_subscribers', 'gauge'],
      ['paperboy_deliveries', 'gauge'],
      ['paperboy_subscription_mails', 'gauge'],
      ['paperboy_send_seconds', 'histogram'],
      ['paperboy_smtp_errors_total', 'counter'],
      ['paperboy_digest_build_seconds', 'histogram'],
      ['paperboy_matcher_seconds', 'histogram'],
      ['paperboy_http_requests_total', 'counter'],
      ['paperboy_process_resident_memory_bytes', 'gauge'],
    ];
    for (const [name, type] of families) {
      expect(m.types.get(name), name).toBe(type);
    }
  });

  it('moves as the pipeline runs', async () => {
    await ingestSeeds(app);
    await addSubscribers(app, [
      ['alice@example.org', ['scaling laws']],
      ['gone@example.org', ['scaling laws']],
      ['pat@example.org', ['protein folding'], 'pending'],
    ]);
    let m = await scrape();
    expect(metricValue(m, 'paperboy_snapshots_ingested_total', { format: 'text' })).toBe(2);
    expect(metricValue(m, 'paperboy_snapshot_papers_count')).toBe(2);
    expect(metricValue(m, 'paperboy_snapshot_papers_sum')).toBe(67);
    expect(metricValue(m, 'paperboy_subscribers', { status: 'active' })).toBe(2);
    expect(metricValue(m, 'paperboy_subscribers', { status: 'pending' })).toBe(1);
    expect(metricValue(m, 'paperboy_subscription_mails', { status: 'failed' })).toBe(0);
    const pat = await app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { email: 'pat@example.org' } });
    const now = new Date();
    await app.ctx.db.prisma.subscriptionMail.create({
      data: { subscriberId: pat.id, kind: 'confirmation', status: 'failed', nextTryAt: now, retryUntil: now, createdAt: now },
    });
    expect(metricValue(await scrape(), 'paperboy_subscription_mails', { status: 'failed' })).toBe(1);

    await buildDigest(digestDeps(app.ctx));
    m = await scrape();
    expect(metricValue(m, 'paperboy_digest_build_seconds_count')).toBe(1);
    expect(metricValue(m, 'paperboy_deliveries', { status: 'queued' })).toBe(2);

    const worker = await startWorker(app.ctx.db, 'test', app.ctx.log);
    await sendQueued(sendDeps(app.ctx, worker));
    await worker.stop();
    m = await scrape();
    expect(metricValue(m, 'paperboy_deliveries', { status: 'sent' })).toBe(1);
    expect(metricValue(m, 'paperboy_deliveries', { status: 'failed' })).toBe(1);
    expect(metricValue(m, 'paperboy_send_seconds_count')).toBe(1);
    expect(metricValue(m, 'paperboy_smtp_errors_total', { class: '5xx' })).toBe(1);
    expect(metricValue(m, 'paperboy_http_requests_total', { route: '/metrics', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(3);
  });

  it('logs each request once, with an id, without the query string', async () => {
    const res = await request(http).get('/healthz?token=secret-looking').set('X-Request-Id', 'req-42');
    expect(res.headers['x-request-id']).toBe('req-42');
    const unknown = await request(http).get('/nope?token=abc');
    expect(unknown.status).toBe(404);
    const lines = app.captured.lines.filter((l) => l.event === 'http.request');
    const nope = lines.filter((l) => (l.req as { path?: string }).path === '/nope');
    expect(nope).toHaveLength(1);
    expect(nope[0]).toMatchObject({ level: 'info', req: { method: 'GET', path: '/nope', id: stringMatching(/^[0-9a-f-]{36}$/) }, res: { status: 404 } });
    expect(JSON.stringify(app.captured.lines)).not.toContain('token=');
  });
});
