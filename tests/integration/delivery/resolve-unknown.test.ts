// Unknown outcomes wait for an operator: /healthz is degraded and /metrics counts them until each is
// settled through the admin API — marked sent (its papers become mailed papers) or resent as a new
// attempt (a new Message-ID) — each one statement with its attempt record.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import type { UnknownDelivery } from '../../../src/db/operator-deliveries.ts';
import type { resolveAction } from '../../../src/web/admin/actions.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { startFaultRelay, type FaultRelay } from '../../support/fault-relay.ts';
import { bodyOf, errorOf, type Health, type Page } from '../../support/json-body.ts';

const TOKEN = 'admin-token-for-tests-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

type Resolved = Awaited<ReturnType<typeof resolveAction>>;

describe('settling unknown deliveries', () => {
  let app: TestApp;
  let relay: FaultRelay;
  let http: ReturnType<typeof createWebApp>;
  let digestId: number;
  const byEmail = async (email: string) => app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { subscriber: { email } } });
  const metric = async (status: string) => {
    const text = (await request(http).get('/metrics')).text;
    return Number(new RegExp(`^paperboy_deliveries\\{status="${status}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  };

  beforeAll(async () => {
    // kept: the relay took it but its reply was lost; lost: the relay dropped it
    relay = await startFaultRelay({
      pick: ({ to }) =>
        to === 'kept@example.org'
          ? { kind: 'drop-after-dot', keep: true }
          : to === 'lost@example.org'
            ? { kind: 'drop-after-dot', keep: false }
            : { kind: 'accept' },
    });
    app = await startTestApp('postgres', { SMTP_URL: relay.url, ADMIN_TOKEN: TOKEN });
    await ingestSeeds(app);
    await addSubscribers(app, [
      ['alice@example.org', ['scaling laws']],
      ['kept@example.org', ['scaling laws']],
      ['lost@example.org', ['scaling laws']],
    ]);
    const built = await buildDigest(digestDeps(app.ctx));
    digestId = built.kind === 'built' ? built.digest!.id : 0;
    expect(await sendNow(app)).toMatchObject({ sent: 1, unknown: 2 });
    http = createWebApp(app.ctx);
  });
  afterAll(async () => {
    await app?.close();
    await relay?.close();
  });

  it('/healthz is degraded and /metrics counts them while they wait', async () => {
    const res = await request(http).get('/healthz');
    expect(res.status).toBe(200);
    const health = bodyOf<Health>(res);
    expect(health.status).toBe('degraded');
    expect(health.reasons).toContainEqual(expect.stringMatching(/^2 deliveries with an unknown outcome/));
    expect(health.deliveries).toEqual({ queued: 0, claimed: 0, handed: 0, unknown: 2 });
    expect(await metric('unknown')).toBe(2);
  });

  it('lists them with what the operator checks the relay with', async () => {
    const res = await request(http).get(`/admin/deliveries/unknown?digest=${digestId}`).set(auth);
    expect(res.status).toBe(200);
    const { items } = bodyOf<Page<UnknownDelivery>>(res);
    expect(items.map((d) => d.email)).toEqual(['kept@example.org', 'lost@example.org']);
    for (const d of items) {
      expect(d).toMatchObject({ digestId, attempt: 1, code: 'DROPPED_AFTER_DATA' });
      expect(d.messageId).toMatch(/^delivery-\d+\.1@localhost$/);
      expect(d.exchange).toMatch(/final "\." sent; then the connection closed with no reply/);
    }
  });

  it('marks one sent: recorded as sent, its papers mailed, the attempt recorded', async () => {
    const kept = await byEmail('kept@example.org');
    expect(relay.takenBy(kept.messageId!)).toBe(1); // what the relay's log says
    const res = await request(http).post(`/admin/deliveries/${kept.id}/resolve`).set(auth).send({ outcome: 'sent' });
    expect(res.status).toBe(200);
    expect(bodyOf<Resolved>(res).resolved).toEqual([{ deliveryId: kept.id, digestId, email: 'kept@example.org', attempt: 1 }]);
    expect(await byEmail('kept@example.org')).toMatchObject({ status: 'sent', attempt: 1 });
    expect(await app.ctx.db.prisma.mailedPaper.count({ where: { deliveryId: kept.id } })).toBe((kept.papers as unknown[]).length);
    const attempts = await app.ctx.db.prisma.deliveryAttempt.findMany({ where: { deliveryId: kept.id }, orderBy: { id: 'asc' } });
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'unknown'],
      [1, 'sent'],
    ]);
    expect(attempts[1]!.reason).toMatch(/operator/);
    // settled once: a second try is a conflict, not a change
    const again = await request(http).post(`/admin/deliveries/${kept.id}/resolve`).set(auth).send({ outcome: 'resend' });
    expect(again.status).toBe(409);
    expect(errorOf(again).code).toBe('DELIVERY_NOT_UNKNOWN');
  });

  it('resends the other as a new attempt: one more copy, with a new Message-ID', async () => {
    const lost = await byEmail('lost@example.org');
    expect(relay.takenBy(lost.messageId!)).toBe(0);
    relay.setPick(() => ({ kind: 'accept' }));
    const res = await request(http).post(`/admin/digests/${digestId}/resolve`).set(auth).send({ outcome: 'resend' });
    expect(res.status).toBe(200);
    expect(bodyOf<Resolved>(res).resolved).toEqual([{ deliveryId: lost.id, digestId, email: 'lost@example.org', attempt: 2 }]);
    expect(await sendNow(app)).toMatchObject({ sent: 1, unknown: 0 });
    const after = await byEmail('lost@example.org');
    expect(after).toMatchObject({ status: 'sent', attempt: 2, messageId: `delivery-${lost.id}.2@localhost` });
    expect(relay.takenBy(after.messageId!)).toBe(1);
    expect(bodyOf<Health>(await request(http).get('/healthz')).status).toBe('ok');
    expect(await metric('unknown')).toBe(0);
    expect(await metric('sent')).toBe(3);
  });

  it('answers bad requests with stable codes', async () => {
    const bad = await request(http).post('/admin/deliveries/1/resolve').set(auth).send({ outcome: 'maybe' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('VALIDATION_FAILED');
    const missing = await request(http).post('/admin/deliveries/99999/resolve').set(auth).send({ outcome: 'sent' });
    expect(missing.status).toBe(404);
    const noDigest = await request(http).post('/admin/digests/99999/resolve').set(auth).send({ outcome: 'sent' });
    expect(noDigest.status).toBe(404);
  });
});
