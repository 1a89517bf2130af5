// The guard on every answer of the reader's pages (web/pages/link-guard.ts): a page that would hand
// out a link its own link may not — a page added later that forgets the rule — is not sent: 500 and
// `link.withheld` (purposes, never tokens). In-process express, no database.
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { TokenSigner, type TokenPurpose } from '../../../src/security/tokens.ts';
import { linkGuard } from '../../../src/web/pages/link-guard.ts';
import { capturingLogger } from '../../support/logs.ts';

const signer = new TokenSigner(Buffer.alloc(32, 3));
const ada = (purpose: TokenPurpose) => signer.sign({ purpose, subscriberId: 1 });

function app() {
  const captured = capturingLogger();
  const web = express();
  web.use(linkGuard(signer, captured.log));
  const give = (value: unknown): string => (typeof value === 'string' ? value : '');
  // a careless page: it renders whatever links it is asked to, as HTML, a feed (Buffer) or JSON
  web.get('/page', (req, res) => {
    res.type('html').send(`<a href="/x?token=${give(req.query.give)}">x</a>`);
  });
  web.get('/feed', (req, res) => {
    res.type('application/atom+xml').send(Buffer.from(`<link href="https://h/archive?token=${give(req.query.give)}"/>`));
  });
  web.get('/json', (req, res) => {
    res.json({ home: `https://h/p?token=${give(req.query.give)}` });
  });
  web.get('/go', (req, res) => {
    res.redirect(303, `/preferences?token=${give(req.query.give)}`);
  });
  web.use(((err, _req, res, _next) => {
    res
      .status((err as { status?: number }).status ?? 500)
      .type('text')
      .send('refused');
  }) as express.ErrorRequestHandler);
  return { web, captured };
}

describe('the link guard', () => {
  it('lets a page hand out what its own link may', async () => {
    const { web, captured } = app();
    const own = await request(web)
      .get(`/page?token=${ada('archive')}&give=${ada('archive')}`)
      .expect(200);
    expect(own.text).toContain(ada('archive'));
    await request(web)
      .get(`/page?token=${ada('preferences')}&give=${ada('unsubscribe')}`)
      .expect(200);
    await request(web)
      .get(`/go?token=${ada('unsubscribe')}&give=${ada('preferences')}`)
      .expect(303);
    await request(web).get('/page?give=nothing').expect(200);
    expect(captured.events('link.withheld')).toEqual([]);
  });

  it('withholds a change link from a page opened with a read link, in a page, a feed, JSON or a redirect', async () => {
    const { web, captured } = app();
    for (const [path, opened, given] of [
      ['/page', 'archive', 'preferences'],
      ['/page', 'archive', 'unsubscribe'],
      ['/page', 'archive', 'feedback'],
      ['/feed', 'feed', 'archive'],
      ['/json', 'feed', 'unsubscribe'],
      ['/go', 'archive', 'preferences'],
    ] as Array<[string, TokenPurpose, TokenPurpose]>) {
      const res = await request(web).get(`${path}?token=${ada(opened)}&give=${ada(given)}`);
      expect(res.status, `${path} ${opened} → ${given}`).toBe(500);
      expect(res.text).not.toContain(ada(given));
      expect(res.headers.location).toBeUndefined();
    }
    const events = captured.events('link.withheld');
    expect(events.map((e) => [e.opened, e.withheld])).toEqual([
      ['archive', ['preferences']],
      ['archive', ['unsubscribe']],
      ['archive', ['feedback']],
      ['feed', ['archive']],
      ['feed', ['unsubscribe']],
      ['archive', ['preferences']],
    ]);
    expect(JSON.stringify(captured.lines)).not.toContain(ada('preferences'));
  });

  it("withholds another reader's link, and any link from a page opened without one (or with a forged one)", async () => {
    const { web, captured } = app();
    await request(web)
      .get(`/page?token=${ada('preferences')}&give=${signer.sign({ purpose: 'archive', subscriberId: 2 })}`)
      .expect(500);
    await request(web)
      .get(`/page?give=${ada('archive')}`)
      .expect(500);
    await request(web)
      .get(`/page?token=${new TokenSigner(Buffer.alloc(32, 4)).sign({ purpose: 'preferences', subscriberId: 1 })}&give=${ada('archive')}`)
      .expect(500);
    expect(captured.events('link.withheld').map((e) => [e.opened, e.otherReader])).toEqual([
      ['preferences', true],
      [null, true],
      [null, true],
    ]);
  });
});
