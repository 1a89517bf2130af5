// The live preview's cache, with a fake snapshot source and a fake clock: the newest snapshot is
// asked for at most every refreshMs, requests meanwhile are answered from what is loaded, a newer
// snapshot replaces it, per-topic answers are cached and bounded, and highlights join across spaces.
import { describe, expect, it, vi } from 'vitest';
import type { Paper } from '../../../src/model/paper.ts';
import type { SnapshotSummary } from '../../../src/model/snapshot.ts';
import type { SnapshotDiff } from '../../../src/diff/load-new-papers.ts';
import { PreviewCache, PreviewCorpus, type PreviewSource } from '../../../src/web/pages/preview/preview-cache.ts';
import type { TopicPreview } from '../../../src/web/pages/preview/topic-preview.ts';
import { joinAdjacent } from '../../../src/match/index.ts';
import { capturingLogger, silentLogger } from '../../support/logs.ts';
import { anyOf } from '../../support/matchers.ts';
import { parseJson } from '../../support/json-body.ts';

const paper = (id: number, title: string, abstract = 'An abstract.'): Paper => ({
  id,
  arxivId: `2606.${String(id).padStart(5, '0')}`,
  titleKey: title.toLowerCase(),
  title,
  abstract,
  authorCount: 1,
  authors: [],
  organization: null,
  publishedOn: null,
  upvotes: null,
  firstSeenAt: new Date(0),
  lastSeenAt: new Date(0),
});
const snapshot = (id: number): SnapshotSummary => ({
  id,
  source: 's',
  capturedAt: new Date('2026-06-10T00:00:00Z'),
  contentHash: `h${id}`,
  format: 'text',
  entryCount: 2,
  ingestedAt: new Date(0),
  history: false,
});

function fakeSource(diffs: Record<number, SnapshotDiff>) {
  const calls = { latest: 0, load: 0 };
  let newest: number | null = 1;
  let fail = false;
  const source: PreviewSource = {
    latest: () => {
      calls.latest++;
      return fail ? Promise.reject(new Error('database down')) : Promise.resolve(newest === null ? null : snapshot(newest));
    },
    load: (s) => {
      calls.load++;
      return Promise.resolve(diffs[s.id]!);
    },
  };
  return { source, calls, setNewest: (id: number | null) => (newest = id), setFail: (f: boolean) => (fail = f) };
}

const diff = (id: number, papers: Paper[], newIds: number[]): SnapshotDiff => ({ snapshot: snapshot(id), previous: null, papers, newPaperIds: newIds });

describe('PreviewCache', () => {
  const one = diff(1, [paper(1, 'Scaling Laws for Everything'), paper(2, 'Quantum Gravity')], [2]);
  const two = diff(2, [paper(3, 'Broken Neural Scaling Laws')], [3]);

  it('loads the newest snapshot once, then asks again at most every refreshMs, answering meanwhile from what it has', async () => {
    let now = 0;
    const fake = fakeSource({ 1: one, 2: two });
    const cache = new PreviewCache(fake.source, { refreshMs: 5000, clock: () => now, log: silentLogger() });
    const [a, b] = await Promise.all([cache.current(), cache.current()]);
    expect(a).toBe(b);
    expect(fake.calls).toEqual({ latest: 1, load: 1 });
    for (let i = 0; i < 100; i++) await cache.current();
    expect(fake.calls.latest).toBe(1);

    fake.setNewest(2);
    now = 4999;
    expect((await cache.current())!.snapshot.id).toBe(1);
    now = 5000;
    expect((await cache.current())!.snapshot.id).toBe(1); // stale while the check runs
    await vi.waitFor(async () => expect((await cache.current())!.snapshot.id).toBe(2));
    expect(fake.calls).toEqual({ latest: 2, load: 2 });
  });

  it('keeps what it has when a later check fails; fails the first load; no snapshot is null', async () => {
    let now = 0;
    const fake = fakeSource({ 1: one });
    const captured = capturingLogger();
    const cache = new PreviewCache(fake.source, { refreshMs: 10, clock: () => now, log: captured.log });
    fake.setFail(true);
    await expect(cache.current()).rejects.toThrow('database down');
    fake.setFail(false);
    const loaded = await cache.current();
    fake.setFail(true);
    now = 100;
    expect(await cache.current()).toBe(loaded);
    // the failed check has ended (and said so): what it had is still what it answers
    await vi.waitFor(() => expect(captured.events('preview.refresh_failed')).toHaveLength(1));
    expect(await cache.current()).toBe(loaded);

    const empty = fakeSource({});
    empty.setNewest(null);
    expect(await new PreviewCache(empty.source, { refreshMs: 10, log: silentLogger() }).current()).toBeNull();
  });
});

describe('PreviewCorpus', () => {
  it('answers per topic with the papers (new first), the highlight ranges and the errors; caches each answer, bounded', () => {
    const corpus = new PreviewCorpus(diff(1, [paper(1, 'Scaling Laws for Everything', 'On scaling laws.'), paper(2, 'Laws of Scaling, new')], [2]), 2);
    expect(corpus.snapshot).toEqual({ id: 1, capturedAt: '2026-06-10', papers: 2, newPapers: 1 });
    const answer = parseJson<Extract<TopicPreview, { papers: unknown }>>(corpus.topicJson('scaling laws'));
    expect(answer).toMatchObject({ topic: 'scaling laws', total: 2, newTotal: 1 });
    expect(answer.papers.map((p) => [p.id, p.new])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(answer.papers[1]!.titleRanges).toEqual([[0, 12]]); // "Scaling Laws" as one mark
    // the digest's reason line, from the same hit: the preview and the email say the same
    expect(answer.papers[1]).toMatchObject({ reason: 'Title matches Scaling Laws', reasonRanges: [[14, 26]] });
    expect(answer.papers[1]!.url).toBe('https://huggingface.co/papers/2606.00001');
    expect(corpus.topicJson('scaling laws')).toBe(corpus.topicJson('scaling laws'));
    expect(JSON.parse(corpus.topicJson('"unclosed'))).toEqual({
      topic: '"unclosed',
      error: { code: 'TOPIC_UNBALANCED_QUOTE', message: anyOf(String), column: 0 },
    });
    expect(JSON.parse(corpus.topicJson('nothing here'))).toMatchObject({ total: 0, papers: [] });
    // a third distinct topic starts afresh (bounded), and answers the same
    expect(JSON.parse(corpus.topicJson('scaling laws'))).toEqual(answer);
  });

  it('joins neighbouring highlights separated only by spaces', () => {
    expect(
      joinAdjacent('Scaling  Laws, and laws', [
        [0, 7],
        [9, 13],
        [19, 23],
      ]),
    ).toEqual([
      [0, 13],
      [19, 23],
    ]);
  });
});
