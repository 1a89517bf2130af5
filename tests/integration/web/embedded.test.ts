// The core flow once on the embedded database (PostgreSQL in DATA_DIR), as a one-machine operator runs it:
// subscribe, confirm from the email, change preferences, one-click unsubscribe.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriberByEmail } from '../../../src/db/subscribers.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { form, linkIn, startWebTestApp, type WebTestApp } from './support.ts';
import { bodyOf } from '../../support/json-body.ts';

describe("the reader's pages on the embedded database", () => {
  let t: WebTestApp;

  beforeAll(async () => {
    t = await startWebTestApp('embedded');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('subscribe → confirm → preferences → one-click unsubscribe', async () => {
    const prisma = t.app.ctx.db.prisma;
    const preview = await request(t.web).get('/api/preview').query({ topics: 'scaling laws' }).expect(200);
    expect(bodyOf<{ topics: Array<{ newTotal: number }> }>(preview).topics[0]!.newTotal).toBe(4);

    await request(t.web)
      .post('/subscribe')
      .type('form')
      .send(form({ email: 'ada@example.org', topics: 'scaling laws' }))
      .expect(303);
    const [confirmation] = await t.sink.waitFor(1);
    await request(t.web).post(linkIn(confirmation!, '/confirm')).type('form').send('').expect(200);
    expect((await findSubscriberByEmail(prisma, 'ada@example.org'))!.status).toBe('active');

    await request(t.web)
      .post('/subscribe')
      .type('form')
      .send(form({ email: 'ada@example.org', topics: 'x' }))
      .expect(303);
    const [, link] = await t.sink.waitFor(2);
    const preferences = linkIn(link!, '/preferences');
    await request(t.web)
      .post(preferences)
      .type('form')
      .send(form({ topics: 'scaling laws\nquantum -gravity', paused: 'on' }))
      .expect(200);
    expect(await findSubscriberByEmail(prisma, 'ada@example.org')).toMatchObject({ topics: ['scaling laws', 'quantum -gravity'], paused: true });

    const unsubscribe = linkIn(link!, '/unsubscribe');
    await request(t.web).post(unsubscribe).set('Content-Type', 'application/x-www-form-urlencoded').send('List-Unsubscribe=One-Click').expect(200);
    expect((await findSubscriberByEmail(prisma, 'ada@example.org'))!.status).toBe('unsubscribed');
    const after = await tableFingerprint(prisma);
    await request(t.web).post(unsubscribe).set('Content-Type', 'application/x-www-form-urlencoded').send('List-Unsubscribe=One-Click').expect(200);
    expect(await tableFingerprint(prisma)).toEqual(after);
  });
});
