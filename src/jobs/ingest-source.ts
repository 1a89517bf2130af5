// The scheduled ingest of SNAPSHOT_SOURCE, with what a source needs between runs: a URL is fetched
// with its last ETag/Last-Modified (an unchanged listing answers 304 and costs nothing) and retried
// with backoff on network errors; a folder's files are each read once (a file that was rejected is
// not read again until it changes). Every check updates the source's record and health.
import path from 'node:path';
import { readdir } from 'node:fs/promises';
import type { PrismaClient } from '../db/generated/client.ts';
import { ingestContent, type IngestDeps, type IngestOutcome } from '../ingest/ingest-inputs.ts';
import { contentHash } from '../ingest/ingest-inputs.ts';
import { fetchCapped, InputError, isUrl, readFileCapped } from '../ingest/read-input.ts';
import { evaluateSourceHealth, type SourceHealth } from './source-health.ts';

export interface SourceCheck {
  source: string;
  /** what the check found: 'unchanged' when the listing (URL) or folder had nothing new */
  outcomes: IngestOutcome[];
  unchanged: boolean;
  health: SourceHealth;
}

export interface IngestSourceOptions {
  staleAfterMs: number;
  /** network tries of a URL source (default 3) and the first backoff (doubled each time) */
  tries?: number;
  backoffMs?: number;
  fetchImpl?: typeof fetch;
}

export async function ingestSource(deps: IngestDeps, source: string, options: IngestSourceOptions): Promise<SourceCheck> {
  const { prisma } = deps;
  await prisma.sourceState.upsert({ where: { source }, create: { source }, update: {} });
  let outcomes: IngestOutcome[] = [];
  let unchanged = false;
  let failure: { code: string; message: string } | null = null;
  let validators: { etag: string | null; lastModified: string | null } | null = null;

  try {
    if (isUrl(source)) {
      const fetched = await fetchUrl(prisma, source, deps, options);
      if (fetched.kind === 'not-modified') unchanged = true;
      else {
        const outcome = await ingestContent(deps, source, fetched.body);
        outcomes = [outcome];
        // Keep the validators only for a body we could use: a rejected one is fetched again.
        if (outcome.kind !== 'rejected') validators = { etag: fetched.etag, lastModified: fetched.lastModified };
      }
    } else {
      outcomes = await ingestNewFiles(prisma, deps, source);
      unchanged = outcomes.length === 0;
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    failure = { code: err.code, message: err.message };
  }
  const rejected = outcomes.find((o) => o.kind === 'rejected');
  if (!failure && rejected?.kind === 'rejected') failure = { code: rejected.code, message: `${path.basename(rejected.source)}: ${rejected.message}` };
  const ingested = outcomes.some((o) => o.kind === 'ingested');

  const now = deps.now();
  const state = await prisma.sourceState.update({
    where: { source },
    data: {
      lastCheckedAt: now,
      ...(failure ? {} : { lastSuccessAt: now }),
      ...(ingested ? { lastNewSnapshotAt: now } : {}),
      lastError: failure?.message ?? null,
      lastErrorCode: failure?.code ?? null,
      consecutiveFailures: failure ? { increment: 1 } : 0,
      ...(validators ? validators : {}),
    },
  });
  const health = evaluateSourceHealth(state, now, options.staleAfterMs);
  const metrics = deps.metrics;
  metrics?.sourceHealthy(health.healthy);
  for (const problem of health.problems) {
    metrics?.sourceUnhealthy(problem.reason);
    deps.log.warn({ event: 'source.unhealthy', source, reason: problem.reason, consecutiveFailures: state.consecutiveFailures, error: problem.message }, `source unhealthy (${problem.reason}): ${problem.message}`);
  }
  return { source, outcomes, unchanged, health };
}

/** The current health of a source from its record (for /healthz and the admin API). */
export async function sourceHealth(prisma: PrismaClient, source: string, now: Date, staleAfterMs: number): Promise<SourceHealth | null> {
  const state = await prisma.sourceState.findUnique({ where: { source } });
  return state ? evaluateSourceHealth(state, now, staleAfterMs) : null;
}

async function fetchUrl(prisma: PrismaClient, url: string, deps: IngestDeps, options: IngestSourceOptions) {
  const state = await prisma.sourceState.findUnique({ where: { source: url } });
  const tries = options.tries ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchCapped(url, {
        maxBytes: deps.maxBytes,
        timeoutMs: deps.timeoutMs,
        etag: state?.etag ?? null,
        lastModified: state?.lastModified ?? null,
        ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
      });
    } catch (err) {
      // Network errors and 5xx may pass; a 4xx or an oversized body will not.
      const retriable = err instanceof InputError && (err.code === 'FETCH_FAILED' || err.code === 'FETCH_TIMEOUT' || (err.status ?? 0) >= 500);
      if (!retriable || attempt >= tries) throw err;
      const delay = (options.backoffMs ?? 1000) * 2 ** (attempt - 1);
      deps.log.info({ event: 'source.retry', source: url, attempt, delayMs: delay, error: (err as Error).message }, `fetching ${url} failed; trying again in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** The files of a folder (or the one file) not read before in this form, in name order. */
async function ingestNewFiles(prisma: PrismaClient, deps: IngestDeps, source: string): Promise<IngestOutcome[]> {
  let files: string[];
  try {
    const entries = await readdir(source, { withFileTypes: true });
    files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => path.join(source, e.name)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') files = [source];
    else throw new InputError(code === 'ENOENT' ? 'INPUT_NOT_FOUND' : 'INPUT_UNREADABLE', code === 'ENOENT' ? `${source}: no such file or folder` : `${source}: cannot read (${code})`);
  }
  const outcomes: IngestOutcome[] = [];
  for (const file of files) {
    const bytes = await readFileCapped(file, deps.maxBytes).catch((err) => {
      if (err instanceof InputError) return err;
      throw err;
    });
    const name = path.basename(file);
    if (bytes instanceof InputError) {
      outcomes.push({ kind: 'rejected', source: file, code: bytes.code, message: bytes.message, line: null });
      continue;
    }
    const hash = contentHash(bytes);
    const seen = await prisma.sourceFile.findUnique({ where: { source_name_contentHash: { source, name, contentHash: hash } } });
    if (seen) continue;
    const outcome = await ingestContent(deps, path.resolve(file), bytes);
    outcomes.push(outcome.kind === 'rejected' ? { ...outcome, source: file } : outcome);
    await prisma.sourceFile.create({
      data: {
        source,
        name,
        contentHash: hash,
        outcome: outcome.kind,
        snapshotId: outcome.kind === 'ingested' ? outcome.snapshot.id : outcome.kind === 'duplicate' ? outcome.snapshotId : null,
        error: outcome.kind === 'rejected' ? outcome.message : null,
      },
    });
  }
  return outcomes;
}

