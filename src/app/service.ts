// `paperboy serve` assembled: the web app, the schedule (ingest, digest) and the sender, on one
// context, with a clean stop: no new jobs, no new claims, sends in flight finished and recorded,
// the server and the database closed — within SHUTDOWN_TIMEOUT. A send still waiting for its reply
// near the deadline is cut (released if its data had not ended, unknown if it had) and recorded.
import { digestDetail, retentionDetail } from './jobs-by-hand.ts';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchRelay } from '../deliver/relay-watch.ts';
import { buildDigest } from '../digest/build-digest.ts';
import { staleBuild } from '../db/digests.ts';
import { sesWebhookRouter } from '../inbound/ses-webhook.ts';
import { startBounceReceiver, type BounceReceiver } from '../inbound/smtp-receiver.ts';
import { ingestBundledSeedsOnce } from '../jobs/bundled-seeds.ts';
import { createJobLock } from '../jobs/job-lock.ts';
import { ingestSource } from '../jobs/ingest-source.ts';
import { Scheduler, type JobDefinition } from '../jobs/scheduler.ts';
import { runRetention } from '../jobs/retention.ts';
import { SenderService } from '../jobs/sender.ts';
import { subscriptionDeps } from '../subscriptions/deps.ts';
import { SubscriptionMailQueue } from '../subscriptions/mail-queue.ts';
import { createWebApp } from '../web/app.ts';
import { pagesRouter } from '../web/pages/router.ts';
import { BackfillRunner } from './backfill-runner.ts';
import type { AppContext } from './context.ts';
import { digestDeps, inboundDeps, ingestDeps, retentionDeps, sendDeps, sesWebhookDeps } from './deps.ts';
import { recover, startWorker, type WorkerHandle } from '../deliver/worker-liveness.ts';

export interface Service {
  url: string;
  scheduler: Scheduler;
  sender: SenderService;
  worker: WorkerHandle;
  /** the built-in bounce receiver (BOUNCE_SMTP_PORT), when it runs */
  receiver: BounceReceiver | null;
  /** resolves when the start-up ingest is done */
  ready: Promise<void>;
  /** clean: every step ended within SHUTDOWN_TIMEOUT and every outcome was recorded */
  stop(reason: string): Promise<{ clean: boolean }>;
}

export interface ServiceOptions {
  /** ingest SNAPSHOT_SOURCE once at start-up (default true) */
  ingestOnStart?: boolean;
  /** how often an idle sender looks for queued deliveries (default 5 s) */
  senderPollMs?: number;
  /** how often this process looks for a digest build left unfinished (default 5 s) */
  buildCheckMs?: number;
}

export async function startService(ctx: AppContext, options: ServiceOptions = {}): Promise<Service> {
  const { config, log, db } = ctx;
  const worker = await startWorker(db, 'serve', log);
  const settle = () =>
    recover(db.sql, log).catch((err) => log.warn({ event: 'recovery.failed', err }, 'could not check for deliveries left by stopped processes'));
  await settle();

  // every message that goes through after the relay failed tells the subscription mails' loop
  const mailer = watchRelay(ctx.mailer, () => mailQueue.relayRecovered());
  const sender = new SenderService({ ...sendDeps(ctx, worker), mailer }, options.senderPollMs, settle);
  const mailQueue: SubscriptionMailQueue = new SubscriptionMailQueue({ ...subscriptionDeps(ctx, { mailer }), workerId: worker.id });
  const scheduler = new Scheduler(
    { prisma: db.prisma, log, metrics: ctx.metrics, lock: createJobLock(db.pgConfig), workerId: worker.id, timezone: config.CRON_TZ },
    scheduledJobs(ctx, sender),
  );

  const backfills = new BackfillRunner(ctx);
  const app = createWebApp(ctx, {
    pages: pagesRouter(ctx, { mailQueue }),
    admin: {
      ingestSource: (via) => scheduler.run('ingest', via === 'dashboard' ? 'dashboard' : 'admin'),
      onQueued: () => sender.wake(),
      onMailQueued: () => mailQueue.wake(),
      backfill: backfills,
    },
    extra: config.SES_SNS_TOPIC_ARN ? [sesWebhookRouter(sesWebhookDeps(ctx, config.SES_SNS_TOPIC_ARN))] : [],
  });
  const { server, url } = await openServer(app, ctx, worker);
  const receiver = await openReceiver(ctx, server, worker);

  scheduler.start();
  sender.start();
  mailQueue.start();
  const buildWatch = watchStaleBuilds(ctx, scheduler, options.buildCheckMs ?? 5_000);
  const ready = options.ingestOnStart === false ? Promise.resolve() : scheduler.run('ingest', 'startup').then(() => undefined);

  const running: Running = { ctx, server, receiver, scheduler, backfills, sender, mailQueue, worker, buildWatch };
  return { url, scheduler, sender, worker, receiver, ready, stop: (reason) => stopService(running, reason) };
}

/** What serve runs on a schedule: the ingest of SNAPSHOT_SOURCE, the digest (then the sender wakes), the retention. */
function scheduledJobs(ctx: AppContext, sender: SenderService): JobDefinition[] {
  const { config } = ctx;
  return [
    { name: 'ingest', cron: config.INGEST_CRON, run: () => ingestJob(ctx) },
    {
      name: 'digest',
      cron: config.DIGEST_CRON,
      // stopping: the build stops between chunks (the one in flight committed) and another process goes on with it
      run: async (stopping) => {
        const result = await buildDigest(digestDeps(ctx), { signal: stopping });
        sender.wake();
        return digestDetail(result);
      },
    },
    { name: 'retention', cron: config.RETENTION_CRON, run: async () => retentionDetail(await runRetention(retentionDeps(ctx))) },
  ];
}

/** The scheduled ingest, and what its job row records. */
async function ingestJob(ctx: AppContext) {
  const { config } = ctx;
  // left at the default (the live API): a new database first gets the bundled seeds, as history
  const seeds = config.bundledSeeds ? await ingestBundledSeedsOnce(ingestDeps(ctx)) : null;
  const check = await ingestSource(ingestDeps(ctx), config.SNAPSHOT_SOURCE, { staleAfterMs: config.SOURCE_STALE_AFTER });
  const count = (kind: string) => check.outcomes.filter((o) => o.kind === kind).length;
  return {
    ingested: count('ingested'),
    duplicate: count('duplicate'),
    quiet: count('quiet'),
    rejected: count('rejected'),
    unchanged: check.unchanged,
    healthy: check.health.healthy,
    ...(seeds ? { bundledSeeds: seeds.filter((o) => o.kind === 'ingested').length } : {}),
  };
}

/**
 * The web app listening on PORT, and the URL to reach it. A port that cannot be taken stops the start
 * here, with nothing left behind: the worker leaves (the caller closes the context, so the embedded
 * database loses this member too).
 */
async function openServer(app: RequestListener, ctx: AppContext, worker: WorkerHandle): Promise<{ server: Server; url: string }> {
  const { config } = ctx;
  let server: Server;
  try {
    server = await listen(app, config.PORT, config.HOST);
  } catch (err) {
    await worker.stop();
    throw err;
  }
  server.keepAliveTimeout = 5_000;
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${port}` };
}

/** The built-in bounce receiver on BOUNCE_SMTP_PORT (when set); one that cannot listen closes the server and the worker. */
async function openReceiver(ctx: AppContext, server: Server, worker: WorkerHandle): Promise<BounceReceiver | null> {
  const { config } = ctx;
  if (config.BOUNCE_SMTP_PORT === undefined || !ctx.verp) return null;
  try {
    return await startBounceReceiver({ ...inboundDeps(ctx), verp: ctx.verp }, { port: config.BOUNCE_SMTP_PORT, host: config.BOUNCE_SMTP_HOST });
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await worker.stop();
    throw new Error(`BOUNCE_SMTP_PORT: cannot listen on ${config.BOUNCE_SMTP_HOST}:${config.BOUNCE_SMTP_PORT}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A digest build left unfinished (its process died, or it failed) is taken up within seconds by
 * whichever serve gets the build lock, and goes on after its last committed chunk. Looks now, then every `everyMs`.
 */
function watchStaleBuilds(ctx: AppContext, scheduler: Scheduler, everyMs: number): NodeJS.Timeout {
  const resumeStaleBuild = async () => {
    try {
      if (await staleBuild(ctx.db.sql)) await scheduler.run('digest', 'resume');
    } catch (err) {
      ctx.log.warn({ event: 'digest.resume_failed', err }, `could not look for an unfinished digest build: ${(err as Error).message}`);
    }
  };
  const buildWatch = setInterval(() => void resumeStaleBuild(), everyMs);
  buildWatch.unref();
  void resumeStaleBuild();
  return buildWatch;
}

/** What a running serve stops. */
interface Running {
  ctx: AppContext;
  server: Server;
  receiver: BounceReceiver | null;
  scheduler: Scheduler;
  backfills: BackfillRunner;
  sender: SenderService;
  mailQueue: SubscriptionMailQueue;
  worker: WorkerHandle;
  buildWatch: NodeJS.Timeout;
}

/** The clean stop: no new jobs, no new claims, sends in flight finished and recorded, then the server and the database. */
async function stopService(running: Running, reason: string): Promise<{ clean: boolean }> {
  const { ctx, server, receiver, scheduler, backfills, sender, mailQueue, worker, buildWatch } = running;
  const { config, log } = ctx;
  log.info({ event: 'service.stopping', reason }, `stopping (${reason})`);
  clearInterval(buildWatch);
  const { cutAt, giveUpAt, deadline } = stopSchedule(Date.now(), config.SHUTDOWN_TIMEOUT);
  const closing = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const receiverClosed = receiver ? withTimeout(receiver.close(), cutAt - Date.now()) : Promise.resolve();
  const [jobsEnded, sending, mailsEnded] = await Promise.all([
    withTimeout(
      Promise.all([scheduler.stop(), backfills.stop()]).then(() => true),
      cutAt - Date.now(),
    ),
    sender.stop(cutAt, giveUpAt),
    mailQueue.stop(Math.max(0, cutAt - Date.now())),
  ]);
  server.closeAllConnections();
  await withTimeout(closing, deadline - Date.now());
  await receiverClosed;
  await worker.stop();
  await ctx.close();
  const clean = sending.clean && mailsEnded && jobsEnded === true;
  log.info(
    {
      event: 'service.stopped',
      reason,
      clean,
      jobsEnded: jobsEnded === true,
      mailsEnded,
      unknownAtStop: sending.cutUnknown,
      unrecorded: sending.unrecorded,
      sent: sender.totals.sent,
    },
    clean ? 'stopped cleanly' : 'stopped: some work did not end within SHUTDOWN_TIMEOUT (see unknownAtStop, unrecorded, jobsEnded, mailsEnded)',
  );
  return { clean };
}

/**
 * The HTTP server listening on PORT, or a one-line error naming PORT. (Express 5's app.listen hands
 * a listen error to its callback, which then read the address of a server that never listened.)
 */
function listen(app: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE')
        reject(new Error(`PORT: ${port} is in use on ${host} (another process listens there): stop it, or set PORT to a free port`, { cause: err }));
      else if (err.code === 'EACCES')
        reject(new Error(`PORT: not allowed to listen on ${where} (a port below 1024 needs privileges): set PORT to 1024 or above`, { cause: err }));
      else if (err.code === 'EADDRNOTAVAIL') reject(new Error(`HOST: ${host} is not an address of this machine (PORT ${port})`, { cause: err }));
      else reject(new Error(`PORT: cannot listen on ${where}: ${err.message}`, { cause: err }));
    });
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Within SHUTDOWN_TIMEOUT: sends in flight may run until `cutAt`; failed records are tried again
 * until `giveUpAt`; the rest (closing the server and the database) gets what is left.
 */
function stopSchedule(now: number, timeoutMs: number): { cutAt: number; giveUpAt: number; deadline: number } {
  const reserve = Math.min(Math.max(timeoutMs * 0.2, 500), 3_000);
  return { cutAt: now + timeoutMs - reserve, giveUpAt: now + timeoutMs - reserve / 3, deadline: now + timeoutMs };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))))]).finally(() =>
    clearTimeout(timer),
  );
}
