// The reader's pages for HTTP tests: a real context (its own database, seeds ingested), a real
// in-process SMTP server, and the express app with the pages router, driven in-process by supertest.
import net from 'node:net';
import type { Express } from 'express';
import { createWebApp } from '../../../src/web/app.ts';
import { pagesRouter, type PagesOptions } from '../../../src/web/pages/router.ts';
import type { Backend } from '../../support/databases.ts';
import { ingestSeeds, startTestApp, type TestApp } from '../../support/app.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../../support/smtp-sink.ts';

export const BASE_URL = 'https://papers.example.org';

/** Limits no test reaches by accident; the rate-limit tests build their own router. */
export const GENEROUS = {
  subscribePerIp: { limit: 10_000, windowMs: 3600_000 },
  subscribePerAddress: { limit: 10_000, windowMs: 3600_000 },
  preview: { limit: 10_000, windowMs: 60_000 },
  preferences: { limit: 10_000, windowMs: 3600_000 },
  preferencesLink: { limit: 10_000, windowMs: 3600_000 },
};

export interface WebTestApp {
  app: TestApp;
  sink: SmtpSink;
  web: Express;
  /** another express app on the same context, with other page options */
  webWith(options: PagesOptions): Express;
  close(): Promise<void>;
}

export async function startWebTestApp(backend: Backend = 'postgres', options: PagesOptions = {}): Promise<WebTestApp> {
  const sink = await startSmtpSink();
  const app = await startTestApp(backend, { SMTP_URL: sink.url, BASE_URL, MAIL_FROM: 'Paperboy <hello@papers.example.org>' });
  await ingestSeeds(app);
  const webWith = (o: PagesOptions) => createWebApp(app.ctx, { pages: pagesRouter(app.ctx, { ...o, rateLimits: { ...GENEROUS, ...o.rateLimits } }) });
  return {
    app,
    sink,
    web: webWith(options),
    webWith,
    close: async () => {
      await app.close();
      await sink.close();
    },
  };
}

/** The path and query of the first link to `path` in a message's text part: "/confirm?token=…". */
export function linkIn(message: SinkMessage, path: '/confirm' | '/preferences' | '/unsubscribe'): string {
  const found = new RegExp(`${BASE_URL.replace(/\./g, '\\.')}(${path}\\?token=[A-Za-z0-9._~%-]+)`).exec(message.parsed.text ?? '');
  if (!found) throw new Error(`no ${path} link in: ${message.parsed.text}`);
  return found[1]!;
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** A port nothing listens on: an SMTP server that is down. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Nothing a reader should ever see: a stack trace, SQL, or a Node/Prisma error name. */
export const LEAKS = /\bat [\w.<>]+ \(|node:internal|[Pp]risma|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|TypeError|ReferenceError|\.ts:\d+/;
