// Topics are what anyone types into a form that mails whatever address it is given. Bidi overrides
// and zero-width characters are taken out before a topic is stored (as titles lose them at ingest),
// and a topic stored before that still renders without them; whatever a topic holds, the reader's
// Atom feed stays well-formed XML (read by a strict parser: support/feeds.ts).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriberByEmail } from '../../../src/db/subscribers.ts';
import { addSubscribers } from '../../support/app.ts';
import { assertWellFormedXml, parseFeed } from '../../support/feeds.ts';
import { item, startReaderWorld, type ReaderWorld } from './reader-support.ts';
import { form } from './support.ts';

const HIDING = /[\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/;
const MARKUP = `scaling <b>&'laws]]>`;
const SPOOF = 'scaling \u202Egnp.exe\u202C laws';
/** caught by both topics ("b laws" and "gnp exe" are phrases of them) */
const TITLE = 'Scaling <b>Laws</b> of gnp.exe Loaders & <Friends>';

describe('hostile topics (PostgreSQL, SMTP)', () => {
  let w: ReaderWorld;
  const prisma = () => w.app.ctx.db.prisma;

  beforeAll(async () => {
    w = await startReaderWorld();
  });
  afterAll(() => w?.close());

  it('the subscribe form stores topics without bidi overrides or zero-width characters, and the confirmation shows none', async () => {
    const topics = `${SPOOF}\n\u2066Call +1 555 0100 to cancel\u2069\u200F\nquan\u200Btum`;
    await request(w.web)
      .post('/subscribe')
      .type('form')
      .send(form({ email: 'victim@example.org', topics }))
      .expect(303);
    const [mail] = await w.sink.waitFor(1);
    for (const part of [mail!.parsed.subject ?? '', mail!.parsed.html || '', mail!.parsed.text ?? '']) expect(part).not.toMatch(HIDING);
    expect(mail!.parsed.text).toContain('  - scaling gnp.exe laws\n  - Call +1 555 0100 to cancel\n  - quantum\n');
    expect((await findSubscriberByEmail(prisma(), 'victim@example.org'))!.topics).toEqual(['scaling gnp.exe laws', 'Call +1 555 0100 to cancel', 'quantum']);
  });

  it('topics stored before the cleaning (as an older paperboy kept them): the digest and the feed show them clean, the feed well-formed', async () => {
    const [ada] = await addSubscribers(w.app, [['ada@example.org', [MARKUP, SPOOF]]]);
    w.sink.reset();
    await w.ingest('2026-06-08', [item('2606.00100', TITLE, 'New scaling laws ]]> for sparse mixtures.', '2026-06-08')]);
    await w.digestAndSend();
    const [digest] = await w.sink.waitFor(1);
    expect(digest!.envelope.to).toEqual(['ada@example.org']);
    expect(digest!.parsed.subject).toMatch(/^1 new paper on scaling .* — Jun 8$/);
    for (const part of [digest!.parsed.subject ?? '', digest!.parsed.html || '', digest!.parsed.text ?? '']) expect(part).not.toMatch(HIDING);

    const feedToken = w.app.ctx.tokens.sign({ purpose: 'feed', subscriberId: ada!.id });
    const atom = await request(w.web).get(`/feeds/mine.atom?token=${feedToken}`).expect(200);
    expect(() => assertWellFormedXml(atom.text)).not.toThrow();
    const feed = parseFeed(atom.text);
    expect(feed.items.map((i) => i.title)).toEqual([TITLE]);
    expect(feed.items[0]!.categories.map((c) => c.term)).toEqual([MARKUP, 'scaling gnp.exe laws']);
    expect(atom.text).not.toMatch(HIDING);
    const json = await request(w.web).get(`/feeds/mine.json?token=${feedToken}`).expect(200);
    expect((JSON.parse(json.text) as { items: Array<{ tags: string[] }> }).items[0]!.tags).toEqual([MARKUP, 'scaling gnp.exe laws']);
  });
});
