// A digest is frozen when built: its deliveries render from the papers it stored then. An older
// capture ingested after the digest was built (a folder source catching up, a backfill) used to make
// every delivery fail ("paper N is not in digest M") because the diff was recomputed at send time;
// a later snapshot that changes a paper's title or abstract must not change what the digest says.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { digestDeps, ingestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestInputs } from '../../../src/ingest/ingest-inputs.ts';
import { addSubscribers, sendNow, type TestApp } from '../../support/app.ts';
import { deliveryTest as it } from '../../support/delivery-test.ts';

const paper = (id: string, title: string, summary: string, day: string) => ({
  paper: { id, title, summary, authors: [{ name: 'A. Author' }], upvotes: 3 },
  publishedAt: `2026-06-${day}T06:00:00.000Z`,
});

async function ingestJson(a: TestApp, name: string, items: unknown[]) {
  const file = path.join(a.dataDir, name);
  await writeFile(file, JSON.stringify(items));
  const [outcome] = await ingestInputs(ingestDeps(a.ctx), [file]);
  expect(outcome?.kind).toBe('ingested');
  return outcome!;
}

describe('a frozen digest', () => {
  it('an older capture ingested after the digest was built neither breaks nor changes it', async ({ delivery }) => {
    const { app, sink } = await delivery.withSink();
    const old = paper('2606.00001', 'Attention Is Mostly Enough', 'An old favourite about attention.', '10');
    await ingestJson(app, 'a.json', [old]);
    await ingestJson(app, 'c.json', [
      old,
      paper('2606.00042', 'Scaling Laws for Sparse Mixtures', 'New scaling laws for sparse mixtures of experts.', '12'),
      paper('2606.00043', 'Broken Neural Scaling Laws Revisited', 'A smoothly broken power law, revisited.', '12'),
    ]);
    await addSubscribers(app, [['alice@example.org', ['scaling laws']]]);
    const built = await buildDigest(digestDeps(app.ctx));
    expect(built.kind).toBe('built');
    if (built.kind !== 'built') return;
    expect(built.deliveries).toBe(1);
    const frozen = await app.ctx.db.prisma.digestPaper.findMany({ where: { digestId: built.digest!.id }, orderBy: { position: 'asc' } });
    expect(frozen.map((f) => (f.paper as { title: string }).title)).toEqual(['Scaling Laws for Sparse Mixtures', 'Broken Neural Scaling Laws Revisited']);

    // Now a capture from between the two arrives late, and renames one of the new papers.
    const late = await ingestJson(app, 'b.json', [old, paper('2606.00042', 'Sparse Mixtures Scale (renamed later)', 'A different abstract entirely.', '11')]);
    // the ingest says what it is: history, never mailed, the built digest unchanged
    expect(late).toMatchObject({ kind: 'ingested', history: { snapshotId: built.snapshot.id, digestId: built.digest!.id } });
    expect(app.captured.events('snapshot.ingested').at(-1)).toMatchObject({ history: { digestId: built.digest!.id } });

    const summary = await sendNow(app);
    expect(summary).toMatchObject({ sent: 1, failed: 0, unknown: 0 });
    const text = sink.messages[0]?.parsed.text?.replace(/\*/g, ''); // without the highlights' asterisks
    expect(text).toContain('Scaling Laws for Sparse Mixtures');
    expect(text).toContain('Broken Neural Scaling Laws Revisited');
    expect(text).not.toContain('renamed later');
    expect(await app.ctx.db.prisma.delivery.findFirstOrThrow()).toMatchObject({ status: 'sent', errorCode: null });
    // and the papers it showed are mailed papers: the next digest will not offer them again
    expect(await app.ctx.db.prisma.mailedPaper.count()).toBe(2);
  });
});
