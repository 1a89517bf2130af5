// What the dashboard reads that the JSON API has no query for: deliveries in flight for long, recent
// jobs, subscribers by address with their history, recent bounces and complaints.
import type { Sql } from '../../db/database.ts';
import { IN_FLIGHT, statusIn } from '../../model/delivery-status.ts';
import type { PrismaClient } from '../../db/generated/client.ts';

export interface InFlight {
  id: number;
  digestId: number;
  email: string;
  status: string;
  claimedAt: Date;
  handedAt: Date | null;
  workerId: string | null;
}

/** Claimed or handed deliveries older than `olderThanMs`: stuck, or a relay that is very slow. */
export async function stuckDeliveries(sql: Sql, olderThanMs: number, limit = 50): Promise<InFlight[]> {
  const { rows } = await sql.query<InFlight>(
    `SELECT d.id, d.digest_id AS "digestId", s.email, d.status::text AS status,
            d.claimed_at AS "claimedAt", d.handed_at AS "handedAt", d.worker_id AS "workerId"
       FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id
      WHERE ${statusIn('d.status', IN_FLIGHT)} AND d.claimed_at < now() - make_interval(secs => $1::double precision / 1000)
      ORDER BY d.claimed_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}

export function recentJobs(prisma: PrismaClient, limit = 15) {
  return prisma.jobRun.findMany({ orderBy: { id: 'desc' }, take: limit });
}

export function recentReports(prisma: PrismaClient, limit = 15) {
  return prisma.inboundReport.findMany({ orderBy: { id: 'desc' }, take: limit, include: { subscriber: { select: { email: true } } } });
}

/** Subscribers whose address contains the text (any case), newest first. */
export function searchSubscribers(prisma: PrismaClient, text: string, limit = 50) {
  return prisma.subscriber.findMany({
    where: text ? { emailKey: { contains: text.trim().toLowerCase() } } : {},
    orderBy: { id: 'desc' },
    take: limit,
    select: { id: true, email: true, status: true, paused: true, bounceCount: true, createdAt: true, topics: true },
  });
}

/** One subscriber with their deliveries (newest first), the attempts of each, and what came back. */
export function subscriberHistory(prisma: PrismaClient, id: number) {
  return prisma.subscriber.findUnique({
    where: { id },
    include: {
      deliveries: { orderBy: { id: 'desc' }, take: 50, include: { attempts: { orderBy: { id: 'asc' } } } },
      reports: { orderBy: { id: 'desc' }, take: 50 },
    },
  });
}

export function digestDeliveries(prisma: PrismaClient, digestId: number, status: string | undefined, limit = 200) {
  return prisma.delivery.findMany({
    where: { digestId, ...(status ? { status: status as never } : {}) },
    orderBy: { id: 'asc' },
    take: limit,
    include: { subscriber: { select: { email: true } } },
  });
}
