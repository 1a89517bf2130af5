// The preferences page's live preview, ranked for the reader (PostgreSQL): a reader who marked papers
// sees what the lines in the box would bring them — the physics sense they marked not relevant set
// aside under "Probably not for you" (never dropped), a paper no line catches but like what they
// liked under "You may also like" with its reason; a reader who marked nothing gets exactly the
// anonymous preview; a muted line catches nothing for them. Only their preferences link reaches it,
// never cached; the subscribe page's preview stays as it was.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenPurpose } from '../../../src/security/tokens.ts';
import { markedReaders, ML, PHYSICS, UNCAUGHT, type MarkedReaders } from '../../support/marked-reader.ts';
import { startReaderWorld, type ReaderWorld } from './reader-support.ts';

interface Paper {
  title: string;
  reason: string;
  topic?: string;
}
interface Answer {
  topics: Array<{ topic: string; total: number; papers: Paper[]; aside?: number; error?: unknown }>;
  caught: { papers: number; new: number };
  reader?: { notForYou: { total: number; papers: Paper[] }; alsoLike: Paper[] };
}

describe("the preferences page's preview, ranked for the reader (PostgreSQL)", () => {
  let w: ReaderWorld;
  let readers: MarkedReaders;
  const token = (purpose: TokenPurpose, subscriberId = readers.ada.id) => w.app.ctx.tokens.sign({ purpose, subscriberId });
  const mine = (topics: string, subscriberId = readers.ada.id) =>
    request(w.web)
      .get('/api/preferences/preview')
      .query({ token: token('preferences', subscriberId), topics })
      .set('Accept', 'application/json');
  const anyone = (topics: string) => request(w.web).get('/api/preview').query({ topics }).set('Accept', 'application/json');

  beforeAll(async () => {
    w = await startReaderWorld();
    readers = await markedReaders(w.app);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('sets the paper like those marked not relevant aside, at the end, and suggests one like those liked', async () => {
    const res = await mine('diffusion').expect(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.body as Answer;
    const [topic] = body.topics;
    const titles = topic!.papers.map((p) => p.title);
    expect(titles).toContain(ML[2][0]);
    // taken out of the topic's list, counted, and shown under its line with the topic that caught it
    expect(titles).not.toContain(PHYSICS[3][0]);
    expect(topic!.aside).toBe(1);
    expect(topic!.total).toBe(2);
    expect(body.reader!.notForYou.total).toBe(1);
    expect(body.reader!.notForYou.papers.map((p) => [p.title, p.topic])).toEqual([[PHYSICS[3][0], 'diffusion']]);
    expect(body.reader!.notForYou.papers[0]!.reason).toMatch(/diffusion/i);
    // the suggestion no line catches, with the liked paper it resembles
    expect(body.reader!.alsoLike.map((p) => p.title)).toContain(UNCAUGHT[0]);
    const suggestion = body.reader!.alsoLike.find((p) => p.title === UNCAUGHT[0])!;
    expect(suggestion.reason).toMatch(
      new RegExp(
        `^Like “(${ML.slice(0, 2)
          .map((p) => p[0])
          .join('|')})”$`,
      ),
    );
    // the papers ada marked herself are never suggested to her
    expect(body.reader!.alsoLike.map((p) => p.title)).not.toContain(ML[0][0]);
    // the set-aside paper is still caught: counted with the others
    expect(body.caught.papers).toBe(2);
  });

  it('the same lines for anyone: topics alone, the physics paper (200 upvotes, first listed) in the list, no groups', async () => {
    const body = (await anyone('diffusion').expect(200)).body as Answer;
    expect(body.reader).toBeUndefined();
    expect(body.topics[0]!.papers.map((p) => p.title)).toEqual([PHYSICS[3][0], ML[2][0]]);
    expect(body.topics[0]!.aside).toBeUndefined();
  });

  it('follows the box as typed: another line, other papers; a line that does not parse says so', async () => {
    const body = (await mine('particles\n"unclosed').expect(200)).body as Answer;
    expect(body.topics.map((t) => t.topic)).toEqual(['particles', '"unclosed']);
    expect(body.topics[1]!.error).toBeTruthy();
    // "particles" catches the physics paper only by its abstract's words; the model still sets it aside
    expect(body.reader!.notForYou.papers.map((p) => p.title)).toContain(PHYSICS[3][0]);
    expect(body.topics[0]!.papers.map((p) => p.title)).not.toContain(PHYSICS[3][0]);
  });

  it('a reader who marked nothing gets exactly the anonymous preview', async () => {
    for (const topics of ['diffusion', 'diffusion\nparticles', 'image generation', '']) {
      const theirs = (await mine(topics, readers.bob.id).expect(200)).body as Answer;
      const everyone = (await anyone(topics).expect(200)).body as Answer;
      expect(theirs).toEqual(everyone);
    }
  });

  it('a muted line catches nothing for the reader: shown as for anyone, nothing set aside or suggested from it', async () => {
    await w.app.ctx.db.prisma.subscriber.update({ where: { id: readers.ada.id }, data: { mutedTopics: ['diffusion'] } });
    try {
      const body = (await mine('diffusion').expect(200)).body as Answer;
      const everyone = (await anyone('diffusion').expect(200)).body as Answer;
      expect(body.topics).toEqual(everyone.topics);
      expect(body.caught.papers).toBe(0);
      expect(body.reader?.notForYou.total ?? 0).toBe(0);
      expect(body.reader?.alsoLike ?? []).toEqual([]);
    } finally {
      await w.app.ctx.db.prisma.subscriber.update({ where: { id: readers.ada.id }, data: { mutedTopics: [] } });
    }
  });

  it('only the preferences link reaches it: a read link, another change link, a forged or missing one is refused and shows nothing', async () => {
    const good = token('preferences');
    const forged = `${good.slice(0, -3)}${good.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const tries: Array<[string | undefined, string]> = [
      [token('feed'), 'TOKEN_WRONG_PURPOSE'],
      [token('archive'), 'TOKEN_WRONG_PURPOSE'],
      [token('feedback'), 'TOKEN_WRONG_PURPOSE'],
      [token('unsubscribe'), 'TOKEN_WRONG_PURPOSE'],
      [forged, 'TOKEN_FORGED'],
      [undefined, 'TOKEN_MISSING'],
    ];
    for (const [t, code] of tries) {
      const res = await request(w.web)
        .get('/api/preferences/preview')
        .query({ ...(t ? { token: t } : {}), topics: 'diffusion' })
        .set('Accept', 'application/json');
      expect([t?.slice(0, 2), res.status, (res.body as { error?: { code: string } }).error?.code]).toEqual([t?.slice(0, 2), 400, code]);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).not.toContain(PHYSICS[3][0]);
      expect(res.text).not.toContain('Probably not for you');
    }
  });

  it('a reader no longer active gets no preview (409)', async () => {
    await w.app.ctx.db.prisma.subscriber.update({ where: { id: readers.bob.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date() } });
    const res = await mine('diffusion', readers.bob.id).expect(409);
    expect((res.body as { error: { code: string } }).error.code).toBe('NOT_ACTIVE');
  });

  it("the preferences page points its preview at the reader's own endpoint; the subscribe page keeps the anonymous one", async () => {
    const prefs = await request(w.web)
      .get('/preferences')
      .query({ token: token('preferences') })
      .expect(200);
    const endpoint = /data-endpoint="([^"]+)"/.exec(prefs.text)![1]!.replace(/&amp;/g, '&');
    expect(endpoint).toMatch(/^\/api\/preferences\/preview\?token=/);
    expect(w.app.ctx.tokens.claimsOf(new URL(endpoint, 'http://x').searchParams.get('token')!)).toMatchObject({
      purpose: 'preferences',
      subscriberId: readers.ada.id,
    });
    const subscribe = await request(w.web).get('/').expect(200);
    expect(/data-endpoint="([^"]+)"/.exec(subscribe.text)![1]).toBe('/api/preview');
  });
});
