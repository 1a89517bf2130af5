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

type Registers = client.Registry[];

export function createMetrics(prisma: PrismaClient | null, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (options.defaultMetrics !== false) processMetrics(registry);
  const registers = [registry];
  // (registered in this order, the order /metrics lists them)
  const metrics: Metrics = {
    registry,
    ...ingestMetrics(registers),
    ...digestMetrics(registers),
    ...sendMetrics(registers),
    ...sourceMetrics(registers),
    ...jobMetrics(registers),
    ...httpMetrics(registers),
    ...inboundMetrics(registers),
  };
  if (prisma) databaseGauges(prisma, registers);
  return metrics;
}

/** Node's own (memory, event loop, handles), prefixed paperboy_. */
function processMetrics(registry: client.Registry): void {
  client.collectDefaultMetrics({ register: registry, prefix: 'paperboy_' });
  // gauges named like counters (promtool check metrics refuses them); the per-type gauges
  // paperboy_nodejs_active_handles{type} and paperboy_nodejs_active_resources{type} remain
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(`paperboy_${name}`);
}

function ingestMetrics(registers: Registers): Pick<Metrics, 'snapshotIngested' | 'snapshotDuplicate' | 'snapshotRejected' | 'snapshotQuiet'> {
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
  return {
    snapshotIngested: (format, n) => {
      ingested.inc({ format });
      papers.observe(n);
    },
    snapshotDuplicate: () => duplicates.inc(),
    snapshotRejected: (code) => rejected.inc({ code }),
    snapshotQuiet: () => quiet.inc(),
  };
}

function digestMetrics(registers: Registers): Pick<Metrics, 'digestBuilt' | 'matcher'> {
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
  return {
    digestBuilt: (seconds, matcherSeconds) => {
      digest.observe(seconds);
      matcher.observe(matcherSeconds);
    },
    matcher: (seconds) => matcher.observe(seconds),
  };
}

function sendMetrics(registers: Registers): Pick<Metrics, 'deliverySent' | 'smtpError'> {
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
  return {
    deliverySent: (seconds) => send.observe(seconds),
    smtpError: (code) => smtp.inc({ class: smtpErrorClass(code) }),
  };
}

function sourceMetrics(registers: Registers): Pick<Metrics, 'sourceUnhealthy' | 'sourceHealthy'> {
  const unhealthy = new client.Counter({
    name: 'paperboy_source_unhealthy_total',
    help: 'Checks of the snapshot source that found it unhealthy, by reason',
    labelNames: ['reason'],
    registers,
  });
  const healthy = new client.Gauge({ name: 'paperboy_source_healthy', help: '1 when the last check of the snapshot source found it healthy', registers });
  return {
    sourceUnhealthy: (reason) => unhealthy.inc({ reason }),
    sourceHealthy: (ok) => healthy.set(ok ? 1 : 0),
  };
}

function jobMetrics(registers: Registers): Pick<Metrics, 'job'> {
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
  return {
    job: (job, outcome, seconds) => {
      jobs.inc({ job, outcome });
      if (seconds !== undefined) jobSeconds.observe({ job }, seconds);
    },
  };
}

function httpMetrics(registers: Registers): Pick<Metrics, 'httpRequest'> {
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
  return {
    httpRequest: (route, method, status, seconds) => {
      http.inc({ route, method, status: String(status) });
      httpSeconds.observe({ route }, seconds);
    },
  };
}

function inboundMetrics(registers: Registers): Pick<Metrics, 'inboundReport' | 'inboundRefused'> {
  const inbound = new client.Counter({
    name: 'paperboy_inbound_reports_total',
    help: 'Bounces, complaints and mailto unsubscribes handled, by kind and where they came from',
    labelNames: ['kind', 'via'],
    registers,
  });
  const refused = new client.Counter({
    name: 'paperboy_inbound_refused_total',
    help: 'Inbound messages or notifications refused (forged or unsigned token, unknown report …), by reason',
    labelNames: ['reason', 'via'],
    registers,
  });
  for (const via of ['smtp', 'ses']) for (const kind of ['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe']) inbound.inc({ kind, via }, 0);
  return {
    inboundReport: (kind, via) => inbound.inc({ kind, via }),
    inboundRefused: (reason, via) => refused.inc({ reason, via }),
  };
}

type StatusCounts = Array<{ status: string; _count: { _all: number } }>;

/** A table's rows by status (Prisma's groupBy, typed apart from the gauge that reads it). */
async function countByStatus(table: { groupBy(args: { by: ['status']; _count: { _all: true } }): Promise<StatusCounts> }): Promise<StatusCounts> {
  return table.groupBy({ by: ['status'], _count: { _all: true } });
}

/** A gauge of rows by status, counted when /metrics is scraped: every status listed, 0 when none. */
function statusGauge(registers: Registers, name: string, help: string, statuses: readonly string[], count: () => Promise<StatusCounts>): void {
  new client.Gauge({
    name,
    help,
    labelNames: ['status'],
    registers,
    async collect() {
      const groups = await count();
      for (const status of statuses) this.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
    },
  });
}

/** The counts that live in the database, read when /metrics is scraped. */
function databaseGauges(prisma: PrismaClient, registers: Registers): void {
  statusGauge(registers, 'paperboy_subscribers', 'Subscribers by status', ['pending', 'active', 'unsubscribed', 'bounced', 'erased'], () =>
    countByStatus(prisma.subscriber),
  );
  statusGauge(registers, 'paperboy_deliveries', 'Deliveries by status (all digests)', DELIVERY_STATUSES, () => countByStatus(prisma.delivery));
  statusGauge(
    registers,
    'paperboy_subscription_mails',
    'Subscription emails (confirmation, preferences link, preferences changed) by status ' +
      '(queued: waiting to be tried, again after a temporary error; failed: waits for an operator)',
    ['queued', 'sending', 'sent', 'failed', 'skipped'],
    () => countByStatus(prisma.subscriptionMail),
  );
  statusGauge(
    registers,
    'paperboy_digests',
    'Digests by status (building: being built, not sent yet; paused: sending stopped after SEND_MAX_ERRORS until an operator resumes it)',
    ['building', 'ready', 'paused', 'skipped'],
    () => countByStatus(prisma.digest),
  );
  new client.Gauge({
    name: 'paperboy_digest_build_readers',
    help: 'The digest being built (status building): its readers planned so far and to plan in all (0 when none is building)',
    labelNames: ['of'],
    registers,
    async collect() {
      const building = await prisma.digest.findFirst({ where: { status: 'building' }, select: { buildReaders: true, buildReadersTotal: true } });
      this.set({ of: 'planned' }, building?.buildReaders ?? 0);
      this.set({ of: 'total' }, building?.buildReadersTotal ?? 0);
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

/** For code paths run without a context's metrics (scripts, some tests). */
export const noMetrics: Metrics = createMetrics(null, { defaultMetrics: false });
