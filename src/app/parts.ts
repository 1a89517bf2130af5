// What the composition root (context.ts) builds first: the concrete things, each once. The steps'
// dependencies are cut from them (deps.ts); the services built over them join them in AppContext.
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { TextModelCache } from '../db/text-model.ts';
import type { DigestRenderers } from '../deliver/digest-renderers.ts';
import type { Mailer } from '../deliver/types.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { TokenSigner } from '../security/tokens.ts';
import type { VerpSigner } from '../security/verp.ts';

export interface AppParts {
  config: Config;
  log: Logger;
  db: Database;
  mailer: Mailer;
  tokens: TokenSigner;
  /** the signed addresses of BOUNCE_DOMAIN (VERP return paths, mailto unsubscribe); null when unset */
  verp: VerpSigner | null;
  /** the sender's prepared digests */
  renderers: DigestRenderers;
  /**
   * the reader's archive's own cache of prepared digests: readers paging through old digests must not
   * evict the one the sender of this process is sending (each cache keeps the last few)
   */
  archiveRenderers: DigestRenderers;
  /** this process's copy of the text model (relevance), read again only when it moved */
  textModels: TextModelCache;
  metrics: Metrics;
  now: () => Date;
  close(): Promise<void>;
}
