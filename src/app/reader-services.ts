// The reader pages' services, built once by the composition root (context.ts) and handed to the
// pages router through the context: the live preview's cache of the newest snapshot and the feeds.
import { PRODUCT_NAME } from '../config/product.ts';
import { latestSnapshot } from '../db/snapshots.ts';
import { paperTextsByArxivId } from '../db/text-model.ts';
import { loadSnapshotDiff } from '../diff/load-new-papers.ts';
import { ReaderRelevanceLoader } from '../digest/reader-relevance.ts';
import { FeedService, type FeedSettings } from '../feeds/feed-service.ts';
import { PreviewCache } from '../web/pages/preview/preview-cache.ts';
import type { AppParts } from './parts.ts';

export interface ReaderServiceOptions {
  /** how often the preview looks for a newer snapshot (default 5 s) */
  previewRefreshMs?: number;
  /** how much the feeds cover, how long they reuse the list of newest digests */
  feeds?: Partial<Pick<FeedSettings, 'digests' | 'maxEntries' | 'recentMs'>>;
}

export function readerServices(parts: AppParts, options: ReaderServiceOptions = {}): { preview: PreviewCache; feeds: FeedService } {
  const { db, config, textModels, log } = parts;
  const preview = new PreviewCache(
    {
      latest: () => latestSnapshot(db.prisma),
      load: (snapshot) => loadSnapshotDiff(db, snapshot),
      likes: {
        textModel: () => textModels.current(db.sql),
        paper: async (arxivId) => (await paperTextsByArxivId(db.sql, [arxivId])).get(arxivId) ?? null,
      },
      readers: (textModel) => new ReaderRelevanceLoader(db.sql, textModel),
    },
    { refreshMs: options.previewRefreshMs ?? 5000, log },
  );
  const feeds = new FeedService(db.prisma, { baseUrl: config.BASE_URL, productName: PRODUCT_NAME, ...options.feeds }, { sql: db.sql, textModels });
  return { preview, feeds };
}
