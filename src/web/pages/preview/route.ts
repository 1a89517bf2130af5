// GET /api/preview?topics=<lines>: per topic line, its papers in the newest snapshot (new ones
// marked, with ranges to highlight) or its parse error, and how many papers the lines catch together. JSON, assembled from per-topic JSON cached
// per snapshot, so a request costs a few map lookups.
import type { RequestHandler } from 'express';
import { distinctTopics, MAX_TOPICS, MAX_TOPICS_FIELD_CHARS, topicLineProblem, topicLines } from '../../../subscriptions/input.ts';
import { HttpError } from '../../http-errors.ts';
import type { PreviewCache } from './preview-cache.ts';

export function previewRoute(cache: PreviewCache): RequestHandler {
  return async (req, res) => {
    const raw = req.query.topics ?? '';
    if (typeof raw !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'topics must be given once');
    const text = raw.replace(/\r\n/g, '\n');
    if (text.length > MAX_TOPICS_FIELD_CHARS) throw new HttpError(400, 'TOPICS_TOO_LONG', `topics are limited to ${MAX_TOPICS_FIELD_CHARS} characters`);
    const lines = distinctTopics(topicLines(text));
    const corpus = await cache.current();
    const shown = lines.slice(0, MAX_TOPICS);
    const topics = corpus
      ? await Promise.all(shown.map((l) => corpus.lineJson(l.text)))
      : lines.slice(0, MAX_TOPICS).map((l) => {
          const error = topicLineProblem(l.text); // nothing ingested yet: still say which lines do not parse
          return JSON.stringify(error ? { topic: l.text, error } : { topic: l.text, total: 0, newTotal: 0, papers: [] });
        });
    // what the lines catch together, a paper two of them catch counted once (as the digest counts it)
    const caught = JSON.stringify(corpus ? corpus.caughtBy(shown.map((l) => l.text)) : { papers: 0, new: 0 });
    const body = `{"snapshot":${corpus ? corpus.snapshotJson : 'null'},"maxTopics":${MAX_TOPICS},"overLimit":${lines.length > MAX_TOPICS},"caught":${caught},"topics":[${topics.join(',')}]}`;
    res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, max-age=10' }).send(body);
  };
}
