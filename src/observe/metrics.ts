// Prometheus metrics (prom-client), one registry per context. The steps report what happened
// through this narrow interface; counts that live in the database (subscribers, deliveries by
// status) are read when /metrics is scraped.
import client from 'prom-client';
import { DELIVERY_STATUSES, IN_FLIGHT } from '../model/delivery-status.ts';
import type { PrismaClient } from '../db/generated/client.ts';

export interface Metrics {
  readonly registry: client.Registry;
  snapshotIngested(format: string, papers: number): void;
  snapshotDuplicate(): void;
  snapshotRejected(code: string): void;
  /** an empty listing: a quiet check, not a failure */
  snapshotQuiet(): void;
  digestBuilt(seconds: number, matcherSeconds: number): void;
  deliverySent(seconds: number): void;
  /** a failed try: `code` is the stored code ("smtp:451", "ECONNECTION" …) */
  smtpError(code: string): void;
  matcher(seconds: number): void;
  sourceUnhealthy(reason: string): void;
  sourceHealthy(healthy: boolean): void;
  job(job: string, outcome: 'ran' | 'skipped' | 'failed', seconds?: number): void;
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** a bounce, complaint or mailto unsubscribe handled (kind: hard_bounce, soft_bounce, delayed, complaint, unsubscribe) */
  inboundReport(kind: string, via: string): void;
  /** an inbound message or notification refused (forged, unsigned, unknown …) */
  inboundRefused(reason: string, via: string): void;
}

/** "smtp:451" → 4xx, "smtp:550" → 5xx, ETIMEDOUT → timeout, ECONNECTION → connection … */
function smtpErrorClass(code: string): string {
  const reply = /^smtp:(\d)/.exec(code);
  if (reply) return `${reply[1]}xx`;
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNECTION') return 'connection';
  if (code === 'EAUTH' || code === 'ETLS') return 'auth_tls';
  return 'other';
}

export function createMetrics(prisma: PrismaClient | null, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (options.defaultMetrics !== false) {
    client.collectDefaultMetrics({ register: registry, prefix: 'paperboy_' });
    // gauges named like counters (promtool check metrics refuses them); the per-type gauges
    // paperboy_nodejs_active_handles{type} and paperboy_nodejs_active_resources{type} remain
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      registry.removeSingleMetric(`paperboy_${name}`);
  }
  const registers = [registry];

  const ingested = new client.Counter({ name: 'paperboy_snapshots_ingested_total', help: 'Snapshots stored, by format', labelNames: ['format'], registers });
  const duplicates = new client.Counter({ name: 'paperboy_snapshots_duplicate_total', help: 'Inputs that were an already stored snapshot', registers });
  const rejected = new client.Counter({
    name: 'paperboy_snapshots_rejected_total',
    help: 'Inputs rejected as not a snapshot, by code',
    labelNames: ['code'],
    registers,
  });
  const quiet = new client.Counter({
    name: 'paperboy_snapshots_quiet_total',
    help: 'Inputs that were an empty listing (a quiet day): nothing stored, not a failure',
    registers,
  });
  const papers = new client.Histogram({
    name: 'paperboy_snapshot_papers',
    help: 'Papers per ingested snapshot',
    buckets: [0, 5, 10, 20, 30, 40, 50, 75, 100, 200],
    registers,
  });
  const digest = new client.Histogram({
    name: 'paperboy_digest_build_seconds',
    help: 'Time to build a digest (plan and queue every delivery)',
    buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const matcher = new client.Histogram({
    name: 'paperboy_matcher_seconds',
    help: 'Time spent matching topics (per digest build or preview request)',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers,
  });
  const send = new client.Histogram({
    name: 'paperboy_send_seconds',
    help: 'Time from handing a message to the relay to its acceptance',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const smtp = new client.Counter({
    name: 'paperboy_smtp_errors_total',
    help: 'Failed tries by class of error (4xx, 5xx, connection, timeout …)',
    labelNames: ['class'],
    registers,
  });
  const unhealthy = new client.Counter({
    name: 'paperboy_source_unhealthy_total',
    help: 'Checks of the snapshot source that found it unhealthy, by reason',
    labelNames: ['reason'],
    registers,
  });
  const healthy = new client.Gauge({ name: 'paperboy_source_healthy', help: '1 when the last check of the snapshot source found it healthy', registers });
  const jobs = new client.Counter({
    name: 'paperboy_jobs_total',
    help: 'Scheduled jobs by outcome (skipped: another process held the lock)',
    labelNames: ['job', 'outcome'],
    registers,
  });
  const jobSeconds = new client.Histogram({
    name: 'paperboy_job_seconds',
    help: 'Duration of scheduled jobs',
    labelNames: ['job'],
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
    registers,
  });
  const http = new client.Counter({
    name: 'paperboy_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'method', 'status'],
    registers,
  });
  const httpSeconds = new client.Histogram({
    name: 'paperboy_http_request_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  const inbound = new client.Counter({
    name: 'paperboy_inbound_reports_total',
    help: 'Bounces, complaints and mailto unsubscribes handled, by kind and where they came from',
    labelNames: ['kind', 'via'],
    registers,
  });
  const inboundRefused = new client.Counter({
    name: 'paperboy_inbound_refused_total',
    help: 'Inbound messages or notifications refused (forged or unsigned token, unknown report …), by reason',
    labelNames: ['reason', 'via'],
    registers,
  });
  for (const via of ['smtp', 'ses']) for (const kind of ['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe']) inbound.inc({ kind, via }, 0);

  if (prisma) {
    new client.Gauge({
      name: 'paperboy_subscribers',
      help: 'Subscribers by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const groups = await prisma.subscriber.groupBy({ by: ['status'], _count: { _all: true } });
        for (const status of ['pending', 'active', 'unsubscribed', 'bounced', 'erased'])
          this.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
      },
    });
    new client.Gauge({
      name: 'paperboy_deliveries',
      help: 'Deliveries by status (all digests)',
      labelNames: ['status'],
      registers,
      async collect() {
        const groups = await prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
        for (const status of DELIVERY_STATUSES) this.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
      },
    });
    new client.Gauge({
      name: 'paperboy_subscription_mails',
      help:
        'Subscription emails (confirmation, preferences link, preferences changed) by status (queued: waiting to be tried, again after a ' +
        'temporary error; failed: waits for an operator)',
      labelNames: ['status'],
      registers,
      async collect() {
        const groups = await prisma.subscriptionMail.groupBy({ by: ['status'], _count: { _all: true } });
        for (const status of ['queued', 'sending', 'sent', 'failed', 'skipped'])
          this.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
      },
    });
    new client.Gauge({
      name: 'paperboy_digests',
      help: 'Digests by status (paused: sending stopped after SEND_MAX_ERRORS until an operator resumes it)',
      labelNames: ['status'],
      registers,
      async collect() {
        const groups = await prisma.digest.groupBy({ by: ['status'], _count: { _all: true } });
        for (const status of ['ready', 'paused', 'skipped']) this.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
      },
    });
    new client.Gauge({
      name: 'paperboy_deliveries_in_flight_oldest_seconds',
      help: 'Age of the oldest claimed or handed delivery (0 when none): one stuck far past SMTP_REPLY_TIMEOUT needs a look',
      registers,
      async collect() {
        const oldest = await prisma.delivery.aggregate({ where: { status: { in: [...IN_FLIGHT] } }, _min: { claimedAt: true } });
        const at = oldest._min.claimedAt;
        this.set(at ? Math.max(0, (Date.now() - at.getTime()) / 1000) : 0);
      },
    });
  }

  return {
    registry,
    snapshotIngested: (format, n) => {
      ingested.inc({ format });
      papers.observe(n);
    },
    snapshotDuplicate: () => duplicates.inc(),
    snapshotRejected: (code) => rejected.inc({ code }),
    snapshotQuiet: () => quiet.inc(),
    digestBuilt: (seconds, matcherSeconds) => {
      digest.observe(seconds);
      matcher.observe(matcherSeconds);
    },
    deliverySent: (seconds) => send.observe(seconds),
    smtpError: (code) => smtp.inc({ class: smtpErrorClass(code) }),
    matcher: (seconds) => matcher.observe(seconds),
    sourceUnhealthy: (reason) => unhealthy.inc({ reason }),
    sourceHealthy: (ok) => healthy.set(ok ? 1 : 0),
    job: (job, outcome, seconds) => {
      jobs.inc({ job, outcome });
      if (seconds !== undefined) jobSeconds.observe({ job }, seconds);
    },
    httpRequest: (route, method, status, seconds) => {
      http.inc({ route, method, status: String(status) });
      httpSeconds.observe({ route }, seconds);
    },
    inboundReport: (kind, via) => inbound.inc({ kind, via }),
    inboundRefused: (reason, via) => inboundRefused.inc({ reason, via }),
  };
}

/** For code paths run without a context's metrics (scripts, some tests). */
export const noMetrics: Metrics = createMetrics(null, { defaultMetrics: false });
