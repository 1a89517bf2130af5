// Snapshots and papers in the database. Rows become the domain types of ingest/ here.
import { identityKeys, resolvePapers, type KnownPaper, type PaperFields } from '../ingest/resolve-papers.ts';
import type { ParsedSnapshot } from '../ingest/types.ts';
import type { Paper as PaperRow, Snapshot as SnapshotRow } from './generated/client.ts';
import { Prisma, type PrismaClient } from './generated/client.ts';

export type Tx = Prisma.TransactionClient;
export type Db = PrismaClient | Tx;

export interface SnapshotSummary {
  id: number;
  source: string;
  capturedAt: Date;
  contentHash: string;
  format: 'text' | 'json';
  entryCount: number;
  ingestedAt: Date;
}

export interface Paper extends KnownPaper {}

export interface StoredSnapshot {
  snapshot: SnapshotSummary;
  createdPapers: number;
  updatedPapers: number;
  duplicates: number[];
}

export class DuplicateSnapshotError extends Error {
  readonly code = 'SNAPSHOT_DUPLICATE';
  constructor(readonly snapshotId: number) {
    super(`the same content is already snapshot ${snapshotId}`);
  }
}

const LONG_TX = { maxWait: 30_000, timeout: 120_000 };

export function toSnapshot(row: SnapshotRow): SnapshotSummary {
  return { ...row, format: row.format };
}

export function toPaper(row: PaperRow): Paper {
  return {
    id: row.id,
    arxivId: row.arxivId,
    titleKey: row.titleKey,
    title: row.title,
    abstract: row.abstract,
    authorCount: row.authorCount,
    authors: row.authors,
    organization: row.organization,
    publishedOn: row.publishedOn ? row.publishedOn.toISOString().slice(0, 10) : null,
    upvotes: row.upvotes,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
  };
}

function toRow(fields: Partial<PaperFields>) {
  const { publishedOn, ...rest } = fields;
  return publishedOn === undefined ? rest : { ...rest, publishedOn: publishedOn === null ? null : new Date(`${publishedOn}T00:00:00Z`) };
}

export async function findSnapshotByHash(db: Db, contentHash: string): Promise<SnapshotSummary | null> {
  const row = await db.snapshot.findUnique({ where: { contentHash } });
  return row ? toSnapshot(row) : null;
}

/**
 * Stores a parsed snapshot, its papers (created or updated) and its entries in ONE transaction:
 * either all of it is there afterwards or none of it.
 */
export async function storeSnapshot(
  prisma: PrismaClient,
  input: { parsed: ParsedSnapshot; source: string; contentHash: string },
): Promise<StoredSnapshot> {
  const { parsed, source, contentHash } = input;
  try {
    return await prisma.$transaction(async (tx) => {
      const existing = await tx.snapshot.findUnique({ where: { contentHash }, select: { id: true } });
      if (existing) throw new DuplicateSnapshotError(existing.id);

      const keys = identityKeys(parsed.papers);
      const known = await tx.paper.findMany({
        where: { OR: [{ arxivId: { in: keys.arxivIds } }, { titleKey: { in: keys.titleKeys } }] },
      });
      const resolution = resolvePapers(parsed.papers, known.map(toPaper), parsed.capturedAt);

      const fresh = resolution.entries.filter((e) => e.kind === 'new');
      const created = fresh.length
        ? await tx.paper.createManyAndReturn({ data: fresh.map((e) => toRow(e.fields) as Prisma.PaperCreateManyInput), select: { id: true } })
        : [];
      let updated = 0;
      for (const entry of resolution.entries) {
        if (entry.kind === 'existing' && Object.keys(entry.changes).length > 0) {
          await tx.paper.update({ where: { id: entry.paperId }, data: toRow(entry.changes) });
          updated++;
        }
      }

      const snapshot = await tx.snapshot.create({
        data: { source, capturedAt: parsed.capturedAt, contentHash, format: parsed.format, entryCount: resolution.entries.length },
      });
      let next = 0;
      await tx.snapshotEntry.createMany({
        data: resolution.entries.map((entry, position) => ({
          snapshotId: snapshot.id,
          position,
          paperId: entry.kind === 'existing' ? entry.paperId : created[next++]!.id,
        })),
      });
      return { snapshot: toSnapshot(snapshot), createdPapers: created.length, updatedPapers: updated, duplicates: resolution.duplicates };
    }, LONG_TX);
  } catch (err) {
    // Another process stored the same content between our check and our insert.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const winner = await findSnapshotByHash(prisma, contentHash);
      if (winner) throw new DuplicateSnapshotError(winner.id);
    }
    throw err;
  }
}

/** The newest snapshot: latest capture date, then latest ingested. */
export async function latestSnapshot(db: Db): Promise<SnapshotSummary | null> {
  const row = await db.snapshot.findFirst({ orderBy: [{ capturedAt: 'desc' }, { id: 'desc' }] });
  return row ? toSnapshot(row) : null;
}

/** The snapshot captured just before this one (capture date, then ingest order). */
export async function previousSnapshot(db: Db, snapshot: Pick<SnapshotSummary, 'id' | 'capturedAt'>): Promise<SnapshotSummary | null> {
  const row = await db.snapshot.findFirst({
    where: {
      OR: [{ capturedAt: { lt: snapshot.capturedAt } }, { capturedAt: snapshot.capturedAt, id: { lt: snapshot.id } }],
    },
    orderBy: [{ capturedAt: 'desc' }, { id: 'desc' }],
  });
  return row ? toSnapshot(row) : null;
}

export async function getSnapshot(db: Db, id: number): Promise<SnapshotSummary | null> {
  const row = await db.snapshot.findUnique({ where: { id } });
  return row ? toSnapshot(row) : null;
}

/** A snapshot's papers in listing order. */
export async function snapshotPapers(db: Db, snapshotId: number): Promise<Paper[]> {
  const entries = await db.snapshotEntry.findMany({ where: { snapshotId }, orderBy: { position: 'asc' }, include: { paper: true } });
  return entries.map((e) => toPaper(e.paper));
}

export async function snapshotPaperIds(db: Db, snapshotId: number): Promise<number[]> {
  const entries = await db.snapshotEntry.findMany({ where: { snapshotId }, orderBy: { position: 'asc' }, select: { paperId: true } });
  return entries.map((e) => e.paperId);
}

export async function listSnapshots(db: Db, limit = 20): Promise<SnapshotSummary[]> {
  const rows = await db.snapshot.findMany({ orderBy: [{ capturedAt: 'desc' }, { id: 'desc' }], take: limit });
  return rows.map(toSnapshot);
}
