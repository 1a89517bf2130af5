// Is the snapshot source healthy? Pure: from what was recorded of its last checks and the clock.
// Unhealthy when its last check failed (fetch, not a snapshot, the check itself), when a file of a
// folder source was rejected and is still there (named, with its error), or when it has produced no
// new snapshot for longer than SOURCE_STALE_AFTER. An empty listing (a quiet day) is not a problem.

type SourceProblem = 'fetch_failed' | 'not_a_snapshot' | 'unreadable' | 'check_failed' | 'rejected_file' | 'stale';

/** A file of a folder source whose current content was rejected: skipped until it changes. (A type, not an interface, so
 * that it is a JSON value Prisma can store as it is.) */
export type RejectedFile = {
  name: string;
  line: number | null;
  error: string;
};

export interface SourceRecord {
  source: string;
  firstCheckedAt: Date;
  lastCheckedAt: Date | null;
  lastSuccessAt: Date | null;
  lastNewSnapshotAt: Date | null;
  lastError: string | null;
  lastErrorCode: string | null;
  consecutiveFailures: number;
  /** as stored (JSON): RejectedFile[] */
  rejectedFiles?: unknown;
}

export interface SourceHealth {
  source: string;
  healthy: boolean;
  problems: Array<{ reason: SourceProblem; message: string }>;
  lastCheckedAt: Date | null;
  lastNewSnapshotAt: Date | null;
  consecutiveFailures: number;
  rejectedFiles: RejectedFile[];
}

/** What a failed check's error code says about the source. */
function problemOf(code: string): SourceProblem {
  if (code.startsWith('SNAPSHOT_')) return 'not_a_snapshot';
  if (code.startsWith('FETCH_')) return 'fetch_failed';
  if (code === 'CHECK_FAILED') return 'check_failed';
  return 'unreadable';
}

/** "003_bad.json:12: item 2 (line 12): …" — the one line that names a rejected file. */
function describeRejectedFile(file: RejectedFile): string {
  return `${file.name}${file.line ? `:${file.line}` : ''}: ${file.error} (skipped until the file changes)`;
}

export function evaluateSourceHealth(record: SourceRecord, now: Date, staleAfterMs: number): SourceHealth {
  const problems: SourceHealth['problems'] = [];
  if (record.lastErrorCode) problems.push({ reason: problemOf(record.lastErrorCode), message: record.lastError ?? record.lastErrorCode });
  const rejectedFiles = readRejectedFiles(record.rejectedFiles);
  for (const file of rejectedFiles) problems.push({ reason: 'rejected_file', message: describeRejectedFile(file) });
  const since = record.lastNewSnapshotAt ?? record.firstCheckedAt;
  const quietMs = now.getTime() - since.getTime();
  if (quietMs > staleAfterMs) {
    const hours = Math.round(quietMs / 3_600_000);
    problems.push({
      reason: 'stale',
      message: record.lastNewSnapshotAt
        ? `no new snapshot for ${hours} h (SOURCE_STALE_AFTER)`
        : `no snapshot at all in ${hours} h of checks (SOURCE_STALE_AFTER)`,
    });
  }
  return {
    source: record.source,
    healthy: problems.length === 0,
    problems,
    lastCheckedAt: record.lastCheckedAt,
    lastNewSnapshotAt: record.lastNewSnapshotAt,
    consecutiveFailures: record.consecutiveFailures,
    rejectedFiles,
  };
}

function readRejectedFiles(value: unknown): RejectedFile[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const f = v as Partial<RejectedFile> | null;
    return f && typeof f.name === 'string' && typeof f.error === 'string'
      ? [{ name: f.name, line: typeof f.line === 'number' ? f.line : null, error: f.error }]
      : [];
  });
}
