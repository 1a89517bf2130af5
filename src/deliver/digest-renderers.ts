// Per digest, once per process: its frozen papers (stored when the digest was built, never a diff
// re-run now), a matcher (to re-derive each recipient's highlights from the topics stored on the
// delivery) and the compiled template. Then per recipient: fill.
import type { FrequencyChoice } from '../render/frequency-line.ts';
import { TopicMatcher } from '../digest/topic-matcher.ts';
import { digestPapers, type FrozenPaper } from '../db/digest-papers.ts';
import { getDigest } from '../db/digests.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { getSnapshot } from '../db/snapshots.ts';
import type { TopicHit } from '../match/index.ts';
import { likeTopicTarget } from '../relevance/index.ts';
import { compileDigest, type DigestRenderer } from '../render/index.ts';
import type { ReaderLink } from '../render/reader-links.ts';
import type { DigestView, PaperView, RecipientView, RenderedEmail, WebViewLinks, WebViewRecipient } from '../render/types.ts';
import { paperUrl, type SubscriberLinks } from './links.ts';
import type { DeliveryPaper } from '../model/delivery.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';

export interface PreparedDigest {
  digestId: number;
  snapshot: SnapshotSummary;
  papers: FrozenPaper[];
  matcher: TopicMatcher;
  renderer: DigestRenderer;
}

export interface RenderSettings {
  baseUrl: string;
  productName: string;
}

export function toPaperView(paper: FrozenPaper & { carried?: boolean }): PaperView {
  return {
    paperId: paper.id,
    title: paper.title,
    url: paperUrl(paper.arxivId, paper.title),
    abstract: paper.abstract,
    authors: paper.authors,
    authorCount: paper.authorCount,
    organization: paper.organization,
    upvotes: paper.upvotes,
    publishedOn: paper.publishedOn,
    // details: absent from digests frozen before they were stored
    arxivId: paper.arxivId,
    aiSummary: paper.aiSummary ?? null,
    githubRepo: paper.githubRepo ?? null,
    githubStars: paper.githubStars ?? null,
    projectPage: paper.projectPage ?? null,
    comments: paper.comments ?? null,
    ...(paper.carried ? { carried: true } : {}),
  };
}

/** Compiles a digest's renderer from its (new) papers: one mjml run per template per process. */
export async function prepareDigest(digestId: number, snapshot: SnapshotSummary, papers: FrozenPaper[], settings: RenderSettings): Promise<PreparedDigest> {
  const view: DigestView = {
    digestId,
    snapshotDate: snapshot.capturedAt.toISOString().slice(0, 10),
    papers: papers.map(toPaperView),
    productName: settings.productName,
    baseUrl: settings.baseUrl,
  };
  return { digestId, snapshot, papers, matcher: new TopicMatcher(papers), renderer: await compileDigest(view) };
}

/** One recipient's email from what their delivery row stores (or its web view, with WebViewLinks). */
export function renderDelivery(
  prepared: PreparedDigest,
  email: string,
  papers: DeliveryPaper[],
  links: SubscriberLinks | WebViewLinks,
  reader?: ReaderLink[],
  frequency?: FrequencyChoice,
): RenderedEmail {
  const recipient: RecipientView | WebViewRecipient = {
    email,
    papers: papers.map((p) => ({
      paperId: p.paperId,
      hits: hitsOf(prepared.matcher, p),
      ...(p.section ? { section: p.section } : {}),
      ...(p.resembles ? { like: p.resembles.title } : {}),
    })),
    ...links,
    ...(reader ? { reader } : {}),
    ...(frequency ? { frequency } : {}),
  };
  return prepared.renderer.render(recipient);
}

function hitsOf(matcher: TopicMatcher, paper: DeliveryPaper): TopicHit[] {
  const like = paper.topics.filter((t) => likeTopicTarget(t) !== null);
  const words = like.length > 0 ? paper.topics.filter((t) => !like.includes(t)) : paper.topics;
  const hits = matcher.hitsFor(paper.paperId, words);
  if (like.length > 0) {
    // a `like:` line matches no words: its hit says only which line caught it, in the order stored
    const order = new Map(paper.topics.map((t, i) => [t, i]));
    return [...hits, ...like.map((topic) => reasonOnly(topic, [], paper.score ?? 0))].sort((a, b) => order.get(a.topic)! - order.get(b.topic)!);
  }
  if (hits.length > 0) return hits;
  // The stored topics no longer match (a rule changed since): still say why it was chosen.
  return paper.topics.map((topic) => reasonOnly(topic, paper.words ?? [], 0));
}

const reasonOnly = (topic: string, words: string[], score: number): TopicHit => ({
  topic,
  words,
  title: [],
  abstract: [],
  score,
  closeness: 'scattered',
  field: 'abstract',
  closest: null,
});

const KEEP_DIGESTS = 3;

export class DigestRenderers {
  private readonly cache = new Map<number, Promise<PreparedDigest>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly settings: RenderSettings,
  ) {}

  get(digestId: number): Promise<PreparedDigest> {
    let prepared = this.cache.get(digestId);
    if (!prepared) {
      prepared = this.load(digestId);
      prepared.catch(() => this.cache.delete(digestId));
      this.cache.set(digestId, prepared);
      // a long-running sender meets a new digest a day: keep the last few, not all of them
      for (const old of [...this.cache.keys()].slice(0, Math.max(0, this.cache.size - KEEP_DIGESTS))) this.cache.delete(old);
    }
    return prepared;
  }

  private async load(digestId: number): Promise<PreparedDigest> {
    const digest = await getDigest(this.prisma, digestId);
    const snapshot = digest ? await getSnapshot(this.prisma, digest.snapshotId) : null;
    if (!digest || !snapshot) throw new Error(`digest ${digestId} or its snapshot is gone`);
    return prepareDigest(digestId, snapshot, await digestPapers(this.prisma, digestId), this.settings);
  }
}
