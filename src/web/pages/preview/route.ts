// GET /api/preview?topics=<lines>: per topic line, its papers in the newest snapshot (new ones
// marked, with ranges to highlight) or its parse error, and how many papers the lines catch together. JSON, assembled from per-topic JSON cached
// per snapshot, so a request costs a few map lookups.
// GET /api/preferences/preview?token=<preferences>&topics=<lines>: the same for one reader, ranked as
// their next digest would be (reader-preview.ts), from the preferences page. A preferences link only
// (a read link, feed or archive, never gets it: it shows what the reader marked); never cached
// (`private, no-store`); the request log keeps the path only (web/observe.ts), never the token.
import type { Request, RequestHandler } from 'express';
import type { SubscriptionDeps } from '../../../subscriptions/deps.ts';
import { SubscriptionError } from '../../../subscriptions/errors.ts';
import { distinctTopics, MAX_TOPICS, MAX_TOPICS_FIELD_CHARS, topicLineProblem, topicLines } from '../../../subscriptions/input.ts';
import { openPreferences } from '../../../subscriptions/preferences.ts';
import { HttpError } from '../../http-errors.ts';
import { tokenParam } from '../body.ts';
import type { PreviewCache, PreviewCorpus } from './preview-cache.ts';
import type { ReaderPreview } from './reader-preview.ts';

export function previewRoute(cache: PreviewCache): RequestHandler {
  return async (req, res) => {
    const { lines, overLimit } = topicsQuery(req);
    const corpus = await cache.current();
    const topics = await lineAnswers(corpus, lines);
    res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, max-age=10' }).send(answer(corpus, lines, overLimit, topics, null));
  };
}

export function readerPreviewRoute(cache: PreviewCache, deps: SubscriptionDeps): RequestHandler {
  return async (req, res) => {
    // the link first, whatever the topics say
    const subscriber = await openPreferences(deps, tokenParam(req));
    if (subscriber.status !== 'active') throw new SubscriptionError('NOT_ACTIVE', `the subscription is ${subscriber.status}`);
    const { lines, overLimit } = topicsQuery(req);
    const corpus = await cache.current();
    const topics = await lineAnswers(corpus, lines);
    // what catches for the reader: as the digest, without the muted lines (shown, marked muted)
    // (a line that does not parse catches nothing anyway)
    const catching = lines.filter((line) => !subscriber.mutedTopics.includes(line));
    const reader = corpus ? await corpus.forReader({ id: subscriber.id, lines: catching }) : null;
    const shown = reader
      ? lines.map((line, i) => {
          const mine = reader.topics.get(line);
          return mine ? JSON.stringify(mine) : topics[i]!;
        })
      : topics;
    res
      .set({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, no-store' })
      .send(answer(corpus, catching, overLimit, shown, reader));
  };
}

/** The box's lines, distinct, at most MAX_TOPICS of them; a box over the field's limit is refused. */
function topicsQuery(req: Request): { lines: string[]; overLimit: boolean } {
  const raw = req.query.topics ?? '';
  if (typeof raw !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'topics must be given once');
  const text = raw.replace(/\r\n/g, '\n');
  if (text.length > MAX_TOPICS_FIELD_CHARS) throw new HttpError(400, 'TOPICS_TOO_LONG', `topics are limited to ${MAX_TOPICS_FIELD_CHARS} characters`);
  const all = distinctTopics(topicLines(text));
  return { lines: all.slice(0, MAX_TOPICS).map((l) => l.text), overLimit: all.length > MAX_TOPICS };
}

/** Each line's answer as JSON (cached per snapshot), or with nothing ingested yet, which lines do not parse. */
async function lineAnswers(corpus: PreviewCorpus | null, lines: readonly string[]): Promise<string[]> {
  if (corpus) return Promise.all(lines.map((l) => corpus.lineJson(l)));
  return lines.map((l) => {
    const error = topicLineProblem(l);
    return JSON.stringify(error ? { topic: l, error } : { topic: l, total: 0, newTotal: 0, papers: [] });
  });
}

function answer(
  corpus: PreviewCorpus | null,
  catching: readonly string[],
  overLimit: boolean,
  topics: readonly string[],
  reader: ReaderPreview | null,
): string {
  // what the lines catch together, a paper two of them catch counted once (as the digest counts it)
  const caught = JSON.stringify(corpus ? corpus.caughtBy(catching) : { papers: 0, new: 0 });
  const mine = reader ? `,"reader":${JSON.stringify({ notForYou: reader.notForYou, alsoLike: reader.alsoLike })}` : '';
  return (
    `{"snapshot":${corpus ? corpus.snapshotJson : 'null'},"maxTopics":${MAX_TOPICS},"overLimit":${overLimit},` +
    `"caught":${caught},"topics":[${topics.join(',')}]${mine}}`
  );
}
