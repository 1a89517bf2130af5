// A reader who marked papers, for the preferences page's preview: "diffusion" is their topic; over two
// digested days they marked the physics sense "not relevant" and the generative-model sense "more like
// this" (stored as the feedback page stores them), the reader-model job trained them, and a third
// listing (not digested yet: the preview's newest list) has one of each sense, the physics one first
// with the most upvotes, and a paper no topic catches that resembles what they liked. Real paper text
// from the seeds fills each listing (none about diffusion).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { digestDeps, ingestDeps, trainReaderModelsDeps } from '../../src/app/deps.ts';
import type { Subscriber } from '../../src/db/subscribers.ts';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { ingestInputs } from '../../src/ingest/ingest-inputs.ts';
import { parseSnapshot } from '../../src/ingest/parse-snapshot.ts';
import { trainReaderModels } from '../../src/jobs/train-reader-models.ts';
import { addSubscribers, sendNow, type TestApp } from './app.ts';

export const ML = [
  [
    'Denoising Diffusion Models for Image Generation',
    'We train a diffusion model with a transformer backbone to generate images from text prompts, improving sample quality over GAN baselines.',
  ],
  [
    'Faster Sampling for Latent Diffusion Models',
    'A distillation method reduces the sampling steps of latent diffusion models for text-to-image generation while keeping image quality.',
  ],
  [
    'Guidance Without Classifiers in Diffusion Generative Models',
    'Classifier-free guidance trades diversity for fidelity in diffusion generative models; we analyse the trade-off for image synthesis from text prompts.',
  ],
] as const;
export const PHYSICS = [
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
export const UNCAUGHT = [
  'Text-to-Image Generation with Transformers',
  'We train a transformer to generate images from text prompts and improve sample quality and image quality over GAN baselines.',
] as const;

const filler = parseSnapshot(readFileSync(path.resolve(import.meta.dirname, '../../seeds/000_0b7782e3c814158f.txt')), { now: new Date('2026-06-10T00:00:00Z') })
  .papers.filter((p) => !/diffus|generat|image/i.test(`${p.title} ${p.abstract}`))
  .map((p) => [p.title, p.abstract] as const);

export interface MarkedReaders {
  /** marked papers, has a reader model */
  ada: Subscriber;
  /** the same topic, never marked anything */
  bob: Subscriber;
}

export async function markedReaders(app: TestApp): Promise<MarkedReaders> {
  const prisma = app.ctx.db.prisma;
  const [ada, bob] = (await addSubscribers(app, [
    ['ada@example.org', ['diffusion']],
    ['bob@example.org', ['diffusion']],
  ])) as [Subscriber, Subscriber];
  let next = 0;
  const ingest = async (day: string, papers: ReadonlyArray<readonly [string, string]>, upvotes: ReadonlyMap<string, number> = new Map()) => {
    const items = papers.map(([title, summary]) => ({
      paper: {
        id: `2607.${String(++next).padStart(5, '0')}`,
        title,
        summary,
        authors: [{ name: 'A. Author' }],
        upvotes: upvotes.get(title) ?? 3,
        publishedAt: `${day}T06:00:00.000Z`,
      },
      publishedAt: `${day}T06:00:00.000Z`,
    }));
    const file = path.join(app.dataDir, `marked-reader-${day}.json`);
    await writeFile(file, JSON.stringify(items));
    const [outcome] = await ingestInputs(ingestDeps(app.ctx), [file]);
    if (outcome?.kind !== 'ingested') throw new Error(`${file}: ${outcome?.kind}`);
  };
  const digestAndMark = async (wanted: string, unwanted: string) => {
    const built = await buildDigest(digestDeps(app.ctx));
    if (built.kind !== 'built') throw new Error(`no digest built: ${built.kind}`);
    await sendNow(app);
    const delivery = await prisma.delivery.findFirstOrThrow({ where: { subscriberId: ada.id, digestId: built.digest!.id } });
    for (const [title, kind] of [
      [unwanted, 'not_relevant'],
      [wanted, 'more_like_this'],
    ] as const) {
      const paper = await prisma.paper.findFirstOrThrow({ where: { title } });
      await prisma.feedback.create({ data: { subscriberId: ada.id, kind, paperId: paper.id, topic: 'diffusion', deliveryId: delivery.id, at: new Date() } });
    }
  };
  await ingest('2026-07-01', [PHYSICS[0], ML[0], PHYSICS[1], ...filler.slice(0, 40)]);
  await digestAndMark(ML[0][0], PHYSICS[0][0]);
  await ingest('2026-07-02', [PHYSICS[2], ML[1], ...filler.slice(40, 50)]);
  await digestAndMark(ML[1][0], PHYSICS[2][0]);
  // the newest list: the physics paper first, with the most upvotes (topics alone put it first)
  await ingest('2026-07-03', [PHYSICS[3], ML[2], UNCAUGHT, ...filler.slice(50, 60)], new Map([[PHYSICS[3][0], 200]]));
  // what the reader-model job does before the next digest
  const trained = await trainReaderModels(trainReaderModelsDeps(app.ctx));
  if (trained.trained !== 1) throw new Error(`expected one reader model, trained ${trained.trained}`);
  return { ada, bob };
}
