// POST /subscribe must not tell an address's state by its timing. Against a real PostgreSQL and a
// relay that takes 300 ms per message (as a slow SMTP server does), requests for a new, a pending,
// an active, an unsubscribed and a bounced address are interleaved over one HTTP server; the median
// answer time of every state is within 20 % of every other's, and below the relay's 300 ms (no state
// waits on SMTP: the emails are queued and sent by the loop meanwhile, which this run also checks).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriberByEmail, insertSubscriber } from '../../../src/db/subscribers.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../../../src/subscriptions/mail-queue.ts';
import { form, startWebTestApp, type WebTestApp } from './support.ts';

const ROUNDS = 15;
const STATES = ['new', 'pending', 'active', 'unsubscribed', 'bounced'] as const;
type State = (typeof STATES)[number];

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('POST /subscribe answers in the same time whatever the address state (relay: 300 ms per message)', () => {
  let t: WebTestApp;
  let server: Server;
  let url: string;
  let mailQueue: SubscriptionMailQueue;

  beforeAll(async () => {
    t = await startWebTestApp('postgres');
    t.sink.setBehaviour({ dataDelayMs: 300 });
    mailQueue = new SubscriptionMailQueue(subscriptionDeps(t.app.ctx));
    server = t.webWith({ mailQueue }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/subscribe`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
  });

  it(`medians of ${ROUNDS} requests per state within 20 % of each other, all under 300 ms`, async () => {
    const prisma = t.app.ctx.db.prisma;
    // One address per request where a request changes the state (new, unsubscribed), one otherwise.
    const addresses: Record<State, (round: number) => string> = {
      new: (i) => `new${i}@example.org`,
      pending: () => 'pending@example.org',
      active: () => 'active@example.org',
      unsubscribed: (i) => `left${i}@example.org`,
      bounced: () => 'bounced@example.org',
    };
    await insertSubscriber(prisma, { email: 'pending@example.org', topics: ['x'], status: 'pending' });
    await insertSubscriber(prisma, { email: 'active@example.org', topics: ['x'], status: 'active' });
    await insertSubscriber(prisma, { email: 'bounced@example.org', topics: ['x'], status: 'bounced' });
    for (let i = 0; i <= ROUNDS; i++) await insertSubscriber(prisma, { email: `left${i}@example.org`, topics: ['x'], status: 'unsubscribed' });

    const post = async (email: string) => {
      const started = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ email, topics: 'scaling laws' }),
      });
      const body = await res.text();
      // the answer (a redirect to the "check your inbox" page) names the address typed; apart from it, every state gets the same bytes
      const answer = `${res.headers.get('location')}\n${body}`.replaceAll(encodeURIComponent(email), '<email>').replaceAll(email, '<email>');
      return { ms: performance.now() - started, status: res.status, body: answer };
    };
    await post('warm-up@example.org'); // first-request costs (template compile, connections) for nobody's state

    const times: Record<State, number[]> = { new: [], pending: [], active: [], unsubscribed: [], bounced: [] };
    const bodies = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      // a different order each round, so no state always follows another's mail
      const order = STATES.map((_, k) => STATES[(k + round) % STATES.length]!);
      for (const state of order) {
        const answer = await post(addresses[state](round));
        expect(answer.status).toBe(303);
        bodies.add(answer.body);
        times[state].push(answer.ms);
      }
    }
    const medians = Object.fromEntries(STATES.map((s) => [s, Math.round(median(times[s]) * 10) / 10])) as Record<State, number>;
    const [fastest, slowest] = [Math.min(...Object.values(medians)), Math.max(...Object.values(medians))];
    console.log(`subscribe answer medians (ms): ${JSON.stringify(medians)}`);
    expect(bodies.size).toBe(1); // the same bytes for every state (but the address itself)
    expect(slowest).toBeLessThanOrEqual(fastest * 1.2);
    expect(slowest).toBeLessThan(300);

    // Meanwhile the loop sent what each state asked for, at the relay's pace: a confirmation to each
    // new and unsubscribed address, a preferences link per request of the active one, nothing to the
    // bounced one; the pending one's confirmations replace each other, and at least its latest goes.
    await mailQueue.idle();
    const to = (email: string) => t.sink.messages.filter((m) => m.envelope.to[0] === email);
    for (let i = 0; i < ROUNDS; i++) expect([to(`new${i}@example.org`).length, to(`left${i}@example.org`).length]).toEqual([1, 1]);
    expect(to('active@example.org').map((m) => m.parsed.subject)).toEqual(Array(ROUNDS).fill('Your paperboy preferences link'));
    expect(to('bounced@example.org')).toHaveLength(0);
    const pending = await findSubscriberByEmail(prisma, 'pending@example.org');
    const pendingMails = await prisma.subscriptionMail.findMany({ where: { subscriberId: pending!.id }, orderBy: { id: 'asc' } });
    expect(pendingMails).toHaveLength(ROUNDS);
    expect(pendingMails.at(-1)).toMatchObject({ status: 'sent', nonce: pending!.tokenNonce });
    expect(pendingMails.every((m) => m.status === 'sent' || m.status === 'skipped')).toBe(true);
    expect(to('pending@example.org').length).toBe(pendingMails.filter((m) => m.status === 'sent').length);
  }, 120_000);
});
