// `deliveryTest`: Vitest's test with a `delivery` fixture for the send step's integration tests — a
// started paperboy context on a fresh PostgreSQL database, sending to a real relay (the SMTP sink, or
// the raw-TCP fault relay), both torn down after the test whatever it did (the app first, then the
// relay). A test starts what it needs with its own relay behaviour and variables:
//
//   deliveryTest('…', async ({ delivery }) => {
//     const { app, sink } = await delivery.withSink({ behaviour: { rejectData: { code: 554 } } }, { SEND_MAX_ERRORS: '3' });
//     const { app, relay } = await delivery.withFaultRelay({ pick: () => ({ kind: 'late-reply', delayMs: 40 }) });
//     const relay = await delivery.faultRelay();   // a relay alone (the mailer's own tests)
//   });
//
// The variables are the operator's (startTestApp); SMTP_URL is the relay's. Nothing is ingested.
import { test } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import { startFaultRelay, type FaultRelay, type FaultRelayOptions } from './fault-relay.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './smtp-sink.ts';

type Vars = Record<string, string | undefined>;

export interface Delivery {
  /** a real SMTP server (smtp-sink.ts) and an app whose SMTP_URL is it */
  withSink(options?: SmtpSinkOptions, vars?: Vars): Promise<{ app: TestApp; sink: SmtpSink }>;
  /** the fault relay (fault-relay.ts) and an app whose SMTP_URL is it */
  withFaultRelay(options?: FaultRelayOptions, vars?: Vars): Promise<{ app: TestApp; relay: FaultRelay }>;
  /** the fault relay alone */
  faultRelay(options?: FaultRelayOptions): Promise<FaultRelay>;
}

// eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern: it must be one
export const deliveryTest = test.extend('delivery', ({}, { onCleanup }): Promise<Delivery> => {
  const closers: Array<() => Promise<void>> = [];
  onCleanup(async () => {
    // the last started first: an app stops before the relay it sends to; each is closed, whatever the others did
    const failed: unknown[] = [];
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => failed.push(err));
    if (failed.length > 0) throw failed[0];
  });
  const started = <T extends { close(): Promise<void> }>(thing: T): T => {
    closers.push(() => thing.close());
    return thing;
  };
  const app = async (smtpUrl: string, vars: Vars = {}) => started(await startTestApp('postgres', { SMTP_URL: smtpUrl, ...vars }));
  return Promise.resolve({
    async withSink(options = {}, vars = {}) {
      const sink = started(await startSmtpSink(options));
      return { sink, app: await app(sink.url, vars) };
    },
    async withFaultRelay(options = {}, vars = {}) {
      const relay = started(await startFaultRelay(options));
      return { relay, app: await app(relay.url, vars) };
    },
    async faultRelay(options = {}) {
      return started(await startFaultRelay(options));
    },
  });
});
