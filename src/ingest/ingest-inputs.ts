// The ingest step: bytes from a file, folder or URL → parsed snapshot → stored (one transaction per
// snapshot). The same content ingested twice is one snapshot. Input that is not a snapshot — or
// holds a value no real listing has, or the database cannot hold — is rejected with one line naming
// the input and the line, and the database is left as it was. An empty listing (a weekend) is a
// quiet check: nothing stored, nothing wrong.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { newPaperKeys } from '../model/new-papers.ts';
import type { Sql } from '../db/database.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { findSnapshotByHash, previousSnapshot, snapshotPaperIds, UnstorableSnapshotError } from '../db/snapshots.ts';
import type { Logger } from '../log/logger.ts';
import { noMetrics, type Metrics } from '../observe/metrics.ts';
import { redactUrl } from '../security/redact.ts';
import { parseSnapshot } from './parse-snapshot.ts';
import { expandInput, fetchCapped, InputError, isUrl, readFileCapped } from './read-input.ts';
import { DuplicateSnapshotError, storeSnapshot } from './store-snapshot.ts';
import { SnapshotParseError } from './types.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';

export interface IngestDeps {
  prisma: PrismaClient;
  /** plain SQL on the same pool: a snapshot's rows are written with it (db/paper-rows.ts) */
  sql: Sql;
  log: Logger;
  now: () => Date;
  maxBytes: number;
  timeoutMs: number;
  /** SOURCE_MAX_ENTRIES: a snapshot with more entries is refused before anything is stored */
  maxEntries?: number;
  metrics?: Metrics;
  /**
   * counts the papers stored since the last count into the text model (relevance/stored-text-model.ts
   * countTextModel): run after each ingest of up to COUNT_AT_INGEST new papers
   */
  countTextModel: () => Promise<{ model: { documents: number } }>;
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
      /** a newer snapshot already has its digest: this one is kept as history and never mailed */
      history: { snapshotId: number; digestId: number } | null;
    }
  | { kind: 'duplicate'; source: string; snapshotId: number }
  /** an empty listing (weekends, holidays, the start of a day): nothing stored, not a failure */
  | { kind: 'quiet'; source: string; message: string; line: number | null }
  | { kind: 'rejected'; source: string; code: string; message: string; line: number | null };

/** Up to this many new papers are counted into the text model by the ingest itself. */
const COUNT_AT_INGEST = 2_000;

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** How an input is named wherever it is shown or stored: a path as given, a URL redacted. */
export function displaySource(input: string): string {
  return isUrl(input) ? redactUrl(input) : input;
}

/** "seeds/x.txt:12: looks like an HTML page" — the one line an operator reads. */
export function describeRejection(outcome: Extract<IngestOutcome, { kind: 'rejected' }>): string {
  return `${outcome.source}${outcome.line ? `:${outcome.line}` : ''}: ${outcome.message}`;
}

export interface IngestOptions {
  /** store it as a history snapshot (the bundled seeds, a backfilled day): never digested */
  history?: boolean;
}

/** Parses and stores one input's bytes. `source` names it in what is stored and logged (displaySource). */
export async function ingestContent(deps: IngestDeps, source: string, bytes: Uint8Array, options: IngestOptions = {}): Promise<IngestOutcome> {
  const { log } = deps;
  source = displaySource(source);
  const hash = contentHash(bytes);
  const metrics = deps.metrics ?? noMetrics;
  const known = await findSnapshotByHash(deps.sql, hash);
  if (known) {
    metrics.snapshotDuplicate();
    return duplicate(log, source, known.id);
  }

  const now = deps.now();
  let parsed;
  try {
    parsed = parseSnapshot(bytes, { now, ...(deps.maxEntries !== undefined ? { maxEntries: deps.maxEntries } : {}) });
  } catch (err) {
    if (!(err instanceof SnapshotParseError)) throw err;
    if (err.kind === 'empty') {
      metrics.snapshotQuiet();
      return quiet(log, source, err.message, err.line);
    }
    metrics.snapshotRejected(err.code);
    return reject(log, source, err.code, err.message, err.line);
  }

  let stored;
  try {
    stored = await storeSnapshot(deps, { parsed, source, contentHash: hash, ingestedAt: now, history: options.history ?? false });
  } catch (err) {
    if (err instanceof DuplicateSnapshotError) {
      metrics.snapshotDuplicate();
      return duplicate(log, source, err.snapshotId);
    }
    if (err instanceof UnstorableSnapshotError) {
      metrics.snapshotRejected(err.code);
      return reject(log, source, err.code, err.message, null);
    }
    throw err;
  }
  metrics.snapshotIngested(parsed.format, stored.snapshot.entryCount);
  // The text model counts the new papers now (a day's listing: well under a second); a huge snapshot
  // (a backfill of thousands) is left to the reader-model job, which counts whatever was not counted
  // before the next digest — as it does if this fails (db/text-model.ts).
  const textModel =
    stored.createdPapers > COUNT_AT_INGEST
      ? null
      : await deps.countTextModel().catch((err: unknown) => {
          log.warn(
            { event: 'relevance.count_failed', snapshotId: stored.snapshot.id, err: String(err) },
            `the text model could not count the new papers yet: ${String(err)}`,
          );
          return null;
        });
  const outcome: IngestOutcome = {
    kind: 'ingested',
    source,
    snapshot: stored.snapshot,
    papers: stored.snapshot.entryCount,
    newPapers: await countNewPapers(deps.sql, stored.snapshot),
    createdPapers: stored.createdPapers,
    truncated: parsed.truncated,
    warnings: [...parsed.warnings, ...stored.duplicates.map((p) => `entry ${p + 1} repeats an earlier paper: kept once`)],
    history: await digestedAfter(deps.sql, stored.snapshot),
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
      warnings: outcome.warnings.length,
      ...(textModel ? { textModelPapers: textModel.model.documents } : {}),
      ...(outcome.history ? { history: outcome.history } : {}),
      ...(stored.snapshot.history ? { asHistory: true } : {}),
    },
    `ingested snapshot ${stored.snapshot.id} from ${source}: ${outcome.papers} ${outcome.papers === 1 ? 'paper' : 'papers'}, ${outcome.newPapers} new`,
  );
  return outcome;
}

/**
 * The newest snapshot captured after this one that already has its digest, if any: then this one is
 * history (a folder catching up, a backfill) — stored, never mailed, and the built digests are frozen.
 */
async function digestedAfter(sql: Sql, snapshot: SnapshotSummary): Promise<{ snapshotId: number; digestId: number } | null> {
  const { rows } = await sql.query<{ snapshot_id: number; digest_id: number }>(
    `SELECT s.id AS snapshot_id, g.id AS digest_id FROM digest g JOIN snapshot s ON s.id = g.snapshot_id
      WHERE g.status <> 'skipped' AND (s.captured_at > $1 OR (s.captured_at = $1 AND s.id > $2))
      ORDER BY s.captured_at DESC, s.id DESC LIMIT 1`,
    [snapshot.capturedAt, snapshot.id],
  );
  return rows[0] ? { snapshotId: rows[0].snapshot_id, digestId: rows[0].digest_id } : null;
}

/** How many of the snapshot's papers the previous snapshot did not have (ids only: cheap at 50,000). */
async function countNewPapers(sql: Sql, snapshot: SnapshotSummary): Promise<number> {
  const previous = await previousSnapshot(sql, snapshot);
  const [current, before] = await Promise.all([snapshotPaperIds(sql, snapshot.id), previous ? snapshotPaperIds(sql, previous.id) : null]);
  return newPaperKeys(current, before).length;
}

/** Reads and ingests one input (a file or URL; folders are expanded by ingestInputs). */
export async function ingestOne(deps: IngestDeps, input: string, options: IngestOptions = {}): Promise<IngestOutcome> {
  const source = isUrl(input) ? input : path.resolve(input);
  const named = displaySource(input);
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
    return reject(deps.log, named, err.code, err.message, null);
  }
  const outcome = await ingestContent(deps, source, bytes, options);
  // Name the input as the operator wrote it in what they read.
  return outcome.kind === 'rejected' || outcome.kind === 'quiet' ? { ...outcome, source: named } : outcome;
}

/** Each input in turn; a folder is each of its files once, in name order. */
export async function ingestInputs(
  deps: IngestDeps,
  inputs: string[],
  onOutcome?: (o: IngestOutcome) => void,
  options: IngestOptions = {},
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  for (const input of inputs) {
    let files: string[];
    try {
      files = await expandInput(input);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const outcome = reject(deps.log, displaySource(input), err.code, err.message, null);
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
      const outcome = await ingestOne(deps, file, options);
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

function quiet(log: Logger, source: string, message: string, line: number | null): IngestOutcome {
  log.info({ event: 'snapshot.quiet', source, line, reason: message }, `${source}: an empty listing (a quiet day): nothing stored`);
  return { kind: 'quiet', source, message, line };
}

function reject(log: Logger, source: string, code: string, message: string, line: number | null): IngestOutcome {
  const outcome = { kind: 'rejected' as const, source, code, message, line };
  log.warn({ event: 'snapshot.rejected', source, code, line, error: message }, describeRejection(outcome));
  return outcome;
}
