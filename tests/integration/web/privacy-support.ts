// A reader with something of everything stored about them (a sent digest and its mailed papers, a
// queued one, feedback, a reader model, subscription emails, a bounce report, SMTP text quoting their
// address), and the generic check that nothing of them is left: every text, varchar, array and json
// column of every table, scanned for their address (any case) and each of their topics.
import { digestDeps, trainReaderModelsDeps } from '../../../src/app/deps.ts';
import type { PrismaClient } from '../../../src/db/generated/client.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { trainReaderModels } from '../../../src/jobs/train-reader-models.ts';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import { addSubscribers } from '../../support/app.ts';
import { item, type ReaderWorld } from './reader-support.ts';

/** Topics that catch the papers below without their text appearing in any paper (stems do the work). */
export const TOPICS = ['regenerating zebrafishes', 'axolotl limbs -mouse'];
/** The control reader's: other words, the same papers. */
export const CONTROL_TOPICS = ['zebrafish fin', 'axolotl'];

let day = 0;
/** A new listing day for each call (calendar days: the ingest refuses a 2026-06-31). */
const nextDay = () => new Date(Date.UTC(2026, 5, 10 + ++day)).toISOString().slice(0, 10);

/** A listing whose two papers the TOPICS catch (ids unique per call). */
export async function ingestCaught(w: ReaderWorld): Promise<string> {
  const d = nextDay();
  const n = String(day).padStart(3, '0');
  await w.ingest(d, [
    item(`2606.10${n}`, `Zebrafish Fin Regeneration, part ${n}`, 'How zebrafish regrow fins.', d),
    item(`2606.20${n}`, `Axolotl Limb Regrowth, part ${n}`, 'Salamander limb studies.', d),
  ]);
  return d;
}

export interface RichReader {
  reader: Subscriber;
  control: Subscriber;
  sentDigest: number;
  queuedDigest: number;
}

/**
 * `email` with TOPICS and `control` with CONTROL_TOPICS (the same papers); one digest sent to both, then everything
 * else stored about the reader, then a second digest built (queued, not sent).
 */
export async function richReader(w: ReaderWorld, email: string, control: string): Promise<RichReader> {
  const prisma = w.app.ctx.db.prisma;
  const [reader, other] = (await addSubscribers(w.app, [
    [email, TOPICS],
    [control, CONTROL_TOPICS],
  ])) as [Subscriber, Subscriber];
  await ingestCaught(w);
  const sentDigest = await w.digestAndSend();
  const delivery = await prisma.delivery.findFirstOrThrow({ where: { subscriberId: reader.id, digestId: sentDigest }, include: { attempts: true } });
  const paper = (delivery.papers as Array<{ paperId: number }>)[0]!.paperId;
  const now = new Date();
  await prisma.subscriber.update({ where: { id: reader.id }, data: { mutedTopics: [TOPICS[1]!] } });
  await prisma.feedback.createMany({
    data: [
      { subscriberId: reader.id, kind: 'more_like_this', paperId: paper, topic: TOPICS[0], deliveryId: delivery.id, at: now },
      { subscriberId: reader.id, kind: 'mute_topic', topic: TOPICS[1], deliveryId: delivery.id, at: now },
    ],
  });
  // their reader model, trained by the job from that mark (one mark may give nothing to learn yet: a row all the same)
  await trainReaderModels(trainReaderModelsDeps(w.app.ctx));
  if ((await prisma.readerModel.count({ where: { subscriberId: reader.id } })) !== 1) throw new Error('no reader model trained');
  await prisma.subscriptionMail.createMany({
    data: [
      {
        subscriberId: reader.id,
        kind: 'confirmation',
        status: 'sent',
        tries: 1,
        nextTryAt: now,
        retryUntil: now,
        createdAt: now,
        doneAt: now,
        messageId: `<c1@papers.example.org>`,
      },
      {
        subscriberId: reader.id,
        kind: 'preferences_changed',
        status: 'queued',
        tries: 1,
        nextTryAt: new Date(now.getTime() + 3600_000),
        retryUntil: new Date(now.getTime() + 86400_000),
        createdAt: now,
        lastError: `EENVELOPE: 451 <${email}> greylisted`,
      },
    ],
  });
  await prisma.inboundReport.create({
    data: {
      via: 'smtp',
      kind: 'soft_bounce',
      reportKey: `smtp:<dsn-1@mx.example>:${email.toLowerCase()}`,
      deliveryId: delivery.id,
      subscriberId: reader.id,
      recipient: email,
      status: '4.2.2',
      diagnostic: `452 4.2.2 <${email.toUpperCase()}>: mailbox full`,
      outcome: 'bounce counted',
    },
  });
  await prisma.delivery.update({
    where: { id_digestId: { id: delivery.id, digestId: delivery.digestId } },
    data: {
      smtpExchange: `MAIL FROM:<hello@papers.example.org>\nRCPT TO:<${email}>\n250 2.1.5 <${email}> ok`,
      smtpResponse: `250 2.0.0 Ok: queued for <${email}>`,
    },
  });
  await prisma.deliveryAttempt.updateMany({ where: { deliveryId: delivery.id }, data: { reason: `accepted for ${email}` } });
  await ingestCaught(w);
  const built = await buildDigest(digestDeps(w.app.ctx));
  if (built.kind !== 'built') throw new Error(`no second digest: ${built.kind}`);
  return { reader, control: other, sentDigest, queuedDigest: built.digest!.id };
}

/** Every place (table.column) whose text holds one of `needles` (compared lower-cased). */
export async function traces(prisma: PrismaClient, needles: string[]): Promise<string[]> {
  const columns = await prisma.$queryRawUnsafe<Array<{ table: string; column: string }>>(
    `SELECT table_name AS table, column_name AS column FROM information_schema.columns
      WHERE table_schema = current_schema()
        AND (data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR (data_type = 'ARRAY' AND udt_name IN ('_text', '_varchar')))
      ORDER BY table_name, column_name`,
  );
  if (columns.length < 20) throw new Error(`only ${columns.length} text columns found: the scan looks in the wrong place`);
  const found: string[] = [];
  for (const { table, column } of columns) {
    for (const needle of needles) {
      const rows = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(
        `SELECT count(*) AS n FROM "${table}" WHERE strpos(lower("${column}"::text), $1) > 0`,
        needle.toLowerCase(),
      );
      if (Number(rows[0]!.n) > 0) found.push(`${table}.${column} holds "${needle}"`);
    }
  }
  return found;
}

/** Per digest, its stored delivery count and its deliveries by status (they must add up). */
export async function digestCounts(prisma: PrismaClient) {
  const digests = await prisma.digest.findMany({ orderBy: { id: 'asc' }, select: { id: true, deliveryCount: true } });
  const groups = await prisma.delivery.groupBy({ by: ['digestId', 'status'], _count: { _all: true } });
  return digests.map((d) => ({
    id: d.id,
    deliveryCount: d.deliveryCount,
    rows: groups.filter((g) => g.digestId === d.id).reduce((n, g) => n + g._count._all, 0),
    byStatus: Object.fromEntries(groups.filter((g) => g.digestId === d.id).map((g) => [g.status, g._count._all])),
  }));
}
