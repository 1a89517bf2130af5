// The composition root: builds the concrete things (configuration, logger, database, mailer,
// token signer, clock) and the services over them once, and passes them down in one object. Each
// layer below declares the narrow part it uses (web/context.ts, subscriptions/deps.ts,
// privacy/subscriber-data.ts) and is handed this context, which has them all; none of them imports
// app/. Nothing connects to anything at import time, and tests build their own context with their
// own parts.
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { PRODUCT_NAME } from '../config/product.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { TextModelCache } from '../db/text-model.ts';
import { createMailer } from '../deliver/create-mailer.ts';
import { createDkimSigner } from '../deliver/dkim.ts';
import { DigestRenderers } from '../deliver/digest-renderers.ts';
import type { Mailer } from '../deliver/types.ts';
import type { Logger } from '../log/logger.ts';
import { createMetrics } from '../observe/metrics.ts';
import { resolveSecretKey } from '../security/secret-key.ts';
import { TokenSigner } from '../security/tokens.ts';
import { VerpSigner } from '../security/verp.ts';
import type { FeedService } from '../feeds/feed-service.ts';
import type { WebJobs } from '../web/context.ts';
import type { PreviewCache } from '../web/pages/preview/preview-cache.ts';
import { jobsByHand } from './jobs-by-hand.ts';
import type { AppParts } from './parts.ts';
import { readerServices, type ReaderServiceOptions } from './reader-services.ts';

export interface AppContext extends AppParts {
  /** the jobs run by hand (admin API, dashboard), recorded as the schedule's are */
  jobs: WebJobs;
  /** the live preview's cache of the newest snapshot (reader-services.ts) */
  preview: PreviewCache;
  /** the readers' feeds (reader-services.ts) */
  feeds: FeedService;
}

export interface ContextOptions extends ReaderServiceOptions {
  /** apply pending migrations first (every command but `migrate` itself, which reports them) */
  migrate?: boolean;
  poolSize?: number;
  /** replace the mailer the configuration would pick (tests) */
  mailer?: Mailer;
  now?: () => Date;
}

export async function createContext(config: Config, log: Logger, options: ContextOptions = {}): Promise<AppContext> {
  const db = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    log,
    poolSize: options.poolSize ?? Math.max(8, config.SEND_CONCURRENCY + 4),
  });
  try {
    if (options.migrate !== false) await migrate(db.pgConfig, log);
    const secret = await resolveSecretKey(config.SECRET_KEY, config.DATA_DIR);
    if (secret.generated)
      log.info({ event: 'secret_key.generated', file: secret.file, replacedEmpty: secret.replacedEmpty ?? false }, `generated a SECRET_KEY in ${secret.file}`);
    if (secret.file && config.DATABASE_URL) {
      log.warn(
        { event: 'secret_key.local', file: secret.file },
        'SECRET_KEY is unset: links signed on this machine work only here; set the same SECRET_KEY on every machine',
      );
    }
    const mailer =
      options.mailer ??
      createMailer({
        smtpUrl: config.SMTP_URL,
        outboxDir: path.join(config.DATA_DIR, 'outbox'),
        concurrency: config.SEND_CONCURRENCY,
        timeoutMs: config.SMTP_TIMEOUT,
        replyTimeoutMs: config.SMTP_REPLY_TIMEOUT,
        dkim: config.dkim ? createDkimSigner(config.dkim) : undefined,
        log,
      });
    const renderSettings = { baseUrl: config.BASE_URL, productName: PRODUCT_NAME };
    const parts: AppParts = {
      config,
      log,
      db,
      mailer,
      tokens: new TokenSigner(secret.key),
      verp: config.BOUNCE_DOMAIN ? new VerpSigner(secret.key, config.BOUNCE_DOMAIN) : null,
      renderers: new DigestRenderers(db.prisma, renderSettings),
      archiveRenderers: new DigestRenderers(db.prisma, renderSettings),
      textModels: new TextModelCache(),
      metrics: createMetrics(db.prisma),
      now: options.now ?? (() => new Date()),
      close: async () => {
        await mailer.close();
        await db.close();
      },
    };
    return { ...parts, jobs: jobsByHand(parts), ...readerServices(parts, options) };
  } catch (err) {
    await db.close();
    throw err;
  }
}
