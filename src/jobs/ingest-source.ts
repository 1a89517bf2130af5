// The scheduled ingest of SNAPSHOT_SOURCE, with what a source needs between runs: a URL is fetched
// with its last ETag/Last-Modified (an unchanged listing answers 304 and costs nothing) and retried
// with backoff on network errors; a folder's files are each read once, in name order — a file that
// was rejected is recorded by its content hash, skipped until it changes and reported while it is
// there, and never stops the files after it. Every check updates the source's record and health,
// even one that fails half-way (then the job fails too). The source is named redacted everywhere.
import path from 'node:path';
import type { PrismaClient } from '../db/generated/client.ts';
import { contentHash, displaySource, ingestContent, type IngestDeps, type IngestOutcome } from '../ingest/ingest-inputs.ts';
import { fetchCapped, folderFiles, InputError, isUrl, readFileCapped } from '../ingest/read-input.ts';
import { redactUrlsIn } from '../security/redact.ts';
import { evaluateSourceHealth, type RejectedFile, type SourceHealth } from './source-health.ts';

export interface SourceCheck {
  /** the source as shown (a URL redacted) */
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

interface Failure {
  code: string;
  message: string;
}

export async function ingestSource(deps: IngestDeps, source: string, options: IngestSourceOptions): Promise<SourceCheck> {
  const { prisma } = deps;
  const key = displaySource(source);
  await prisma.sourceState.upsert({ where: { source: key }, create: { source: key }, update: {} });
  let outcomes: IngestOutcome[] = [];
  let unchanged = false;
  let failure: Failure | null = null;
  let crash: unknown = null;
  let validators: { etag: string | null; lastModified: string | null } | null = null;
  let rejectedFiles: RejectedFile[] | null = null;

  try {
    if (isUrl(source)) {
      const fetched = await fetchUrl(prisma, source, deps, options);
      if (fetched.kind === 'not-modified') unchanged = true;
      else {
        const outcome = await ingestContent(deps, source, fetched.body);
        outcomes = [outcome];
        // Keep the validators only for a body we could use: a rejected one is fetched again.
        // (a rejection's message already says where: "item 2 (line 3): …", "… (line 1)")
        if (outcome.kind === 'rejected') failure = { code: outcome.code, message: outcome.message };
        else validators = { etag: fetched.etag, lastModified: fetched.lastModified };
      }
    } else {
      const folder = await checkFolder(prisma, deps, source, key);
      outcomes = folder.outcomes;
      rejectedFiles = folder.rejected;
      unchanged = outcomes.length === 0;
    }
  } catch (err) {
    if (err instanceof InputError) failure = { code: err.code, message: err.message };
    else {
      // The database went away, a bug…: the job fails, but the source says so at once.
      crash = err;
      failure = { code: 'CHECK_FAILED', message: `the check failed: ${redactUrlsIn(firstLine(err))}` };
    }
  }
  const ingested = outcomes.some((o) => o.kind === 'ingested');

  const now = deps.now();
  let state;
  try {
    state = await prisma.sourceState.update({
      where: { source: key },
      data: {
        lastCheckedAt: now,
        ...(failure ? {} : { lastSuccessAt: now }),
        ...(ingested ? { lastNewSnapshotAt: now } : {}),
        lastError: failure?.message ?? null,
        lastErrorCode: failure?.code ?? null,
        consecutiveFailures: failure ? { increment: 1 } : 0,
        ...(validators ? validators : {}),
        ...(rejectedFiles ? { rejectedFiles } : {}),
      },
    });
  } catch (err) {
    throw crash ?? err;
  }
  const health = evaluateSourceHealth(state, now, options.staleAfterMs);
  const metrics = deps.metrics;
  metrics?.sourceHealthy(health.healthy);
  for (const problem of health.problems) {
    metrics?.sourceUnhealthy(problem.reason);
    deps.log.warn(
      { event: 'source.unhealthy', source: key, reason: problem.reason, consecutiveFailures: state.consecutiveFailures, error: problem.message },
      `source unhealthy (${problem.reason}): ${problem.message}`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows, unchanged, what the check's catch caught
  if (crash) throw crash;
  return { source: key, outcomes, unchanged, health };
}

/** The current health of a source from its record (for /healthz and the admin API). */
export async function sourceHealth(prisma: PrismaClient, source: string, now: Date, staleAfterMs: number): Promise<SourceHealth | null> {
  const state = await prisma.sourceState.findUnique({ where: { source: displaySource(source) } });
  return state ? evaluateSourceHealth(state, now, staleAfterMs) : null;
}

async function fetchUrl(prisma: PrismaClient, url: string, deps: IngestDeps, options: IngestSourceOptions) {
  const state = await prisma.sourceState.findUnique({ where: { source: displaySource(url) } });
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
      const shown = displaySource(url);
      deps.log.info(
        { event: 'source.retry', source: shown, attempt, delayMs: delay, error: (err as Error).message },
        `fetching ${shown} failed; trying again in ${delay} ms`,
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * The files of a folder (or the one file) not read before in this form, in name order; and every
 * file there now whose content was rejected (this time or before).
 */
async function checkFolder(
  prisma: PrismaClient,
  deps: IngestDeps,
  source: string,
  key: string,
): Promise<{ outcomes: IngestOutcome[]; rejected: RejectedFile[] }> {
  const files = await folderFiles(source).catch((err: unknown) => {
    throw err instanceof InputError ? new InputError(err.code, `${source}: ${err.message}`) : err;
  });
  const outcomes: IngestOutcome[] = [];
  const rejected: RejectedFile[] = [];
  for (const file of files) {
    const name = path.basename(file);
    const bytes = await readFileCapped(file, deps.maxBytes).catch((err) => {
      if (err instanceof InputError) return err;
      throw err;
    });
    if (bytes instanceof InputError) {
      // Too large or unreadable: no content to record; reported while it is there.
      outcomes.push({ kind: 'rejected', source: file, code: bytes.code, message: bytes.message, line: null });
      rejected.push({ name, line: null, error: bytes.message });
      continue;
    }
    const hash = contentHash(bytes);
    const seen = await prisma.sourceFile.findUnique({ where: { source_name_contentHash: { source: key, name, contentHash: hash } } });
    if (seen) {
      if (seen.outcome === 'rejected') rejected.push({ name, line: seen.line, error: seen.error ?? 'rejected' });
      continue;
    }
    const outcome = await ingestContent(deps, path.resolve(file), bytes);
    outcomes.push(outcome.kind === 'rejected' || outcome.kind === 'quiet' ? { ...outcome, source: file } : outcome);
    if (outcome.kind === 'rejected') rejected.push({ name, line: outcome.line, error: outcome.message });
    await prisma.sourceFile.create({
      data: {
        source: key,
        name,
        contentHash: hash,
        outcome: outcome.kind,
        snapshotId: outcome.kind === 'ingested' ? outcome.snapshot.id : outcome.kind === 'duplicate' ? outcome.snapshotId : null,
        error: outcome.kind === 'rejected' ? outcome.message : null,
        line: outcome.kind === 'rejected' ? outcome.line : null,
      },
    });
  }
  return { outcomes, rejected };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (
    message
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !/^Invalid `.*` invocation/.test(l)) ??
    (err as Error)?.name ??
    'error'
  );
}
