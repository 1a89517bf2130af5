// What paperboy learned, in the reader's hands, on a real PostgreSQL with real POSTs: the marks given
// from a digest's feedback page are listed on the preferences page (the latest word on each paper,
// with its title and date) with the words the trained model weighs most; "Undo" deletes that paper's
// marks and drops the model in one go (the job retrains from what is left); "Forget what you learned
// about me" asks first, then deletes every mark and the model. Only the preferences link reaches them:
// a read link (archive, feed) or the feedback link gets a refusal and nothing changes.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainReaderModelsDeps } from '../../../src/app/deps.ts';
import type { Subscriber } from '../../../src/db/subscribers.ts';
import { saveReaderModels } from '../../../src/db/reader-models.ts';
import { trainReaderModels } from '../../../src/jobs/train-reader-models.ts';
import { decodeReaderModel, explainReaderModel } from '../../../src/relevance/index.ts';
import type { TokenPurpose } from '../../../src/security/tokens.ts';
import { addSubscribers, ingestSeeds } from '../../support/app.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { footerLink, item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { form, LEAKS } from './support.ts';

const DAY = '2026-11-30';
const PAPERS = [
  item(
    '2611.00101',
    'Latent Diffusion Models for Video Generation',
    'We train latent diffusion models on video, improving video generation with temporal attention and denoising.',
    DAY,
  ),
  item(
    '2611.00102',
    'Anomalous Diffusion of Tracer Particles in Crowded Cytoplasm',
    'We measure anomalous diffusion of tracer particles in the crowded cytoplasm of living cells with microscopy.',
    DAY,
  ),
  item(
    '2611.00103',
    'Scaling Laws for Language Models Revisited',
    'We study scaling laws of language models as compute and data grow, fitting power laws to training loss.',
    DAY,
  ),
  item('2611.00104', 'Scaling Laws of Urban Heat Islands', 'Urban heat islands follow scaling laws with city population and surface temperature.', DAY),
];

describe('what paperboy learned, on the preferences page (PostgreSQL)', () => {
  let w: ReaderWorld;
  let ada: Subscriber;
  let feedbackPage = '';
  let prefs = '';
  const ids: Record<string, number> = {};
  const prisma = () => w.app.ctx.db.prisma;
  const sign = (purpose: TokenPurpose) => w.app.ctx.tokens.sign({ purpose, subscriberId: ada.id });
  const post = (url: string, fields: Record<string, string> = {}) => request(w.web).post(url).type('form').send(form(fields));
  const marks = async () =>
    (await prisma().feedback.findMany({ where: { subscriberId: ada.id, kind: { in: ['more_like_this', 'not_relevant'] } }, orderBy: { id: 'asc' } })).map(
      (f) => [f.paperId, f.kind],
    );
  const model = () => prisma().readerModel.findUnique({ where: { subscriberId: ada.id } });
  const train = () => trainReaderModels(trainReaderModelsDeps(w.app.ctx));
  /** the action of a form of the page whose hidden field `name` is `value` */
  const formAction = (page: string, name: string, value: string) =>
    new RegExp(`<form method="post" action="([^"]+)" class="inline-action">\\s*<input type="hidden" name="${name}" value="${value}">`)
      .exec(page)?.[1]
      ?.replaceAll('&amp;', '&');

  beforeAll(async () => {
    w = await startReaderWorld();
    [ada] = (await addSubscribers(w.app, [
      ['ada@example.org', ['diffusion', 'scaling laws']],
      ['bob@example.org', ['diffusion']],
    ])) as [Subscriber];
    await ingestSeeds(w.app); // the stored papers the text model and the weak negatives come from
    await w.ingest(DAY, PAPERS);
    await w.digestAndSend();
    const mail = (await w.sink.waitFor(2)).find((m) => m.envelope.to.includes('ada@example.org'))!;
    feedbackPage = footerLink(mail, 'Which papers fit\\?');
    prefs = `/preferences?token=${sign('preferences')}`;
    for (const p of PAPERS) ids[p.paper.id] = (await prisma().paper.findUniqueOrThrow({ where: { arxivId: p.paper.id } })).id;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('before any mark: "nothing learned yet", no undo and nothing to forget', async () => {
    const page = (await request(w.web).get(prefs).expect(200)).text;
    expect(page).toContain('<h2 id="learned-heading">What paperboy learned</h2>');
    expect(page).toContain('<span class="pill pill-none">Nothing learned yet</span> Your digests follow your topics alone, in their usual order.');
    expect(page).not.toContain('/preferences/undo-mark');
    expect(page).not.toContain('Forget what you learned about me');
    const forget = await request(w.web)
      .get(`/preferences/forget?token=${sign('preferences')}`)
      .expect(200);
    expect(forget.text).toContain('Nothing to forget');
    expect(forget.text).not.toContain('method="post"');
  });

  it('marks from the feedback page are listed (latest word per paper, title, date) and learned from before the next digest', async () => {
    await post(feedbackPage, { kind: 'more_like_this', paper: String(ids['2611.00101']) }).expect(200);
    await post(feedbackPage, { kind: 'more_like_this', paper: String(ids['2611.00102']) }).expect(200);
    await post(feedbackPage, { kind: 'not_relevant', paper: String(ids['2611.00102']) }).expect(200); // changed their mind
    await post(feedbackPage, { kind: 'more_like_this', paper: String(ids['2611.00103']) }).expect(200);
    await post(feedbackPage, { kind: 'not_relevant', paper: String(ids['2611.00104']) }).expect(200);
    const page = (await request(w.web).get(prefs).expect(200)).text;
    expect(page).toContain('<span class="pill pill-learning">Learning</span> Learning from your marks before your next digest.');
    const listed = [
      ...page.matchAll(
        /<a class="marked-title" href="[^"]+">([^<]+)<\/a>\s*<p class="marked-meta"><span class="mark mark-\w+">([^<]+)<\/span> <span>([^<]+)<\/span>/g,
      ),
    ].map((m) => [m[1], m[2], m[3]]);
    const today = new Date().toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
    expect(listed).toEqual([
      ['Scaling Laws of Urban Heat Islands', 'Not relevant', today],
      ['Scaling Laws for Language Models Revisited', 'More like this', today],
      ['Anomalous Diffusion of Tracer Particles in Crowded Cytoplasm', 'Not relevant', today],
      ['Latent Diffusion Models for Video Generation', 'More like this', today],
    ]);
    for (const id of Object.values(ids)) expect(formAction(page, 'paper', String(id)), `undo ${id}`).toMatch(/^\/preferences\/undo-mark\?token=p\./);
    expect(page).toContain('Forget what you learned about me');
  });

  it('after the reader-model job: the words that weigh most for and against, from the stored model', async () => {
    expect((await train()).trained).toBe(1);
    const stored = await model();
    const words = explainReaderModel(decodeReaderModel(stored!.model!));
    expect(words.for.length).toBeGreaterThan(0);
    const page = (await request(w.web).get(prefs).expect(200)).text;
    expect(page).not.toContain('Learning from your marks');
    expect(page).not.toContain('Nothing learned yet');
    const shown = (tone: string) =>
      [...page.matchAll(new RegExp(`<li class="chip chip-${tone}">([^<]+)</li>`, 'g'))].map((m) => m[1]!.replaceAll('&amp;', '&').replaceAll('&#39;', "'"));
    expect(shown('for')).toEqual(words.for.map((t) => t.term));
    expect(shown('against')).toEqual(words.against.map((t) => t.term));
  });

  it('"Undo" deletes every mark of that paper and the model (retrained from what is left)', async () => {
    const page = (await request(w.web).get(prefs).expect(200)).text;
    const undone = await post(formAction(page, 'paper', String(ids['2611.00102']))!, { paper: String(ids['2611.00102']) }).expect(200);
    expect(undone.text).toContain('Undone: your mark on “Anomalous Diffusion of Tracer Particles in Crowded Cytoplasm” no longer counts.');
    expect(await marks()).toEqual([
      [ids['2611.00101'], 'more_like_this'],
      [ids['2611.00103'], 'more_like_this'],
      [ids['2611.00104'], 'not_relevant'],
    ]);
    expect(await model()).toBeNull();
    expect(undone.text).not.toContain('<a class="marked-title" href="https://huggingface.co/papers/2611.00102">');
    expect(undone.text).toContain('Learning from your marks before your next digest.');
    expect(w.app.captured.events('feedback.undone')).toEqual([expect.objectContaining({ subscriberId: ada.id, paperId: ids['2611.00102'], marks: 2 })]);
    // the job trains it again from the three marks left
    expect((await train()).trained).toBe(1);
    expect(await model()).toMatchObject({ positives: 2, negatives: 1 });
    // a paper with no mark: nothing to undo, nothing changed
    const before = await tableFingerprint(prisma());
    const again = await post(`/preferences/undo-mark?token=${sign('preferences')}`, { paper: String(ids['2611.00102']) }).expect(200);
    expect(again.text).toContain('That paper had no mark to undo.');
    expect(await model()).not.toBeNull();
    expect(await tableFingerprint(prisma())).toEqual(before);
  });

  it('a model trained from marks that were undone (or forgotten) meanwhile is not written', async () => {
    const events = await prisma().feedback.findMany({
      where: { subscriberId: ada.id, kind: { in: ['more_like_this', 'not_relevant'] } },
      orderBy: { id: 'asc' },
    });
    const stored = await model();
    // what a run of the job read before the reader undid a mark: every event up to the newest
    const read = { subscriberId: ada.id, model: stored!.model, feedbackThrough: events.at(-1)!.id, events: events.length, positives: 2, negatives: 1 };
    await post(`/preferences/undo-mark?token=${sign('preferences')}`, { paper: String(events[0]!.paperId) }).expect(200);
    expect(await model()).toBeNull();
    await saveReaderModels(w.app.ctx.db.sql, [read], new Date());
    expect(await model()).toBeNull();
    // trained from what is left, it is written
    await saveReaderModels(w.app.ctx.db.sql, [{ ...read, events: events.length - 1 }], new Date());
    expect(await model()).not.toBeNull();
    // the mark back as it was, and its model, for the tests after this one
    await post(feedbackPage, { kind: events[0]!.kind, paper: String(events[0]!.paperId) }).expect(200);
    expect((await train()).trained).toBe(1);
  });

  it('"Forget what you learned about me" asks first (changing nothing), then deletes every mark and the model', async () => {
    await post(feedbackPage, { kind: 'mute_topic', topic: 'scaling laws' }).expect(200);
    const page = (await request(w.web).get(prefs).expect(200)).text;
    const link = /<a href="(\/preferences\/forget\?token=[^"]+)">Forget what you learned about me<\/a>/.exec(page)![1]!.replaceAll('&amp;', '&');
    const before = await tableFingerprint(prisma());
    const ask = await request(w.web).get(link).expect(200);
    expect(ask.text).toContain('This deletes the “More like this” and “Not relevant” marks <strong class="address">ada@example.org</strong> gave 3 papers');
    expect(await tableFingerprint(prisma())).toEqual(before);
    expect(await model()).not.toBeNull();
    const action = /<form method="post" action="([^"]+)" class="single-action">\s*<button class="button" type="submit">Forget what you learned about me/
      .exec(ask.text)![1]!
      .replaceAll('&amp;', '&');
    const done = await post(action).expect(200);
    expect(done.text).toContain('Forgotten: your marks on 3 papers and what was learned from them.');
    expect(done.text).toContain('Nothing learned yet');
    expect(await marks()).toEqual([]);
    expect(await model()).toBeNull();
    // a mute is not a mark: it stays, and so does the topic's muted state
    expect(await prisma().feedback.count({ where: { subscriberId: ada.id, kind: 'mute_topic' } })).toBe(1);
    expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: ada.id } })).mutedTopics).toEqual(['scaling laws']);
    expect(w.app.captured.events('feedback.forgotten')).toEqual([expect.objectContaining({ subscriberId: ada.id, marks: 3 })]);
    // nothing left for the job to learn from
    expect((await train()).readers).toBe(0);
  });

  it('only the preferences link reaches undo and forget: read links and the feedback link are refused, nothing changed', async () => {
    await post(feedbackPage, { kind: 'more_like_this', paper: String(ids['2611.00101']) }).expect(200);
    await train();
    const before = { rows: await tableFingerprint(prisma()), model: await model() };
    for (const purpose of ['archive', 'feed', 'feedback', 'unsubscribe'] as const) {
      for (const [path, fields] of [
        ['/preferences/undo-mark', { paper: String(ids['2611.00101']) }],
        ['/preferences/forget', {}],
      ] as const) {
        const res = await post(`${path}?token=${sign(purpose)}`, fields);
        expect(res.status, `${purpose} ${path}`).toBe(400);
        expect(res.text).toContain('This link belongs to another page');
        expect(res.text).not.toMatch(LEAKS);
      }
      expect((await request(w.web).get(`/preferences/forget?token=${sign(purpose)}`)).status).toBe(400);
    }
    // the pages a read link opens offer neither
    const archive = (
      await request(w.web)
        .get(`/archive?token=${sign('archive')}`)
        .expect(200)
    ).text;
    expect(archive).not.toMatch(/undo-mark|preferences\/forget/);
    expect({ rows: await tableFingerprint(prisma()), model: await model() }).toEqual(before);
  });

  it('a bad paper is refused (400); a reader who left gets where they stand (409); nothing changed', async () => {
    const before = { rows: await tableFingerprint(prisma()), model: await model() };
    for (const paper of ['', 'abc', '1'.repeat(12)]) {
      expect((await post(`/preferences/undo-mark?token=${sign('preferences')}`, { paper })).status).toBe(400);
    }
    await prisma().subscriber.update({ where: { id: ada.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date() } });
    const after = { rows: await tableFingerprint(prisma()), model: await model() };
    for (const [path, fields] of [
      ['/preferences/undo-mark', { paper: String(ids['2611.00101']) }],
      ['/preferences/forget', {}],
    ] as const) {
      const res = await post(`${path}?token=${sign('preferences')}`, fields);
      expect(res.status, path).toBe(409);
    }
    expect(
      (
        await request(w.web)
          .get(`/preferences/forget?token=${sign('preferences')}`)
          .expect(200)
      ).text,
    ).toContain('You&#39;re unsubscribed');
    expect({ rows: await tableFingerprint(prisma()), model: await model() }).toEqual(after);
    expect(after.model).toEqual(before.model);
  });
});
