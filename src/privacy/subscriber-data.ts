// One subscriber's data, exported or erased — by an operator (CLI, admin API, dashboard) or by the
// reader themselves (the preferences page). The same steps whoever asks: recovery first (a gone
// process's handed deliveries become unknown, never guessed about), then one transaction
// (db/erase-subscriber.ts), then one log line without the address.
import { recover } from '../deliver/worker-liveness.ts';
import type { Database, Sql } from '../db/database.ts';
import { eraseSubscriber, type EraseResult } from '../db/erase-subscriber.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { readSubscriberExport, type SubscriberExport } from '../db/subscriber-export.ts';
import { emailKey } from '../db/subscribers.ts';
import type { Logger } from '../log/logger.ts';
import { DEFAULT_MAIL_QUEUE } from '../subscriptions/mail-queue.ts';
import { isRowId } from '../model/row-id.ts';

export interface PrivacyDeps {
  prisma: PrismaClient;
  sql: Sql;
  log: Logger;
  now: () => Date;
}

/** The parts of the composition root's context an export or erase is cut from (app/ hands it in). */
export interface PrivacyParts {
  db: Pick<Database, 'prisma' | 'sql'>;
  log: Logger;
  now: () => Date;
}

export const privacyDeps = (ctx: PrivacyParts): PrivacyDeps => ({ prisma: ctx.db.prisma, sql: ctx.db.sql, log: ctx.log, now: ctx.now });

/** Who asked: an operator through one of their tools, or the reader from their preferences page. */
export type PrivacyVia = 'command line' | 'admin API' | 'dashboard' | 'reader';

/** A subscriber named by an operator: their id, or their address (any case). */
export type SubscriberRef = { id: number } | { email: string };

/** "42" → id 42, "Ada@Example.org" → that address; anything else (null) names nobody. */
export function parseSubscriberRef(text: string): SubscriberRef | null {
  const t = text.trim();
  if (/^\d{1,10}$/.test(t)) return isRowId(Number(t)) ? { id: Number(t) } : null;
  return /^[^\s@]+@[^\s@]+$/.test(t) && t.length <= 320 ? { email: t } : null;
}

const describeRef = (ref: SubscriberRef): string => ('id' in ref ? `subscriber ${ref.id}` : `subscriber ${ref.email}`);

async function findId(prisma: PrismaClient, ref: SubscriberRef): Promise<number | null> {
  if ('id' in ref) return ref.id;
  const row = await prisma.subscriber.findUnique({ where: { emailKey: emailKey(ref.email) }, select: { id: true } });
  return row?.id ?? null;
}

export type ExportResult =
  { kind: 'exported'; data: SubscriberExport } | { kind: 'not-found' } | { kind: 'already-erased'; subscriberId: number; erasedAt: Date | null };

export async function exportSubscriberData(deps: PrivacyDeps, ref: SubscriberRef, via: PrivacyVia): Promise<ExportResult> {
  const id = await findId(deps.prisma, ref);
  const data = id === null ? null : await readSubscriberExport(deps.prisma, id, deps.now());
  if (!data) return { kind: 'not-found' };
  if (data.subscriber.status === 'erased') {
    const row = await deps.prisma.subscriber.findUnique({ where: { id: data.subscriber.id }, select: { erasedAt: true } });
    return { kind: 'already-erased', subscriberId: data.subscriber.id, erasedAt: row?.erasedAt ?? null };
  }
  deps.log.info(
    { event: 'subscriber.exported', subscriberId: data.subscriber.id, via, deliveries: data.deliveries.length },
    `exported the data of subscriber ${data.subscriber.id} (${via})`,
  );
  return { kind: 'exported', data };
}

export async function eraseSubscriberData(deps: PrivacyDeps, ref: SubscriberRef, via: PrivacyVia): Promise<EraseResult> {
  const id = await findId(deps.prisma, ref);
  if (id === null) return { kind: 'not-found' };
  await recover(deps.sql, deps.log);
  const result = await eraseSubscriber(deps.sql, id, { now: deps.now(), mailLeaseMs: DEFAULT_MAIL_QUEUE.leaseMs });
  if (result.kind === 'erased') {
    deps.log.info(
      { event: 'subscriber.erased', subscriberId: id, via, ...result.removed },
      `erased the data of subscriber ${id} (${via}): a tombstone is kept for the counts`,
    );
  }
  return result;
}

export interface Refusal {
  code: 'SUBSCRIBER_NOT_FOUND' | 'SUBSCRIBER_ERASED' | 'ERASE_IN_FLIGHT';
  message: string;
}

/** Why an export or an erase did not happen, in words for every tool (null: it did). */
export function privacyRefusal(ref: SubscriberRef, result: ExportResult | EraseResult): Refusal | null {
  switch (result.kind) {
    case 'exported':
    case 'erased':
      return null;
    case 'not-found':
      return { code: 'SUBSCRIBER_NOT_FOUND', message: `${describeRef(ref)} not found` };
    case 'already-erased':
      return {
        code: 'SUBSCRIBER_ERASED',
        message: `subscriber ${result.subscriberId} was already erased${result.erasedAt ? ` on ${result.erasedAt.toISOString()}` : ''}`,
      };
    case 'in-flight':
      return {
        code: 'ERASE_IN_FLIGHT',
        message:
          `${result.what} ${result.id} to this subscriber is being handed to the relay right now: nothing was erased; try again when its reply is ` +
          `in (a minute at most)`,
      };
  }
}
