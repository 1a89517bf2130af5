// Is the snapshot source healthy? Pure: from what was recorded of its last checks and the clock.
// Unhealthy when its last check failed (fetch, not a snapshot, no paper in it) or when it has
// produced no new snapshot for longer than SOURCE_STALE_AFTER.

export type SourceProblem = 'fetch_failed' | 'not_a_snapshot' | 'empty' | 'unreadable' | 'stale';

export interface SourceRecord {
  source: string;
  firstCheckedAt: Date;
  lastCheckedAt: Date | null;
  lastSuccessAt: Date | null;
  lastNewSnapshotAt: Date | null;
  lastError: string | null;
  lastErrorCode: string | null;
  consecutiveFailures: number;
}

export interface SourceHealth {
  source: string;
  healthy: boolean;
  problems: Array<{ reason: SourceProblem; message: string }>;
  lastCheckedAt: Date | null;
  lastNewSnapshotAt: Date | null;
  consecutiveFailures: number;
}

/** What a failed check's error code says about the source. */
export function problemOf(code: string): SourceProblem {
  if (code === 'SNAPSHOT_EMPTY') return 'empty';
  if (code === 'SNAPSHOT_INVALID') return 'not_a_snapshot';
  if (code.startsWith('FETCH_')) return 'fetch_failed';
  return 'unreadable';
}

export function evaluateSourceHealth(record: SourceRecord, now: Date, staleAfterMs: number): SourceHealth {
  const problems: SourceHealth['problems'] = [];
  if (record.lastErrorCode) problems.push({ reason: problemOf(record.lastErrorCode), message: record.lastError ?? record.lastErrorCode });
  const since = record.lastNewSnapshotAt ?? record.firstCheckedAt;
  const quietMs = now.getTime() - since.getTime();
  if (quietMs > staleAfterMs) {
    const hours = Math.round(quietMs / 3_600_000);
    problems.push({
      reason: 'stale',
      message: record.lastNewSnapshotAt ? `no new snapshot for ${hours} h (SOURCE_STALE_AFTER)` : `no snapshot at all in ${hours} h of checks (SOURCE_STALE_AFTER)`,
    });
  }
  return {
    source: record.source,
    healthy: problems.length === 0,
    problems,
    lastCheckedAt: record.lastCheckedAt,
    lastNewSnapshotAt: record.lastNewSnapshotAt,
    consecutiveFailures: record.consecutiveFailures,
  };
}
