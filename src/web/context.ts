// What the web layer uses of the composition root's context (app/context.ts builds it and hands it
// to createWebApp): declared here, so web never imports app/. Each router and action takes the
// narrow part of it that it uses (a Pick of WebContext).
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { JobTrigger } from '../db/job-runs.ts';
import type { TextModelCache } from '../db/text-model.ts';
import type { DigestRenderers } from '../deliver/digest-renderers.ts';
import type { FeedService } from '../feeds/feed-service.ts';
import type { BuildDigestOptions, BuildDigestResult } from '../digest/build-digest.ts';
import type { IngestOutcome } from '../ingest/ingest-inputs.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { PrivacyParts } from '../privacy/subscriber-data.ts';
import type { SubscriptionParts } from '../subscriptions/deps.ts';
import type { TokenSigner } from '../security/tokens.ts';
import type { PreviewCache } from './pages/preview/preview-cache.ts';

/** The jobs the operator runs by hand from the admin API or the dashboard, recorded as the schedule's are. */
export interface WebJobs {
  ingest(trigger: JobTrigger, inputs: string[]): Promise<IngestOutcome[]>;
  digest(trigger: JobTrigger, options?: BuildDigestOptions): Promise<BuildDigestResult>;
  /** the retention job under its lock: ran false while another process runs it */
  retention(trigger: JobTrigger): Promise<{ ran: true; detail: Record<string, unknown> } | { ran: false }>;
}

export interface WebContext extends SubscriptionParts, PrivacyParts {
  config: Config;
  log: Logger;
  db: Database;
  tokens: TokenSigner;
  metrics: Metrics;
  now: () => Date;
  /** this process's copy of the text model (the previews' "more like this") */
  textModels: TextModelCache;
  /** the reader's archive's own cache of prepared digests */
  archiveRenderers: DigestRenderers;
  jobs: WebJobs;
  /** the live preview's cache of the newest snapshot, built once by the composition root */
  preview: PreviewCache;
  /** the readers' feeds, built once by the composition root */
  feeds: FeedService;
}

/** What the operator's tools (the admin API, the dashboard and their actions) use. */
export type OperatorContext = Pick<WebContext, 'config' | 'db' | 'log' | 'now' | 'jobs'>;
