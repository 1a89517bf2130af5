// A whole paperboy context for a test: its own database (PostgreSQL or embedded), its own DATA_DIR,
// configuration from the given variables as an operator would set them, a log the test can read.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createContext, type AppContext, type ContextOptions } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/config.ts';
import { insertSubscriber } from '../../src/db/subscribers.ts';
import { ingestInputs } from '../../src/ingest/ingest-inputs.ts';
import { ingestDeps, sendDeps } from '../../src/app/deps.ts';
import { startWorker } from '../../src/deliver/worker-liveness.ts';
import { newNonce } from '../../src/db/subscribers.ts';
import { sendQueued, type SendSummary } from '../../src/deliver/send-deliveries.ts';
import { embeddedDataDir, freshDataDir, migratedPostgresUrl, stopEmbeddedCluster, type Backend } from './databases.ts';
import { capturingLogger, type CapturedLog } from './logs.ts';

export const SEEDS = path.resolve(import.meta.dirname, '../../seeds');
export const FIRST_SEED = path.join(SEEDS, '000_0b7782e3c814158f.txt');
export const SECOND_SEED = path.join(SEEDS, '001_92719ba14292193f.txt');

export interface TestApp {
  ctx: AppContext;
  captured: CapturedLog;
  dataDir: string;
  databaseUrl: string | undefined;
  /** the variables as given to the CLI in child processes (same database, same DATA_DIR) */
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

export async function startTestApp(backend: Backend, vars: Record<string, string | undefined> = {}, options: ContextOptions = {}): Promise<TestApp> {
  const dataDir = backend === 'embedded' ? await embeddedDataDir() : await freshDataDir();
  const databaseUrl = backend === 'postgres' ? await migratedPostgresUrl() : undefined;
  // (a preferences change is mailed at once here: the tests of gathering changes set their own delay)
  const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SEND_RETRY_DELAY: '50ms', SMTP_TIMEOUT: '3s', PREFERENCES_MAIL_DELAY: '0s', ...vars };
  const captured = capturingLogger();
  const ctx = await createContext(loadConfig({ env }), captured.log, options);
  return {
    ctx,
    captured,
    dataDir,
    databaseUrl,
    env,
    close: async () => {
      await ctx.close();
      await stopEmbeddedCluster(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function ingestSeeds(app: TestApp, files = [FIRST_SEED, SECOND_SEED]): Promise<void> {
  const outcomes = await ingestInputs(ingestDeps(app.ctx), files);
  const bad = outcomes.find((o) => o.kind === 'rejected');
  if (bad) throw new Error(`seed rejected: ${JSON.stringify(bad)}`);
}

export async function addSubscribers(app: TestApp, list: Array<[email: string, topics: string[], status?: 'active' | 'pending' | 'unsubscribed' | 'bounced']>) {
  const out = [];
  for (const [email, topics, status] of list) out.push(await insertSubscriber(app.ctx.db.prisma, { email, topics, ...(status ? { status } : {}) }));
  return out;
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

/** Sends what is queued, as one worker (what `paperboy send` does, in this process). */
export async function sendNow(app: TestApp): Promise<SendSummary> {
  const worker = await startWorker(app.ctx.db, 'test', app.ctx.log);
  try {
    return await sendQueued(sendDeps(app.ctx, worker));
  } finally {
    await worker.stop();
  }
}

/** Many active subscribers at once: reader<i>@example.org, alternating two topics. */
export async function insertReaders(app: TestApp, count: number): Promise<void> {
  await app.ctx.db.prisma.subscriber.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      email: `reader${i}@example.org`,
      emailKey: `reader${i}@example.org`,
      topics: [i % 2 ? 'scaling laws' : 'quantum -gravity'],
      status: 'active' as const,
      tokenNonce: newNonce(),
    })),
  });
}
