// A local stand-in for the Hugging Face daily papers API (/api/daily_papers), serving the API's shape
// by listing day: `?date=YYYY-MM-DD` with `p` (page, from 0), `limit` (at most 100) and `sort`; a
// weekend day is `[]`; without `date`, the newest day. Items are built from the real item in
// tests/fixtures (shared/samples) with their own ids, titles and times. It records every request and
// can misbehave on purpose (a 429 with Retry-After, a 500, a request that never gets an answer).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** One item of the API's answer: the fields built here typed, the rest carried over from the sample as they are. */
interface ApiItem {
  paper: { id: string; title: string; summary: string; upvotes: number; publishedAt: string; authors: unknown[]; [field: string]: unknown };
  title: string;
  publishedAt: string;
  thumbnail: string;
  [field: string]: unknown;
}

const SAMPLE = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/ingest/api-daily-papers-2024-10-25.json'), 'utf8')) as ApiItem[])[0]!;
const TOPICS = [
  'scaling laws for sparse models',
  'quantum many-body dynamics',
  'video diffusion transformers',
  'retrieval-augmented generation',
  'robot manipulation policies',
];

export interface ApiRequest {
  date: string | null;
  page: number;
  limit: number;
  sort: string | null;
  at: number;
}

export interface FakeDailyPapersApi {
  url: string;
  requests: ApiRequest[];
  /** the papers served for a day (empty on weekends) */
  itemsOf(day: string): ApiItem[];
  /** what the next requests get instead of the listing: once each, in order */
  misbehave(...faults: Array<{ status: number; retryAfter?: string } | 'hang'>): void;
  /** every request for this day from now on hangs (never answered) until close */
  hangOn(day: string): void;
  close(): Promise<void>;
}

export function isWeekendDay(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 || d === 6;
}

/** A listing day's items: `perDay(day)` papers (weekends none), ids 2611.DDDNN-style, times during the day. */
export function dayItems(day: string, count: number): ApiItem[] {
  if (isWeekendDay(day)) return [];
  const serial = Math.round(new Date(`${day}T00:00:00Z`).getTime() / 86_400_000) % 10_000;
  return Array.from({ length: count }, (_, i) => {
    const id = `${day.slice(2, 4)}${day.slice(5, 7)}.${String(serial % 100).padStart(2, '0')}${String(i).padStart(3, '0')}`;
    const topic = TOPICS[i % TOPICS.length]!;
    const title = `${topic[0]!.toUpperCase()}${topic.slice(1)}: study ${i + 1} of ${day}`;
    const at = new Date(`${day}T06:00:00Z`).getTime() + i * 60_000;
    return {
      ...SAMPLE,
      paper: {
        ...SAMPLE.paper,
        id,
        title,
        summary: `We study ${topic} (${day}, ${i + 1}).`,
        upvotes: 100 - (i % 100),
        publishedAt: new Date(at - 86_400_000).toISOString(),
        authors: SAMPLE.paper.authors.slice(0, 2),
      },
      title,
      publishedAt: new Date(at).toISOString(),
      thumbnail: `https://example.org/thumbnails/${id}.png`,
    };
  });
}

export async function startDailyPapersApi(options: { perDay?: (day: string) => number; newest?: string; port?: number } = {}): Promise<FakeDailyPapersApi> {
  const perDay = options.perDay ?? (() => 40);
  const requests: ApiRequest[] = [];
  const faults: Array<{ status: number; retryAfter?: string } | 'hang'> = [];
  const hanging = new Set<string>();
  const held: ServerResponse[] = [];
  const itemsOf = (day: string) => dayItems(day, perDay(day));

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/daily_papers') return void res.writeHead(404).end('not found');
    const date = url.searchParams.get('date');
    const page = Number(url.searchParams.get('p') ?? 0);
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 50));
    requests.push({ date, page, limit, sort: url.searchParams.get('sort'), at: Date.now() });
    const fault = faults.shift();
    if (fault === 'hang' || (date && hanging.has(date))) return void held.push(res);
    if (fault) return void res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}).end(`{"error":"${fault.status}"}`);
    const day = date ?? options.newest ?? new Date().toISOString().slice(0, 10);
    const items = itemsOf(day).slice(page * limit, (page + 1) * limit);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(items));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/daily_papers`,
    requests,
    itemsOf,
    misbehave: (...more) => void faults.push(...more),
    hangOn: (day) => void hanging.add(day),
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
