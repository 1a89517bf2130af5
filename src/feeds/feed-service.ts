// The feeds a web process serves: each reader's (the papers their topics catch in the newest digests,
// whatever their email frequency) and the public one (every new paper of the listing). Digests are
// frozen, so their papers and a matcher over them are kept in memory; a feed's validator (ETag) is
// worked out from a few small values before anything is matched or rendered, so a feed reader that
// asks again with If-None-Match costs two small queries.
import { createHash } from 'node:crypto';
import { digestPapers, type FrozenPaper } from '../db/digest-papers.ts';
import { recentDigests, type FeedDigest } from '../db/feeds.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { paperUrl } from '../deliver/links.ts';
import { oneLine } from '../render/escape.ts';
import type { Sql } from '../db/database.ts';
import { readerModelStamp } from '../db/reader-models.ts';
import type { TextModelCache } from '../db/text-model.ts';
import { rankReaderPapers } from '../digest/rank-reader-papers.ts';
import { ReaderRelevanceLoader } from '../digest/reader-relevance.ts';
import { TopicMatcher } from '../digest/topic-matcher.ts';
import { likeTopicTarget } from '../relevance/index.ts';
import { feedPapers, type DigestPapers } from './feed-items.ts';
import { atomFeed, jsonFeed, type FeedDocument } from './render-feed.ts';

export type FeedFormat = 'atom' | 'json';

export interface FeedReader {
  id: number;
  topics: string[];
  /** topics the reader muted: left out of their feed as of their digests */
  mutedTopics?: readonly string[];
  /** changes with every change of topics or pause: part of the validator */
  updatedAt: Date;
}

export interface FeedResponse {
  etag: string;
  lastModified: Date;
  /** the encoded document: rendered once per validator (never for a 304), then kept */
  body(): Promise<Buffer>;
}

export interface FeedSettings {
  baseUrl: string;
  productName: string;
  /** how many of the newest digests a feed covers (default 30: a month of weekdays and more) */
  digests?: number;
  /** at most this many entries (default 50) */
  maxEntries?: number;
  /** how long the list of newest digests is reused (default 2 s) */
  recentMs?: number;
}

interface Loaded {
  digest: FeedDigest;
  papers: FrozenPaper[];
  matcher: TopicMatcher;
}

/** rendered feeds kept by validator, oldest dropped first past this many bytes (each feed: tens of kB) */
const KEEP_BYTES = 32 * 1024 * 1024;

export class FeedService {
  private readonly loaded = new Map<number, Promise<Loaded>>();
  private recent: { at: number; list: Promise<FeedDigest[]> } | null = null;
  private readonly bodies = new Map<string, { body: Promise<Buffer>; bytes: number }>();
  private keptBytes = 0;
  private readonly host: string;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly settings: FeedSettings,
    /** readers' models and `like:` topics (absent: topics alone) */
    private readonly relevance: { sql: Pick<Sql, 'query'>; textModels: TextModelCache } | null = null,
  ) {
    this.host = new URL(settings.baseUrl).hostname || 'localhost';
  }

  /**
   * A reader's feed; `urls` are its own (token included), as the preferences page shows them. Its home
   * page is the public one: a feed URL is shared and kept in feed readers, and it reads the feed only.
   */
  async readerFeed(reader: FeedReader, format: FeedFormat, urls: { atom: string; json: string }): Promise<FeedResponse> {
    const digests = await this.newest();
    const muted = new Set(reader.mutedTopics ?? []);
    const topics = reader.topics.filter((t) => !muted.has(t));
    // the model's stamp too: the feed is ranked as the digest is (rank-reader-papers.ts)
    const stamp = this.relevance ? await readerModelStamp(this.relevance.sql, reader.id) : null;
    const etag = validator(format, 'reader', reader.id, reader.updatedAt.getTime(), topics.join('\n'), digests.map((d) => d.id).join(','), stamp ?? '');
    const lastModified = maxDate(digests[0]?.createdAt, reader.updatedAt);
    return this.response(etag, lastModified, async () => {
      const loaded = await this.load(digests);
      const picks = await this.rank(loaded, reader.id, topics, stamp !== null);
      const papers = feedPapers(
        loaded.map(toDigestPapers),
        (d) => picks.get(d.digestId) ?? [],
        (p) => paperUrl(p.arxivId, p.title),
        this.settings.maxEntries ?? 50,
      );
      const doc: FeedDocument = {
        id: `tag:${this.host},2026:reader/${reader.id}`,
        title: `${this.settings.productName}: new papers on your topics`,
        description: `New trending papers that your topics catch: ${topics.map(oneLine).join(', ') || 'none yet'}.`,
        homeUrl: `${this.settings.baseUrl}/`,
        atomUrl: urls.atom,
        jsonUrl: urls.json,
        updated: lastModified,
        papers,
        host: this.host,
      };
      return format === 'atom' ? atomFeed(doc) : jsonFeed(doc);
    });
  }

  /** The public Atom feed of the listing's new papers (no topics, no token). */
  async publicFeed(): Promise<FeedResponse> {
    const digests = await this.newest();
    const etag = validator('atom', 'public', digests.map((d) => d.id).join(','));
    const lastModified = digests[0]?.createdAt ?? new Date(0);
    return this.response(etag, lastModified, async () => {
      const loaded = await this.load(digests);
      const papers = feedPapers(
        loaded.map(toDigestPapers),
        (d) => d.papers.map((paper) => ({ paper, topics: [] })),
        (p) => paperUrl(p.arxivId, p.title),
        this.settings.maxEntries ?? 50,
      );
      return atomFeed({
        id: `tag:${this.host},2026:new-papers`,
        title: `${this.settings.productName}: new trending papers`,
        description: 'Every paper new on the trending list, as each snapshot is digested.',
        homeUrl: `${this.settings.baseUrl}/`,
        atomUrl: `${this.settings.baseUrl}/feeds/new-papers.atom`,
        updated: lastModified,
        papers,
        host: this.host,
      });
    });
  }

  /** Each digest's papers for one reader, ranked as their digest would be: topics, `like:` lines and their model. */
  private async rank(
    loaded: readonly Loaded[],
    readerId: number,
    topics: readonly string[],
    hasModel: boolean,
  ): Promise<Map<number, Array<{ paper: FrozenPaper; topics: string[] }>>> {
    const textModel =
      this.relevance && (hasModel || topics.some((t) => likeTopicTarget(t) !== null)) ? await this.relevance.textModels.current(this.relevance.sql) : null;
    const loader = textModel ? new ReaderRelevanceLoader(this.relevance!.sql, textModel) : null;
    const out = new Map<number, Array<{ paper: FrozenPaper; topics: string[] }>>();
    for (const one of loaded) {
      const byId = new Map(one.papers.map((p) => [p.id, p]));
      const relevance = loader ? (await loader.load([{ id: readerId, topics }], one.papers)).get(readerId) : undefined;
      out.set(
        one.digest.id,
        rankReaderPapers(one.matcher, topics, undefined, relevance, Infinity).map((p) => ({ paper: byId.get(p.paperId)!, topics: p.topics })),
      );
    }
    return out;
  }

  private response(etag: string, lastModified: Date, render: () => Promise<string>): FeedResponse {
    const body = (): Promise<Buffer> => {
      const kept = this.bodies.get(etag);
      if (kept) return kept.body;
      // requests arriving while it renders wait for the same one
      const entry = { body: render().then((text) => Buffer.from(text, 'utf8')), bytes: 0 };
      this.bodies.set(etag, entry);
      entry.body.then(
        (buffer) => {
          entry.bytes = buffer.length;
          this.keptBytes += buffer.length;
          for (const [key, old] of this.bodies) {
            if (this.keptBytes <= KEEP_BYTES) break;
            this.bodies.delete(key);
            this.keptBytes -= old.bytes;
          }
        },
        () => this.bodies.delete(etag),
      );
      return entry.body;
    };
    return { etag, lastModified, body };
  }

  private newest(): Promise<FeedDigest[]> {
    const now = Date.now();
    if (!this.recent || now - this.recent.at > (this.settings.recentMs ?? 2000)) {
      const list = recentDigests(this.prisma, this.settings.digests ?? 30);
      list.catch(() => (this.recent = null));
      this.recent = { at: now, list };
    }
    return this.recent.list;
  }

  private load(digests: readonly FeedDigest[]): Promise<Loaded[]> {
    return Promise.all(
      digests.map((digest) => {
        let one = this.loaded.get(digest.id);
        if (!one) {
          one = digestPapers(this.prisma, digest.id, { newOnly: true }).then((papers) => ({ digest, papers, matcher: new TopicMatcher(papers) }));
          one.catch(() => this.loaded.delete(digest.id));
          this.loaded.set(digest.id, one);
          const keep = (this.settings.digests ?? 30) * 2;
          for (const old of [...this.loaded.keys()].slice(0, Math.max(0, this.loaded.size - keep))) this.loaded.delete(old);
        }
        return one;
      }),
    );
  }
}

const toDigestPapers = (l: Loaded): DigestPapers => ({ digestId: l.digest.id, createdAt: l.digest.createdAt, papers: l.papers });

function validator(...parts: Array<string | number>): string {
  return `"${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 27)}"`;
}

function maxDate(a: Date | undefined, b: Date): Date {
  return a && a.getTime() > b.getTime() ? a : b;
}
