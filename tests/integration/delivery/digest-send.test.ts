// Digest and send end to end on a real PostgreSQL, against a real in-process SMTP server, read back
// with mailparser: the exact recipients, each one's exact papers, both parts, every header.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps, ingestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestInputs } from '../../../src/ingest/ingest-inputs.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

/** The text part without the *marks* around matched words. */
const plain = (text: string | undefined) => (text ?? '').replace(/\*/g, '');

const SCALING = [
  'Broken Neural Scaling Laws',
  'Scaling Laws for Uncertainty in Deep Learning',
  'Lying Is Just a Phase: The Hidden Alignment Transition in Language Model Scaling',
  'Particle contact dynamics as the origin for non-integer power expansion rheology in attractive suspension networks',
];

describe('digest and send (PostgreSQL, SMTP)', () => {
  let app: TestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp('postgres', { SMTP_URL: sink.url, BASE_URL: 'https://papers.example.org', MAIL_FROM: 'Paperboy <digest@papers.example.org>' });
    await ingestSeeds(app);
    await addSubscribers(app, [
      ['alice@example.org', ['scaling laws']],
      ['Bob@Example.org', ['quantum -gravity', '"recurrent neural"']],
      ['carol@example.org', ['protein folding']],
      ['dave@example.org', ['scaling laws'], 'unsubscribed'],
      ['erin@example.org', ['scaling laws'], 'pending'],
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  const send = () => sendNow(app);

  it('a dry run says who would get what and writes nothing', async () => {
    const before = await tableFingerprint(app.ctx.db.prisma);
    const plans: string[] = [];
    const result = await buildDigest(digestDeps(app.ctx), { dryRun: true, onPlan: (p) => plans.push(`${p.email}:${p.papers.length}`) });
    expect(result.kind).toBe('dry-run');
    expect(plans.sort()).toEqual(['Bob@Example.org:4', 'alice@example.org:4']);
    expect(await tableFingerprint(app.ctx.db.prisma)).toEqual(before);
  });

  it('builds one digest for the newest snapshot: a queued delivery per matching active subscriber, older snapshot skipped', async () => {
    const result = await buildDigest(digestDeps(app.ctx));
    expect(result.kind).toBe('built');
    if (result.kind !== 'built') return;
    expect(result.newPapers).toHaveLength(10);
    expect(result.subscribers).toBe(3); // alice, bob, carol: the active ones
    expect(result.deliveries).toBe(2); // carol's topic catches nothing: no delivery, no email
    expect(result.skippedSnapshots).toHaveLength(1);
    const deliveries = await app.ctx.db.prisma.delivery.findMany({ include: { subscriber: true }, orderBy: { id: 'asc' } });
    expect(deliveries.map((d) => [d.subscriber.email, d.status])).toEqual([
      ['alice@example.org', 'queued'],
      ['Bob@Example.org', 'queued'],
    ]);
    expect(await app.ctx.db.prisma.digest.findMany({ select: { status: true }, orderBy: { id: 'asc' } })).toEqual([{ status: 'ready' }, { status: 'skipped' }]);
    expect(app.captured.events('digest.built')).toHaveLength(1);
    // A second build finds nothing to do.
    expect((await buildDigest(digestDeps(app.ctx))).kind).toBe('up-to-date');
  });

  it('sends each delivery once, with its own papers, both parts and every header', async () => {
    const summary = await send();
    expect(summary).toMatchObject({ sent: 2, failed: 0, retried: 0 });
    expect(
      sink.messages
        .map((m) => m.envelope.to)
        .flat()
        .map((a) => a.toLowerCase())
        .sort(),
    ).toEqual(['alice@example.org', 'bob@example.org']);

    const alice = sink.messagesTo('alice@example.org')[0]!;
    for (const title of SCALING) {
      expect(plain(alice.parsed.text)).toContain(title.split(':')[0]!.slice(0, 30));
    }
    expect(alice.parsed.html).toMatch(/<span class="hit" style="[^"]*">Scaling Laws<\/span>/);
    expect(alice.parsed.html).not.toContain('<mark');
    expect(alice.parsed.text).toMatch(/scaling laws/i);
    expect(alice.parsed.subject).toMatch(/^4 new papers on scaling laws — \w{3} \d+$/);
    // best match first: the phrase in a title, then in an abstract, then words near one another
    const order = SCALING.map((t) => plain(alice.parsed.text).indexOf(t.split(':')[0]!.slice(0, 30)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(alice.parsed.text).toContain('Title matches *Scaling Laws*');
    expect(alice.parsed.text).toContain('Abstract mentions *law scalings*');
    expect(alice.parsed.text).toContain('Hugging Face Daily Papers');
    const bob = sink.messagesTo('Bob@Example.org')[0]!;
    expect(plain(bob.parsed.text)).toContain('Linear equivalence of nonlinear recurrent neural networks');
    expect(plain(bob.parsed.text)).not.toContain('Broken Neural Scaling Laws');
    // grouped by topic in Bob's order, exclusions and quotes left out of what he reads
    expect(bob.parsed.subject).toMatch(/^4 new papers on quantum and recurrent neural — \w{3} \d+$/);
    const text = bob.parsed.text ?? '';
    expect(text.indexOf('quantum · 3 papers')).toBeGreaterThan(-1);
    expect(text.indexOf('recurrent neural · 1 paper')).toBeGreaterThan(text.indexOf('quantum · 3 papers'));

    const deliveries = await app.ctx.db.prisma.delivery.findMany({ orderBy: { id: 'asc' } });
    for (const [message, delivery] of [
      [alice, deliveries[0]!],
      [bob, deliveries[1]!],
    ] as const) {
      expect(message.messageId).toBe(`delivery-${delivery.id}.1@papers.example.org`);
      expect(message.header('List-Unsubscribe')).toMatch(/^<https:\/\/papers\.example\.org\/unsubscribe\?token=u\.[^>]+>$/);
      expect(message.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(message.header('List-Id')).toBe('paperboy digest <digest.papers.example.org>');
      expect(message.parsed.from?.value[0]).toMatchObject({ name: 'Paperboy', address: 'digest@papers.example.org' });
      expect(message.parsed.text).toMatch(/https:\/\/papers\.example\.org\/preferences\?token=p\./);
      expect(delivery.status).toBe('sent');
      expect(delivery.smtpResponse).toMatch(/^250/);
      expect(delivery.sentAt).toBeInstanceOf(Date);
    }
    expect(await app.ctx.db.prisma.mailedPaper.count()).toBe(8);
    expect(await app.ctx.db.prisma.deliveryAttempt.count({ where: { status: 'sent' } })).toBe(2);
    expect(app.captured.events('delivery.sent')).toHaveLength(2);
    // Addresses are masked in the logs.
    expect(JSON.stringify(app.captured.lines)).not.toContain('alice@example.org');
  });

  it('sending again sends nothing', async () => {
    const summary = await send();
    expect(summary).toMatchObject({ sent: 0, failed: 0 });
    expect(sink.messages).toHaveLength(2);
  });

  it('a paper mailed once is never mailed again to the same subscriber, even when it comes back in the JSON with its id', async () => {
    const json = [
      // Already mailed to alice (seen in the text capture without an id).
      {
        paper: {
          id: '2210.14891',
          title: 'Broken Neural Scaling Laws',
          summary: 'We present a smoothly broken power law functional form that accurately models scaling laws.',
          authors: [],
          upvotes: 12,
        },
        publishedAt: '2026-06-12T06:00:00.000Z',
      },
      // New, and about scaling laws.
      {
        paper: {
          id: '2606.00042',
          title: 'Scaling Laws for Sparse Mixtures',
          summary: 'New scaling laws.',
          authors: [{ name: 'A. Author' }, { name: 'Hidden Person', hidden: true }],
          upvotes: 3,
          ai_summary: 'Sparse mixtures follow their own scaling laws.',
          ai_keywords: ['mixture of experts'],
          githubRepo: 'https://github.com/example/sparse',
          githubStars: 2048,
        },
        publishedAt: '2026-06-12T06:00:00.000Z',
        numComments: 4,
        organization: { name: 'example', fullname: 'Example Lab' },
      },
    ];
    const file = path.join(app.dataDir, 'daily.json');
    await writeFile(file, JSON.stringify(json));
    const [outcome] = await ingestInputs(ingestDeps(app.ctx), [file]);
    expect(outcome?.kind).toBe('ingested');
    const result = await buildDigest(digestDeps(app.ctx));
    expect(result.kind === 'built' && result.deliveries).toBe(1);
    const summary = await send();
    expect(summary.sent).toBe(1);
    const latest = sink.messagesTo('alice@example.org').at(-1)!;
    expect(sink.messagesTo('alice@example.org')).toHaveLength(2);
    expect(plain(latest.parsed.text)).toContain('Scaling Laws for Sparse Mixtures');
    expect(plain(latest.parsed.text)).not.toContain('Broken Neural Scaling Laws');
    expect(latest.parsed.text).toContain('https://huggingface.co/papers/2606.00042');
    // the details, stored at ingest and frozen with the digest, in both parts
    expect(plain(latest.parsed.text)).toContain('A. Author et al. · Example Lab · ▲ 3 · 4 comments');
    expect(plain(latest.parsed.text)).toContain('TL;DR: Sparse mixtures follow their own scaling laws.');
    expect(latest.parsed.text).toContain('Code (★ 2k): https://github.com/example/sparse');
    expect(latest.parsed.text).toContain('PDF: https://arxiv.org/pdf/2606.00042');
    expect(latest.parsed.text).not.toContain('Hidden Person');
    expect(latest.parsed.html).toContain('href="https://arxiv.org/abs/2606.00042"');
    const frozen = await app.ctx.db.prisma.digestPaper.findFirst({
      where: { paperId: (await app.ctx.db.prisma.paper.findUnique({ where: { arxivId: '2606.00042' } }))!.id },
    });
    expect(frozen?.paper).toMatchObject({
      aiSummary: 'Sparse mixtures follow their own scaling laws.',
      githubStars: 2048,
      comments: 4,
      aiKeywords: ['mixture of experts'],
    });
  });
});
