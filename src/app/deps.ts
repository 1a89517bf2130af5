// The narrow dependencies each step takes, cut from the context (one object passed down; each use
// case sees only what it needs).
import { createJobLock } from '../jobs/job-lock.ts';
import type { IngestDeps } from '../ingest/ingest-inputs.ts';
import type { BuildDigestDeps } from '../digest/build-digest.ts';
import type { SendDeps, SenderWorker } from '../deliver/send-deliveries.ts';
import type { InboundDeps } from '../inbound/handle-report.ts';
import type { SesWebhookDeps } from '../inbound/ses-webhook.ts';
import type { RetentionDeps } from '../jobs/retention.ts';
import { trainReaderModels, type TrainReaderModelsDeps } from '../jobs/train-reader-models.ts';
import { countTextModel } from '../relevance/stored-text-model.ts';
import { composeOptions } from '../deliver/compose-message.ts';
import type { AppParts } from './parts.ts';

export function ingestDeps(ctx: AppParts): IngestDeps {
  const c = ctx.config;
  const { prisma, sql } = ctx.db;
  return {
    prisma,
    sql,
    log: ctx.log,
    now: ctx.now,
    metrics: ctx.metrics,
    countTextModel: () => countTextModel(sql),
    maxBytes: c.SOURCE_MAX_BYTES,
    timeoutMs: c.SOURCE_TIMEOUT,
    maxEntries: c.SOURCE_MAX_ENTRIES,
  };
}

/** Building a digest: the reader-model job runs first (feedback given before the build counts in it). */
export function digestDeps(ctx: AppParts): BuildDigestDeps {
  return {
    prisma: ctx.db.prisma,
    sql: ctx.db.sql,
    log: ctx.log,
    now: ctx.now,
    lock: createJobLock(ctx.db.pgConfig),
    batchSize: ctx.config.DIGEST_BATCH_SIZE,
    metrics: ctx.metrics,
    relevance: { sql: ctx.db.sql, textModels: ctx.textModels },
    beforeBuild: () => trainReaderModels(trainReaderModelsDeps(ctx)),
  };
}

/** The reader-model job (jobs/train-reader-models.ts): run before building a digest. */
export function trainReaderModelsDeps(ctx: AppParts): TrainReaderModelsDeps {
  return { sql: ctx.db.sql, log: ctx.log, now: ctx.now, textModels: ctx.textModels };
}

/** The retention job (jobs/retention.ts): DELIVERY_RETENTION. */
export function retentionDeps(ctx: AppParts): RetentionDeps {
  return { sql: ctx.db.sql, log: ctx.log, now: ctx.now, retentionMs: ctx.config.DELIVERY_RETENTION };
}

export function sendDeps(ctx: AppParts, worker: SenderWorker): SendDeps {
  const c = ctx.config;
  return {
    prisma: ctx.db.prisma,
    sql: ctx.db.sql,
    mailer: ctx.mailer,
    log: ctx.log,
    tokens: ctx.tokens,
    renderers: ctx.renderers,
    compose: composeOptions(c),
    worker,
    metrics: ctx.metrics,
    verp: ctx.verp,
    settings: {
      concurrency: c.SEND_CONCURRENCY,
      rateLimit: c.SEND_RATE_LIMIT,
      maxErrors: c.SEND_MAX_ERRORS,
      maxTries: c.SEND_MAX_TRIES,
      retryDelayMs: c.SEND_RETRY_DELAY,
      bounceLimit: c.BOUNCE_LIMIT,
      baseUrl: c.BASE_URL,
    },
  };
}

export function inboundDeps(ctx: AppParts): InboundDeps {
  return { prisma: ctx.db.prisma, log: ctx.log, metrics: ctx.metrics, bounceLimit: ctx.config.BOUNCE_LIMIT, now: ctx.now };
}

/** The SES webhook: what names paperboy's own mail (signed return paths, Message-IDs on BASE_URL's host). */
export function sesWebhookDeps(ctx: AppParts, topicArn: string): SesWebhookDeps {
  return { ...inboundDeps(ctx), topicArn, verp: ctx.verp, messageIdHost: composeOptions(ctx.config).domain };
}
