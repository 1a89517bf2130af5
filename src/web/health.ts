// GET /healthz: the database (which one, and does it answer), the source, the last ingest and
// digest, what is queued, in flight (claimed, handed) and unknown. 200 "ok" or "degraded" (with the
// reasons: unknown deliveries wait for an operator), 503 "down" when the database does not answer.
import type { RequestHandler } from 'express';
import type { WebContext } from './context.ts';
import { deliveryCounts } from '../db/deliveries.ts';
import { staleBuild } from '../db/digests.ts';
import { liveWorkers } from '../db/workers.ts';
import { sourceHealth } from '../jobs/ingest-source.ts';
import { lastJobRuns } from '../jobs/scheduler.ts';
import { plural } from '../log/plural.ts';

export function healthRoute(ctx: Pick<WebContext, 'config' | 'db' | 'now'>): RequestHandler {
  return async (_req, res) => {
    const prisma = ctx.db.prisma;
    const started = performance.now();
    try {
      await prisma.$queryRaw`SELECT 1`;
    } catch {
      res.status(503).json({ status: 'down', database: { kind: ctx.db.kind, ok: false }, reasons: ['the database does not answer'] });
      return;
    }
    const ms = Math.round(performance.now() - started);
    const [source, jobs, lastDigest, counts, workers, paused, stale] = await Promise.all([
      sourceHealth(prisma, ctx.config.SNAPSHOT_SOURCE, ctx.now(), ctx.config.SOURCE_STALE_AFTER),
      lastJobRuns(prisma, ['ingest', 'digest']),
      prisma.digest.findFirst({
        where: { status: { not: 'skipped' } },
        orderBy: { id: 'desc' },
        // building: its progress (a build in progress is not a problem; one nobody is building is)
        select: { id: true, snapshotId: true, status: true, createdAt: true, deliveryCount: true, buildReaders: true, buildReadersTotal: true },
      }),
      deliveryCounts(ctx.db.sql),
      liveWorkers(ctx.db.sql),
      prisma.digest.findMany({ where: { status: 'paused' }, select: { id: true, pauseReason: true } }),
      staleBuild(ctx.db.sql),
    ]);
    const reasons = [
      ...(source && !source.healthy ? source.problems.map((p) => `source ${p.reason}: ${p.message}`) : []),
      ...(counts.unknown
        ? [
            `${plural(counts.unknown, 'delivery', 'deliveries')} with an unknown outcome: check the relay's log, ` +
              'then resolve them (GET /admin/deliveries/unknown)',
          ]
        : []),
      ...paused.map((d) => `digest ${d.id} paused: ${d.pauseReason ?? ''}`.trim()),
      ...(stale ? [`digest ${stale.id} is building but no process is building it: a running serve takes it up within seconds`] : []),
      ...Object.entries(jobs).flatMap(([job, run]) => (run?.status === 'failed' ? [`the last ${job} job failed`] : [])),
    ];
    res.json({
      status: reasons.length ? 'degraded' : 'ok',
      reasons,
      database: { kind: ctx.db.kind, ok: true, ms },
      source,
      lastIngest: jobs.ingest ?? null,
      lastDigest: lastDigest ?? null,
      deliveries: { queued: counts.queued, claimed: counts.claimed, handed: counts.handed, unknown: counts.unknown },
      workers: workers.length,
    });
  };
}
