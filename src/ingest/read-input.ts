// Reading a snapshot's bytes from a file or an http(s) URL, with a size cap and a timeout.
// Credentials in a URL ("https://user:pass@host/…") are sent as HTTP Basic authentication (fetch
// refuses a URL that carries them); no message made here contains the URL.
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { redactUrlsIn } from '../security/redact.ts';

export class InputError extends Error {
  constructor(
    readonly code: 'INPUT_NOT_FOUND' | 'INPUT_TOO_LARGE' | 'INPUT_UNREADABLE' | 'FETCH_FAILED' | 'FETCH_TIMEOUT' | 'FETCH_STATUS',
    message: string,
    readonly status: number | null = null,
    /** an HTTP status's Retry-After header (429, 503), as given */
    readonly retryAfter: string | null = null,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/**
 * The snapshot files of a path: the file itself, or every regular non-hidden file of a folder in name
 * order (the one folder walk: `paperboy ingest` and the scheduled ingest of a folder source both use it).
 * A missing path is INPUT_NOT_FOUND, an unreadable one INPUT_UNREADABLE (messages without the path).
 */
export async function folderFiles(input: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(input, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return [input];
    if (code === 'ENOENT') throw new InputError('INPUT_NOT_FOUND', 'no such file or folder');
    throw new InputError('INPUT_UNREADABLE', `cannot read (${code ?? 'error'})`);
  }
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => path.join(input, name));
}

/** A URL, or the snapshot files of a path (folderFiles). */
export async function expandInput(input: string): Promise<string[]> {
  return isUrl(input) ? [input] : folderFiles(input);
}

export async function readFileCapped(file: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'INPUT_NOT_FOUND' : 'INPUT_UNREADABLE', code === 'ENOENT' ? 'no such file' : `cannot read: ${code}`);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new InputError('INPUT_TOO_LARGE', `${size} bytes is over the limit of ${maxBytes} (SOURCE_MAX_BYTES)`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export interface FetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** validators of the last good response: an unchanged listing answers 304 and costs nothing */
  etag?: string | null;
  lastModified?: string | null;
  fetchImpl?: typeof fetch;
  /** stops the request (a backfill interrupted) */
  signal?: AbortSignal;
}

export type FetchResult = { kind: 'body'; body: Buffer; etag: string | null; lastModified: string | null } | { kind: 'not-modified' };

/** The URL without its credentials, and those as an Authorization header. */
function withBasicAuth(url: string): { url: string; authorization: string | null } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url, authorization: null };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** What a connection error means, in the words an operator reads ("cannot be reached: ENOTFOUND (…)"). */
const REASONS: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve: no network, or no DNS',
  EAI_AGAIN: 'the host name does not resolve: no network, or no DNS',
  ECONNREFUSED: 'nothing listens there: the connection was refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  ENETUNREACH: 'no route to it: no network',
  EHOSTUNREACH: 'no route to it: no network',
};

function unreachable(code: string | undefined, message: string): string {
  if (!code) return `cannot be reached: ${message}`;
  const reason = REASONS[code] ?? (/CERT|SSL|TLS/i.test(code) ? 'its TLS certificate was refused' : null);
  return `cannot be reached: ${code}${reason ? ` (${reason})` : ''}`;
}

export async function fetchCapped(
  url: string,
  { maxBytes, timeoutMs, etag, lastModified, fetchImpl = fetch, signal: stop }: FetchOptions,
): Promise<FetchResult> {
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', 'user-agent': 'paperboy' };
  if (etag) headers['if-none-match'] = etag;
  if (lastModified) headers['if-modified-since'] = lastModified;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    const target = withBasicAuth(url);
    if (target.authorization) headers.authorization = target.authorization;
    response = await fetchImpl(target.url, { headers, signal: stop ? AbortSignal.any([signal, stop]) : signal, redirect: 'follow' });
  } catch (err) {
    if (stop?.aborted) throw new InputError('FETCH_FAILED', 'interrupted');
    if (signal.aborted) throw new InputError('FETCH_TIMEOUT', `no answer within ${timeoutMs} ms (SOURCE_TIMEOUT)`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    // Undici's own messages may quote the URL: never let one through.
    throw new InputError('FETCH_FAILED', redactUrlsIn(unreachable(cause?.code, cause?.message ?? (err as Error).message)));
  }
  if (response.status === 304) return { kind: 'not-modified' };
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new InputError('FETCH_STATUS', `HTTP ${response.status} ${response.statusText}`.trim(), response.status, response.headers.get('retry-after'));
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new InputError('INPUT_TOO_LARGE', `${declared} bytes is over the limit of ${maxBytes} (SOURCE_MAX_BYTES)`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    // fetch's body is a byte stream: typed ReadableStream<any> by undici
    const body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = response.body ?? [];
    for await (const chunk of body) {
      total += chunk.length;
      if (total > maxBytes) throw new InputError('INPUT_TOO_LARGE', `more than ${maxBytes} bytes (SOURCE_MAX_BYTES)`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    if (signal.aborted) throw new InputError('FETCH_TIMEOUT', `body not received within ${timeoutMs} ms (SOURCE_TIMEOUT)`);
    throw new InputError('FETCH_FAILED', redactUrlsIn(`fetch failed while reading: ${(err as Error).message}`));
  }
  return { kind: 'body', body: Buffer.concat(chunks), etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
}
