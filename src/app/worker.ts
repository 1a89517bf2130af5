// This process as a worker that may hold delivery claims: registered, beating while it runs,
// marked stopped when it ends. A claim whose worker is gone is stuck (db/workers.ts).
import { randomUUID } from 'node:crypto';
import { findStuck, type StuckDelivery } from '../db/deliveries.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { heartbeat, HEARTBEAT_MS, liveWorkers, registerWorker, stopWorker } from '../db/workers.ts';
import { maskEmail, type Logger } from '../log/logger.ts';

export interface WorkerHandle {
  id: string;
  stop(): Promise<void>;
}

export async function startWorker(prisma: PrismaClient, command: string, log: Logger): Promise<WorkerHandle> {
  const id = randomUUID();
  await registerWorker(prisma, id, command);
  const timer = setInterval(() => {
    heartbeat(prisma, id).catch((err) => log.warn({ event: 'worker.heartbeat_failed', workerId: id, err }, 'heartbeat failed'));
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    id,
    stop: async () => {
      clearInterval(timer);
      await stopWorker(prisma, id).catch(() => undefined);
    },
  };
}

/** Deliveries left in `sending` by a process that died: logged for the operator, never resent here. */
export async function reportStuck(prisma: PrismaClient, log: Logger): Promise<StuckDelivery[]> {
  const live = await liveWorkers(prisma);
  const stuck = await findStuck(prisma, live.map((w) => w.id));
  for (const d of stuck) {
    log.error(
      { event: 'delivery.stuck', deliveryId: d.id, digestId: d.digestId, subscriberId: d.subscriberId, to: maskEmail(d.email), workerId: d.workerId, messageId: d.messageId, sendingSince: d.sendingAt },
      `delivery ${d.id} is stuck in sending (its process died): check the relay's log for ${d.messageId ?? 'it'}, then resend it if it was not delivered`,
    );
  }
  return stuck;
}
