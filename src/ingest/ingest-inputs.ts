// The ingest step: bytes from a file, folder or URL → parsed snapshot → stored (one transaction per
// snapshot). The same content ingested twice is one snapshot. Input that is not a snapshot is
// rejected with one line naming the input and the line, and the database is left as it was.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadSnapshotDiff } from '../diff/load-new-papers.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { DuplicateSnapshotError, findSnapshotByHash, storeSnapshot, type SnapshotSummary } from '../db/snapshots.ts';
import type { Logger } from '../log/logger.ts';
import { noMetrics, type Metrics } from '../observe/metrics.ts';
import { parseSnapshot } from './parse-snapshot.ts';
import { expandInput, fetchCapped, InputError, isUrl, readFileCapped } from './read-input.ts';
import { SnapshotParseError } from './types.ts';

export interface IngestDeps {
  prisma: PrismaClient;
  log: Logger;
  now: () => Date;
  maxBytes: number;
  timeoutMs: number;
  metrics?: Metrics;
}

export type IngestOutcome =
  | {
      kind: 'ingested';
      source: string;
      snapshot: SnapshotSummary;
      papers: number;
      newPapers: number;
      createdPapers: number;
      truncated: boolean;
      warnings: string[];
    }
  | { kind: 'duplicate'; source: string; snapshotId: number }
  | { kind: 'rejected'; source: string; code: string; message: string; line: number | null };

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** "seeds/x.txt:12: looks like an HTML page" — the one line an operator reads. */
export function describeRejection(outcome: Extract<IngestOutcome, { kind: 'rejected' }>): string {
  return `${outcome.source}${outcome.line ? `:${outcome.line}` : ''}: ${outcome.message}`;
}

export async function ingestContent(deps: IngestDeps, source: string, bytes: Uint8Array): Promise<IngestOutcome> {
  const { prisma, log } = deps;
  const hash = contentHash(bytes);
  const metrics = deps.metrics ?? noMetrics;
  const known = await findSnapshotByHash(prisma, hash);
  if (known) {
    metrics.snapshotDuplicate();
    return duplicate(log, source, known.id);
  }

  let parsed;
  try {
    parsed = parseSnapshot(bytes, { now: deps.now() });
  } catch (err) {
    if (!(err instanceof SnapshotParseError)) throw err;
    const code = err.kind === 'empty' ? 'SNAPSHOT_EMPTY' : err.code;
    metrics.snapshotRejected(code);
    return reject(log, source, code, err.message, err.line);
  }

  let stored;
  try {
    stored = await storeSnapshot(prisma, { parsed, source, contentHash: hash });
  } catch (err) {
    if (err instanceof DuplicateSnapshotError) {
      metrics.snapshotDuplicate();
      return duplicate(log, source, err.snapshotId);
    }
    throw err;
  }
  metrics.snapshotIngested(parsed.format, stored.snapshot.entryCount);
  const diff = await loadSnapshotDiff(prisma, stored.snapshot);
  const outcome: IngestOutcome = {
    kind: 'ingested',
    source,
    snapshot: stored.snapshot,
    papers: stored.snapshot.entryCount,
    newPapers: diff.newPaperIds.length,
    createdPapers: stored.createdPapers,
    truncated: parsed.truncated,
    warnings: [...parsed.warnings, ...stored.duplicates.map((p) => `entry ${p + 1} repeats an earlier paper: kept once`)],
  };
  log.info(
    {
      event: 'snapshot.ingested',
      snapshotId: stored.snapshot.id,
      source,
      format: parsed.format,
      capturedAt: stored.snapshot.capturedAt.toISOString().slice(0, 10),
      papers: outcome.papers,
      newPapers: outcome.newPapers,
      createdPapers: outcome.createdPapers,
      truncated: parsed.truncated,
    },
    `ingested snapshot ${stored.snapshot.id} from ${source}: ${outcome.papers} papers, ${outcome.newPapers} new`,
  );
  return outcome;
}

/** Reads and ingests one input (a file or URL; folders are expanded by ingestInputs). */
export async function ingestOne(deps: IngestDeps, input: string): Promise<IngestOutcome> {
  const source = isUrl(input) ? input : path.resolve(input);
  let bytes: Uint8Array;
  try {
    if (isUrl(input)) {
      const result = await fetchCapped(input, { maxBytes: deps.maxBytes, timeoutMs: deps.timeoutMs });
      if (result.kind === 'not-modified') throw new InputError('FETCH_STATUS', 'HTTP 304 without a cached copy');
      bytes = result.body;
    } else {
      bytes = await readFileCapped(input, deps.maxBytes);
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    (deps.metrics ?? noMetrics).snapshotRejected(err.code);
    return reject(deps.log, input, err.code, err.message, null);
  }
  const outcome = await ingestContent(deps, source, bytes);
  // Name the input as the operator wrote it in what they read.
  return outcome.kind === 'rejected' ? { ...outcome, source: input } : outcome;
}

/** Each input in turn; a folder is each of its files once, in name order. */
export async function ingestInputs(deps: IngestDeps, inputs: string[], onOutcome?: (o: IngestOutcome) => void): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  for (const input of inputs) {
    let files: string[];
    try {
      files = await expandInput(input);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const outcome = reject(deps.log, input, err.code, err.message, null);
      outcomes.push(outcome);
      onOutcome?.(outcome);
      continue;
    }
    if (files.length === 0) {
      const outcome = reject(deps.log, input, 'INPUT_NOT_FOUND', 'the folder holds no files', null);
      outcomes.push(outcome);
      onOutcome?.(outcome);
    }
    for (const file of files) {
      const outcome = await ingestOne(deps, file);
      outcomes.push(outcome);
      onOutcome?.(outcome);
    }
  }
  return outcomes;
}

function duplicate(log: Logger, source: string, snapshotId: number): IngestOutcome {
  log.info({ event: 'snapshot.duplicate', snapshotId, source }, `${source} is already snapshot ${snapshotId}`);
  return { kind: 'duplicate', source, snapshotId };
}

function reject(log: Logger, source: string, code: string, message: string, line: number | null): IngestOutcome {
  const outcome = { kind: 'rejected' as const, source, code, message, line };
  log.warn({ event: 'snapshot.rejected', source, code, line, error: message }, describeRejection(outcome));
  return outcome;
}
