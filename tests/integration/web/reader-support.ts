// A small world for the reader's space: JSON snapshots of a few days, each digested and sent to a
// real SMTP server, and the pages app on the same context.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Express } from 'express';
import { digestDeps, ingestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { ingestInputs } from '../../../src/ingest/ingest-inputs.ts';
import { createWebApp } from '../../../src/web/app.ts';
import type { ContextOptions } from '../../../src/app/context.ts';
import { pagesRouter, type PagesOptions } from '../../../src/web/pages/router.ts';
import { sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import type { Backend } from '../../support/databases.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../../support/smtp-sink.ts';
import { BASE_URL, GENEROUS } from './support.ts';

export interface ReaderWorld {
  app: TestApp;
  sink: SmtpSink;
  web: Express;
  /** ingests one listing (items of the daily papers API) captured on `day` (YYYY-MM-DD) */
  ingest(day: string, items: unknown[]): Promise<void>;
  /** builds the newest snapshot's digest and sends it; the digest id */
  digestAndSend(): Promise<number>;
  close(): Promise<void>;
}

/** One item of the daily papers API. */
export const item = (id: string, title: string, summary: string, day: string) => ({
  paper: { id, title, summary, authors: [{ name: 'A. Author' }], upvotes: 3, publishedAt: `${day}T06:00:00.000Z` },
  publishedAt: `${day}T06:00:00.000Z`,
});

/** `feeds`: the context's feed settings (the feeds are built with it); the rest are the pages router's options. */
export async function startReaderWorld(
  options: PagesOptions & Pick<ContextOptions, 'feeds'> = {},
  env: Record<string, string> = {},
  backend: Backend = 'postgres',
): Promise<ReaderWorld> {
  const { feeds, ...pages } = options;
  const sink = await startSmtpSink();
  const app = await startTestApp(backend, { SMTP_URL: sink.url, BASE_URL, MAIL_FROM: 'Paperboy <hello@papers.example.org>', ...env }, feeds ? { feeds } : {});
  const web = createWebApp(app.ctx, { pages: pagesRouter(app.ctx, { ...pages, rateLimits: { ...GENEROUS, ...pages.rateLimits } }), requestLog: false });
  let n = 0;
  return {
    app,
    sink,
    web,
    async ingest(day, items) {
      const file = path.join(app.dataDir, `listing-${++n}-${day}.json`);
      await writeFile(file, JSON.stringify(items));
      const [outcome] = await ingestInputs(ingestDeps(app.ctx), [file]);
      if (outcome?.kind !== 'ingested') throw new Error(`${file}: ${outcome?.kind}`);
    },
    async digestAndSend() {
      const built = await buildDigest(digestDeps(app.ctx));
      if (built.kind !== 'built') throw new Error(`no digest built: ${built.kind}`);
      await sendNow(app);
      return built.digest!.id;
    },
    async close() {
      await app.close();
      await sink.close();
    },
  };
}

/** The path and query of a labelled link of a digest's text part ("Your archive: https://…"). */
export function footerLink(message: SinkMessage, label: string): string {
  const found = new RegExp(`^${label}: ${BASE_URL.replace(/\./g, '\\.')}(\\S+)$`, 'm').exec(message.parsed.text ?? '');
  if (!found) throw new Error(`no "${label}" link in: ${message.parsed.text}`);
  return found[1]!;
}
