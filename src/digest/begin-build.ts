// The start of a digest build (build-digest.ts), under the build lock: a new one — the digest row,
// status building, with its new papers frozen and older snapshots skipped, in one transaction — or one
// left unfinished (a process died or stopped), gone on with from its papers as frozen when it began.
import { digestPapers, freezeDigestPapers, type FrozenPaper } from '../db/digest-papers.ts';
import { digestForSnapshot, skipOlderSnapshots, startBuilding, type DigestSummary } from '../db/digests.ts';
import { Prisma } from '../db/generated/client.ts';
import { plural } from '../log/plural.ts';
import type { SnapshotSummary } from '../model/snapshot.ts';
import { newPapersNow, type BuildReadDeps } from './build-inputs.ts';

type BeginDeps = BuildReadDeps & { now: () => Date };

export interface Begun {
  digest: DigestSummary;
  newPapers: FrozenPaper[];
  skipped: number[];
  resumedAfter?: number;
}

/** A build left unfinished: its papers as frozen when it was started, the same for every chunk, whatever was ingested since. */
export async function goOnWith(deps: BeginDeps, digest: DigestSummary): Promise<Begun> {
  const newPapers = await digestPapers(deps.prisma, digest.id, { newOnly: true });
  deps.log.warn(
    { event: 'digest.build_resumed', digestId: digest.id, snapshotId: digest.snapshotId, readers: digest.buildReaders, of: digest.buildReadersTotal },
    `going on with the build of digest ${digest.id} left unfinished: ${digest.buildReaders} of ${plural(digest.buildReadersTotal ?? 0, 'reader')} were planned`,
  );
  return { digest, newPapers, skipped: [], resumedAfter: digest.buildReaders };
}

/** A new build: the digest row (building), its new papers frozen with it, older snapshots skipped, in one transaction. */
export async function begin(deps: BeginDeps, snapshot: SnapshotSummary): Promise<Begun | { kind: 'up-to-date'; digestId: number; snapshotId: number }> {
  const { prisma } = deps;
  const newPapers = await newPapersNow(deps, snapshot, true);
  const builtAt = deps.now();
  try {
    const { digest, skipped } = await prisma.$transaction(async (tx) => {
      const created = await startBuilding(tx, { snapshotId: snapshot.id, newPaperCount: newPapers.length, createdAt: builtAt });
      // frozen with it: every delivery renders from these, whatever is ingested later
      await freezeDigestPapers(tx, created.id, newPapers);
      return { digest: created, skipped: await skipOlderSnapshots(tx, snapshot) };
    });
    deps.log.info(
      { event: 'digest.building', digestId: digest.id, snapshotId: snapshot.id, readers: digest.buildReadersTotal },
      `building digest ${digest.id} of snapshot ${snapshot.id} for ${plural(digest.buildReadersTotal ?? 0, 'reader')}`,
    );
    return { digest, newPapers, skipped };
  } catch (err) {
    // a process without the lock (an older paperboy) created it meanwhile
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const other = await digestForSnapshot(prisma, snapshot.id);
      if (other) return { kind: 'up-to-date', digestId: other.id, snapshotId: snapshot.id };
    }
    throw err;
  }
}
