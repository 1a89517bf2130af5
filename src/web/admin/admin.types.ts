// Request schemas of the admin API (zod), next to the routes that use them.
import { z } from 'zod';
import { DELIVERY_STATUSES } from '../../model/delivery-status.ts';
import { ROW_ID_MAX } from '../../model/row-id.ts';

/** Row ids are PostgreSQL integers: a larger number names nothing (and must not reach a query). */
const rowId = z.coerce.number().int().positive().max(ROW_ID_MAX, `must be at most ${ROW_ID_MAX}`);

export const idParam = z.object({ id: rowId });

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: z.coerce.number().int().min(0).max(ROW_ID_MAX, `must be at most ${ROW_ID_MAX}`).optional(),
});

export const digestsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: rowId.optional(),
});

export const deliveriesQuery = pageQuery.extend({
  status: z.enum(DELIVERY_STATUSES).optional(),
});

export const unknownQuery = pageQuery.extend({
  digest: rowId.optional(),
});

/** sent: the relay's log shows it was accepted; resend: it was not, queue a new attempt */
export const resolveBody = z.object({ outcome: z.enum(['sent', 'resend']) }).strict();

export const subscribersQuery = pageQuery.extend({
  status: z.enum(['pending', 'active', 'unsubscribed', 'bounced', 'erased']).optional(),
});

export const resendBody = z.union([
  z
    .object({
      email: z.string().trim().min(3).max(320),
      /** a sent delivery is resent (a second copy to the reader) only with confirm: true */
      confirm: z.boolean().optional(),
      /** the attempt being resent (from the deliveries listing): the same request twice resends once */
      attempt: z.number().int().positive().max(ROW_ID_MAX).optional(),
    })
    .strict(),
  z.object({ onlyFailed: z.literal(true) }).strict(),
]);

export const ingestBody = z
  .object({
    url: z
      .string()
      .url()
      .regex(/^https?:\/\//i, 'must be an http(s) URL')
      .optional(),
  })
  .strict()
  .default({});

export const digestBody = z.object({ dryRun: z.boolean().optional() }).strict().default({});

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day written YYYY-MM-DD');
export const backfillBody = z.object({ since: day, until: day.optional() }).strict();

/** failed: refused for good or out of time (send them again); waiting: queued or being sent */
export const subscriptionMailsQuery = pageQuery.extend({
  status: z.enum(['failed', 'waiting']).default('failed'),
});
