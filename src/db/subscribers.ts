// Subscribers: one per address whatever its case (email_key). Status changes are guarded updates.
import { randomBytes } from 'node:crypto';
import type { Db, Sql } from './database.ts';
import type { Subscriber as SubscriberRow } from './generated/client.ts';
import type { Frequency } from '../model/reader.ts';

/** erased: a tombstone (src/privacy/erase-subscriber.ts): no address, no topics, never mailed */
export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'erased';

export interface Subscriber {
  id: number;
  email: string;
  status: SubscriberStatus;
  topics: string[];
  paused: boolean;
  /** a timed pause ends by itself then; null with paused: until the reader resumes */
  pausedUntil: Date | null;
  /** daily, weekly (on weeklyDay) or feed: src/digest/frequency.ts */
  frequency: Frequency;
  /** 0 Sunday … 6 Saturday (UTC) */
  weeklyDay: number;
  /** topics muted from a digest's feedback page: they catch nothing until restored */
  mutedTopics: string[];
  tokenNonce: string;
  bounceCount: number;
  createdAt: Date;
  updatedAt: Date;
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
  bouncedAt: Date | null;
  /** status erased: when their data was erased */
  erasedAt: Date | null;
}

export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

export function newNonce(): string {
  return randomBytes(9).toString('base64url');
}

function toSubscriber(row: SubscriberRow): Subscriber {
  const { emailKey: _key, ...rest } = row;
  return { ...rest, mutedTopics: rest.mutedTopics ?? [] };
}

export async function getSubscriber(db: Db, id: number): Promise<Subscriber | null> {
  const row = await db.subscriber.findUnique({ where: { id } });
  return row ? toSubscriber(row) : null;
}

/**
 * The same as getSubscriber, on the plain pool: the reader's pages (archive, feeds) read the
 * subscriber of their link on every request, and a query there costs a fraction of one through Prisma.
 */
export async function readSubscriber(sql: Sql, id: number): Promise<Subscriber | null> {
  const { rows } = await sql.query<Subscriber>(
    `SELECT id, email, status::text AS status, topics, paused, paused_until AS "pausedUntil", frequency::text AS frequency,
            weekly_day AS "weeklyDay", coalesce(muted_topics, '{}') AS "mutedTopics", token_nonce AS "tokenNonce",
            bounce_count AS "bounceCount", created_at AS "createdAt", updated_at AS "updatedAt", confirmed_at AS "confirmedAt",
            unsubscribed_at AS "unsubscribedAt", bounced_at AS "bouncedAt", erased_at AS "erasedAt"
       FROM subscriber WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function findSubscriberByEmail(db: Db, email: string): Promise<Subscriber | null> {
  const row = await db.subscriber.findUnique({ where: { emailKey: emailKey(email) } });
  return row ? toSubscriber(row) : null;
}

/** For operators and tests: an address with topics in a given status (default active). */
export async function insertSubscriber(
  db: Db,
  input: { email: string; topics: string[]; status?: SubscriberStatus; paused?: boolean; frequency?: Frequency; weeklyDay?: number },
): Promise<Subscriber> {
  const row = await db.subscriber.create({
    data: {
      email: input.email.trim(),
      emailKey: emailKey(input.email),
      topics: input.topics,
      status: input.status ?? 'active',
      paused: input.paused ?? false,
      frequency: input.frequency ?? 'daily',
      weeklyDay: input.weeklyDay ?? 1,
      tokenNonce: newNonce(),
      confirmedAt: (input.status ?? 'active') === 'active' ? new Date() : null,
    },
  });
  return toSubscriber(row);
}

export interface SubscriberPage {
  items: Subscriber[];
  /** pass as `after` for the next page; null at the end */
  next: number | null;
}

export async function listSubscribers(db: Db, options: { status?: SubscriberStatus; limit: number; after?: number }): Promise<SubscriberPage> {
  const rows = await db.subscriber.findMany({
    where: { ...(options.status ? { status: options.status } : {}), ...(options.after ? { id: { gt: options.after } } : {}) },
    orderBy: { id: 'asc' },
    take: options.limit + 1,
  });
  const items = rows.slice(0, options.limit).map(toSubscriber);
  return { items, next: rows.length > options.limit ? items[items.length - 1]!.id : null };
}

/**
 * One bounce of an active subscriber counted: 'bounced' once the count reaches `limit` (they get no
 * more digests), 'counted' below it, null when they are not active.
 */
export async function countBounce(db: Db, id: number, limit: number, now: Date): Promise<'bounced' | 'counted' | null> {
  const rows = await db.$queryRaw<Array<{ status: string }>>`
    UPDATE subscriber
       SET bounce_count = bounce_count + 1,
           status = CASE WHEN bounce_count + 1 >= ${limit} THEN 'bounced'::"SubscriberStatus" ELSE status END,
           bounced_at = CASE WHEN bounce_count + 1 >= ${limit} THEN ${now} ELSE bounced_at END,
           updated_at = ${now}
     WHERE id = ${id} AND status = 'active'
    RETURNING status::text AS status`;
  if (!rows[0]) return null;
  return rows[0].status === 'bounced' ? 'bounced' : 'counted';
}

/** A permanent rejection of the address (5xx on RCPT), counted. Returns true when this bounce made them bounced. */
export async function recordHardBounce(db: Db, id: number, limit: number, now: Date): Promise<boolean> {
  return (await countBounce(db, id, limit, now)) === 'bounced';
}

/** bounced → active (an operator fixed the address or the relay); the bounce count starts again. */
export async function reactivateSubscriber(db: Db, id: number, now: Date): Promise<boolean> {
  const { count } = await db.subscriber.updateMany({
    where: { id, status: 'bounced' },
    data: { status: 'active', bounceCount: 0, bouncedAt: null, updatedAt: now },
  });
  return count === 1;
}
