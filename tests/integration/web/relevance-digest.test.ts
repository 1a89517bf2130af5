// Relevance end to end, through the real email (an SMTP server, read back with mailparser): a reader
// of the topic "diffusion" marks the physics sense "Not relevant" and the generative-model sense "More
// like this" over two digests — following the links of the email, then the page's button (a real
// POST) — and the third digest puts the wanted sense first, sets the other aside under its line, and
// suggests a paper no topic catches, like one they liked, in the HTML and in the text part.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { addSubscribers } from '../../support/app.ts';
import { capturingLogger } from '../../support/logs.ts';
import type { SinkMessage } from '../../support/smtp-sink.ts';
import { footerLink, item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { BASE_URL } from './support.ts';

const ML = [
  [
    'Denoising Diffusion Models for Image Generation',
    'We train a diffusion model with a transformer backbone to generate images from text prompts, improving sample quality over GAN baselines.',
  ],
  [
    'Faster Sampling for Latent Diffusion Models',
    'A distillation method reduces the sampling steps of latent diffusion models for text-to-image generation while keeping image quality.',
  ],
  [
    'Video Diffusion Transformers at Scale',
    'We scale diffusion transformers to video generation and study how image quality and motion depend on model size and training data.',
  ],
  [
    'Guidance Without Classifiers in Diffusion Generative Models',
    'Classifier-free guidance trades diversity for fidelity in diffusion generative models; we analyse the trade-off for image synthesis from text prompts.',
  ],
] as const;
const PHYSICS = [
  [
    'Anomalous Diffusion of Tracer Particles in Crowded Cytoplasm',
    'Single-particle tracking shows subdiffusive motion of tracer particles in the crowded cytoplasm of living cells, with a mean squared ' +
      'displacement exponent below one.',
  ],
  [
    'Diffusion of Colloids Near a Wall',
    'We measure the hindered diffusion of colloidal particles near a solid wall and compare the mean squared displacement with hydrodynamic theory.',
  ],
  [
    'Heat Diffusion in Layered Crystals',
    'Phonon transport and heat diffusion of particles in layered crystals are measured with thermoreflectance; the mean squared displacement of ' +
      'phonons is anisotropic.',
  ],
  [
    'Rotational Diffusion of Active Particles',
    'Active Brownian particles show enhanced rotational diffusion; we derive the mean squared displacement of self-propelled particles in a harmonic trap.',
  ],
] as const;
/** never says "diffusion": only what was learned can bring it */
const UNCAUGHT = [
  'Text-to-Image Generation with Transformers',
  'We train a transformer to generate images from text prompts and improve sample quality and image quality over GAN baselines.',
] as const;

/** Real paper text from the seeds (none about diffusion): the rest of each listing, and the corpus. */
const filler = parseSnapshot(readFileSync(path.resolve(import.meta.dirname, '../../../seeds/000_0b7782e3c814158f.txt')), {
  now: new Date('2026-06-10T00:00:00Z'),
})
  .papers.filter((p) => !/diffus|generat|image/i.test(`${p.title} ${p.abstract}`))
  .map((p) => [p.title, p.abstract] as const);
let next = 0;
const listing = (day: string, papers: ReadonlyArray<readonly [string, string]>, upvotes: ReadonlyMap<string, number> = new Map()) =>
  papers.map(([title, abstract]) => {
    const it = item(`2607.${String(++next).padStart(5, '0')}`, title, abstract, day);
    it.paper.upvotes = upvotes.get(title) ?? 3;
    return it;
  });

describe('relevance through the real email (PostgreSQL, SMTP)', () => {
  let w: ReaderWorld;
  let third: SinkMessage;

  /** The email's per-paper link for one paper ("More like this" or "Not relevant"), then the page's button. */
  async function mark(mail: SinkMessage, title: string, label: 'More like this' | 'Not relevant'): Promise<void> {
    const { id } = await w.app.ctx.db.prisma.paper.findFirstOrThrow({ where: { title } });
    const link = new RegExp(
      `<a class="feedback-link"[^>]* href="${BASE_URL.replace(/\./g, '\\.')}([^"]+&amp;paper=${id}&amp;kind=[a-z_]+)"[^>]*>${label}</a>`,
    ).exec(mail.parsed.html || '');
    expect(link, `${label} under ${title}`).not.toBeNull();
    const page = await request(w.web).get(link![1]!.replace(/&amp;/g, '&')).expect(200);
    // the card that asks about this one choice: its form, posted as the button would
    const form = /<div class="card card-info asked">[\s\S]*?<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page.text)!;
    const fields = Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
    expect(fields.kind).toBe(label === 'More like this' ? 'more_like_this' : 'not_relevant');
    await request(w.web).post(form[1]!.replace(/&amp;/g, '&')).type('form').send(fields).expect(200);
  }

  /** each part as a reader reads it: the HTML from its heading on (not the preheader), without tags; words unwrapped, *marks* off */
  const flat = (s: string) => s.replace(/\*/g, '').replace(/\s+/g, ' ');
  const bodyText = (mail: SinkMessage) => {
    const html = mail.parsed.html || '';
    return flat(
      html
        .slice(html.indexOf('<h1'))
        .replace(/<[^>]+>/g, '')
        .replace(/&amp;/g, '&'),
    );
  };
  const mailOf = async (n: number) => (await w.sink.waitFor(n)).filter((m) => m.envelope.to.includes('ada@example.org'))[n - 1]!;

  beforeAll(async () => {
    w = await startReaderWorld();
    await addSubscribers(w.app, [['ada@example.org', ['diffusion']]]);
    // day 1: both senses; the reader says which one they mean
    await w.ingest('2026-07-01', listing('2026-07-01', [PHYSICS[0], ML[0], PHYSICS[1], ...filler.slice(0, 40)]));
    await w.digestAndSend();
    const first = await mailOf(1);
    await mark(first, PHYSICS[0][0], 'Not relevant');
    await mark(first, ML[0][0], 'More like this');
    // day 2: again (the job trains before this build, so the first marks already count in it)
    await w.ingest('2026-07-02', listing('2026-07-02', [PHYSICS[2], ML[1], ...filler.slice(40, 50)]));
    await w.digestAndSend();
    const second = await mailOf(2);
    await mark(second, PHYSICS[2][0], 'Not relevant');
    await mark(second, ML[1][0], 'More like this');
    // day 3: the physics paper first in the listing with the most upvotes: topics alone would put it first
    const upvotes = new Map([[PHYSICS[3][0], 200]]);
    await w.ingest('2026-07-03', listing('2026-07-03', [PHYSICS[3], ML[3], UNCAUGHT, ...filler.slice(50, 60)], upvotes));
    await w.digestAndSend();
    third = await mailOf(3);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('the third digest puts the wanted sense first and sets the other aside under its line, in the HTML and the text part', () => {
    const html = bodyText(third);
    const text = flat(third.parsed.text || '');
    const line = 'Probably not for you — like papers you marked not relevant';
    for (const part of [html, text]) {
      expect(part.indexOf(ML[3][0]), 'the wanted paper is there').toBeGreaterThan(0);
      expect(part.indexOf(ML[3][0])).toBeLessThan(part.indexOf(PHYSICS[3][0]));
      expect(part.indexOf(line), 'the line').toBeGreaterThan(part.indexOf(ML[3][0]));
      expect(part.indexOf(PHYSICS[3][0]), 'set aside, never dropped').toBeGreaterThan(part.indexOf(line));
    }
  });

  it('suggests a paper no topic catches, with the liked paper it resembles, in both parts', () => {
    const html = bodyText(third);
    const text = flat(third.parsed.text || '');
    for (const part of [html, text]) {
      const at = part.indexOf('You may also like');
      expect(at).toBeGreaterThan(0);
      expect(part.indexOf(UNCAUGHT[0])).toBeGreaterThan(at);
      expect(part.slice(at)).toMatch(
        new RegExp(
          `Like “(${ML.slice(0, 2)
            .map((p) => p[0])
            .join('|')})”`,
        ),
      );
    }
    expect(third.parsed.text).toMatch(/You may also like\n-+\n\n\d+\. +Text-to-Image Generation with Transformers/);
  });

  it('the web view shows what was sent: both lines, in the same order', async () => {
    const page = await request(w.web).get(footerLink(third, 'View in your browser')).expect(200);
    const shown = flat(
      page.text
        .slice(page.text.indexOf('<h1'))
        .replace(/<[^>]+>/g, '')
        .replace(/&amp;/g, '&'),
    );
    const order = [ML[3][0], 'Probably not for you — like papers you marked not relevant', PHYSICS[3][0], 'You may also like', UNCAUGHT[0]].map((t) =>
      shown.indexOf(t),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("the reader's feed is ranked as the digest: the wanted sense before the other, and the suggestion", async () => {
    const ada = await w.app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { email: 'ada@example.org' } });
    const prefs = await request(w.web)
      .get(`/preferences?token=${w.app.ctx.tokens.sign({ purpose: 'preferences', subscriberId: ada.id })}`)
      .expect(200);
    const url = new URL(/<input id="feed-json" type="url" readonly value="([^"]+)">/.exec(prefs.text)![1]!.replace(/&amp;/g, '&'));
    const feed = (
      await request(w.web)
        .get(url.pathname + url.search)
        .expect(200)
    ).body as { items: Array<{ title: string }> };
    const titles = feed.items.map((i) => i.title);
    expect(titles.indexOf(ML[3][0])).toBeGreaterThanOrEqual(0);
    expect(titles.indexOf(ML[3][0])).toBeLessThan(titles.indexOf(PHYSICS[3][0]));
    expect(titles).toContain(UNCAUGHT[0]);
  });

  it('counts the suggestion as mailed: it is never mailed again', async () => {
    const paper = await w.app.ctx.db.prisma.paper.findFirstOrThrow({ where: { title: UNCAUGHT[0] } });
    const ada = await w.app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { email: 'ada@example.org' } });
    const mailed = await w.app.ctx.db.sql.query('SELECT 1 FROM mailed_paper WHERE subscriber_id = $1 AND paper_id = $2', [ada.id, paper.id]);
    expect(mailed.rowCount).toBe(1);
  });

  it('a failure of the reader-model job is logged and the digest is built anyway, with the models as they were', async () => {
    const captured = capturingLogger();
    await w.ingest('2026-07-04', listing('2026-07-04', [PHYSICS[1], ...filler.slice(60, 65)]));
    const built = await buildDigest({ ...digestDeps(w.app.ctx), log: captured.log, beforeBuild: () => Promise.reject(new Error('the pool is gone')) });
    expect(built.kind).toBe('built');
    expect(captured.events('relevance.train_failed')).toHaveLength(1);
    const [delivery] = await w.app.ctx.db.prisma.delivery.findMany({ where: { digestId: built.kind === 'built' ? built.digest!.id : -1 } });
    expect(delivery!.papers).toEqual([expect.objectContaining({ section: 'not-for-you' })]);
  });
});
