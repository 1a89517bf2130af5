// The admin API over HTTP (supertest): bearer auth, listings, and resend — one address mailed
// exactly once more, `onlyFailed` touching only failed deliveries.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import type { ingestAction, resendOneAction } from '../../../src/web/admin/actions.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, ingestSeeds, SEEDS, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { bodyOf, errorOf, type Page } from '../../support/json-body.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const TOKEN = 'admin-token-for-tests-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

type Resent = Awaited<ReturnType<typeof resendOneAction>>;
type Ingested = Extract<Awaited<ReturnType<typeof ingestAction>>, { kind: 'direct' }>;
interface DeliveryItem {
  id: number;
  email: string;
  status: string;
  papers: Array<{ topics: string[] }>;
}

describe('admin API', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let http: ReturnType<typeof createWebApp>;
  let digestId: number;

  const send = () => sendNow(app);

  beforeAll(async () => {
    sink = await startSmtpSink({ behaviour: { rejectRecipients: { 'bob@example.org': 450 } } });
    app = await startTestApp('postgres', { SMTP_URL: sink.url, ADMIN_TOKEN: TOKEN, SEND_MAX_TRIES: '1', SNAPSHOT_SOURCE: SEEDS });
    await ingestSeeds(app);
    await addSubscribers(app, [
      ['alice@example.org', ['scaling laws']],
      ['bob@example.org', ['scaling laws']],
      ['carol@example.org', ['quantum -gravity']],
      ['dan@example.org', ['protein folding']],
      ['eve@example.org', ['scaling laws'], 'bounced'],
    ]);
    const built = await buildDigest(digestDeps(app.ctx));
    digestId = built.kind === 'built' ? built.digest!.id : 0;
    await send(); // alice and carol sent; bob failed (450, one try allowed)
    http = createWebApp(app.ctx);
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it('refuses a missing or wrong token with 401 and a stable code', async () => {
    const none = await request(http).get('/admin/digests');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing bearer token' } });
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await request(http).get('/admin/digests').set('Authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong).code).toBe('UNAUTHORIZED');
  });

  it('does not exist at all when ADMIN_TOKEN is unset', async () => {
    const off = createWebApp({ ...app.ctx, config: { ...app.ctx.config, ADMIN_TOKEN: undefined } });
    const res = await request(off).get('/admin/digests').set(auth);
    expect(res.status).toBe(404);
  });

  it('lists digests with their delivery counts per status', async () => {
    const res = await request(http).get('/admin/digests').set(auth);
    expect(res.status).toBe(200);
    const { items } = bodyOf<Page<{ id: number; status: string }>>(res);
    const digest = items.find((d) => d.id === digestId);
    expect(digest).toMatchObject({ status: 'ready', deliveryCount: 3, counts: { queued: 0, claimed: 0, handed: 0, sent: 2, failed: 1, unknown: 0 } });
    expect(items.find((d) => d.status === 'skipped')).toBeTruthy();
  });

  it("pages one digest's deliveries", async () => {
    const res = await request(http).get(`/admin/digests/${digestId}/deliveries?limit=2`).set(auth);
    expect(res.status).toBe(200);
    const first = bodyOf<Page<DeliveryItem>>(res);
    expect(first.items).toHaveLength(2);
    expect(first.next).toBe(first.items[1]!.id);
    const rest = bodyOf<Page<DeliveryItem>>(await request(http).get(`/admin/digests/${digestId}/deliveries?limit=2&after=${first.next}`).set(auth));
    expect(rest.items).toHaveLength(1);
    expect(rest.next).toBeNull();
    const failed = bodyOf<Page<DeliveryItem>>(await request(http).get(`/admin/digests/${digestId}/deliveries?status=failed`).set(auth));
    expect(failed.items).toEqual([expect.objectContaining({ email: 'bob@example.org', status: 'failed', errorCode: 'smtp:450' })]);
    expect(failed.items[0]!.papers[0]).toMatchObject({ topics: ['scaling laws'] });
  });

  it('lists subscribers by status', async () => {
    const res = await request(http).get('/admin/subscribers?status=bounced').set(auth);
    const { items } = bodyOf<Page<{ email: string; tokenNonce?: string }>>(res);
    expect(items.map((s) => s.email)).toEqual(['eve@example.org']);
    expect(items[0]!.tokenNonce).toBeUndefined();
  });

  it('reactivates a bounced subscriber, and only a bounced one', async () => {
    const eve = await app.ctx.db.prisma.subscriber.findFirstOrThrow({ where: { emailKey: 'eve@example.org' } });
    const res = await request(http).post(`/admin/subscribers/${eve.id}/reactivate`).set(auth);
    expect(res.status).toBe(200);
    expect(await app.ctx.db.prisma.subscriber.findUnique({ where: { id: eve.id } })).toMatchObject({ status: 'active', bounceCount: 0 });
    const again = await request(http).post(`/admin/subscribers/${eve.id}/reactivate`).set(auth);
    expect(again.status).toBe(409);
    expect(errorOf(again).code).toBe('SUBSCRIBER_NOT_BOUNCED');
    await app.ctx.db.prisma.subscriber.update({ where: { id: eve.id }, data: { status: 'bounced' } });
  });

  it('shows the health of the snapshot source', async () => {
    const res = await request(http).get('/admin/source').set(auth);
    expect(res.status).toBe(200);
    expect(bodyOf<{ source: string }>(res).source).toBe(app.ctx.config.SNAPSHOT_SOURCE);
    expect(res.body).toHaveProperty('health');
  });

  it('answers bad input with 400 and a stable code, unknown digests with 404', async () => {
    const bad = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({});
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('VALIDATION_FAILED');
    const both = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ email: 'a@b.c', onlyFailed: true });
    expect(both.status).toBe(400);
    const notJson = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).set('Content-Type', 'application/json').send('{"email":');
    expect(notJson.status).toBe(400);
    expect(notJson.text).not.toMatch(/at .*\.ts|SyntaxError/);
    const unknown = await request(http).post('/admin/digests/9999/resend').set(auth).send({ email: 'alice@example.org' });
    expect(unknown.status).toBe(404);
    const nobody = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ email: 'dan@example.org' });
    expect(nobody.status).toBe(404);
    expect(errorOf(nobody).code).toBe('DELIVERY_NOT_FOUND');
    const id = await request(http).get('/admin/digests/abc/deliveries').set(auth);
    expect(id.status).toBe(400);
  });

  it('a sent delivery is resent only when the request confirms it (a second copy to the reader)', async () => {
    const alice = () => app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { digestId, subscriber: { email: 'alice@example.org' } } });
    const asked = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ email: 'alice@example.org' });
    expect(asked.status).toBe(409);
    expect(errorOf(asked)).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { deliveryId: (await alice()).id, attempt: 1 } });
    expect(errorOf(asked).message).toMatch(/^delivery \d+ was sent at \S+: resending mails the reader a second copy .*"confirm": true/);
    expect(await alice()).toMatchObject({ status: 'sent', attempt: 1 });
    const notABoolean = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ email: 'alice@example.org', confirm: 'yes' });
    expect(notABoolean.status).toBe(400);
  });

  it('resend to one address mails exactly that address once more, as a new attempt', async () => {
    const before = sink.messages.length;
    const res = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ email: 'ALICE@example.org', confirm: true });
    expect(res.status).toBe(200);
    const { queued } = bodyOf<Resent>(res);
    expect(queued).toEqual([expect.objectContaining({ email: 'alice@example.org', attempt: 2, previousStatus: 'sent' })]);
    const summary = await send();
    expect(summary.sent).toBe(1);
    expect(sink.messages).toHaveLength(before + 1);
    const again = sink.messages.at(-1)!;
    expect(again.envelope.to).toEqual(['alice@example.org']);
    expect(again.messageId).toBe(`delivery-${queued[0]!.deliveryId}.2@localhost`);
    expect(sink.messagesTo('alice@example.org').map((m) => m.messageId)).toEqual([
      `delivery-${queued[0]!.deliveryId}.1@localhost`,
      `delivery-${queued[0]!.deliveryId}.2@localhost`,
    ]);
    const attempts = await app.ctx.db.prisma.deliveryAttempt.findMany({ where: { deliveryId: queued[0]!.deliveryId }, orderBy: { id: 'asc' } });
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'sent'],
      [2, 'sent'],
    ]);
  });

  it('the same request again resends nothing more: moments later, or naming the attempt it saw', async () => {
    const before = sink.messages.length;
    const again = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ email: 'alice@example.org', confirm: true });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ queued: [], alreadyResent: { attempt: 2 } });
    const stale = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ email: 'alice@example.org', confirm: true, attempt: 1 });
    expect(stale.body).toMatchObject({ queued: [], alreadyResent: { attempt: 2 } });
    expect((await send()).sent).toBe(0);
    expect(sink.messages).toHaveLength(before);
    const delivery = await app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { digestId, subscriber: { email: 'alice@example.org' } } });
    expect(delivery).toMatchObject({ status: 'sent', attempt: 2 });
  });

  it('onlyFailed re-queues the failed deliveries and nothing else', async () => {
    const sentBefore = await app.ctx.db.prisma.delivery.findMany({ where: { status: 'sent' }, orderBy: { id: 'asc' } });
    sink.setBehaviour({});
    const res = await request(http).post(`/admin/digests/${digestId}/resend`).set(auth).send({ onlyFailed: true });
    expect(res.status).toBe(200);
    expect(bodyOf<Resent>(res).queued.map((q) => q.email)).toEqual(['bob@example.org']);
    const sentAfter = await app.ctx.db.prisma.delivery.findMany({ where: { status: 'sent' }, orderBy: { id: 'asc' } });
    expect(sentAfter).toEqual(sentBefore);
    const before = sink.messages.length;
    expect((await send()).sent).toBe(1);
    expect(sink.messages.slice(before).map((m) => m.envelope.to[0])).toEqual(['bob@example.org']);
  });

  it('builds a digest and ingests on request', async () => {
    const digest = await request(http).post('/admin/digest').set(auth).send({ dryRun: true });
    expect(digest.status).toBe(200);
    expect(digest.body).toMatchObject({ kind: 'up-to-date', digestId });
    const ingest = await request(http).post('/admin/ingest').set(auth).send({});
    expect(ingest.status).toBe(200);
    expect(bodyOf<Ingested>(ingest).outcomes.map((o) => o.kind)).toEqual(['duplicate', 'duplicate']);
  });
});
