// The bounce receiver under attack, against a real `paperboy serve` (embedded database, BOUNCE_SMTP_PORT
// set), from loopback addresses of its own (every 127/8 address is this machine on Linux):
//   1. 200 idle connections from one client, then 200 from twenty clients (ten each), all held open;
//   2. a 1 GB message to complaints@BOUNCE_DOMAIN (a public address), generated on the fly and
//      written relentlessly: the attacker ignores the 552 and the close, and stops only when the
//      connection is cut;
//   3. meanwhile, every 250 ms, another client delivers a real DSN for a sent delivery (nodemailer):
//      is it still answered 250, and how fast?
// Measured: serve's RSS (VmRSS every 20 ms) at idle before the attack and its peak during it, the
// high-water mark (VmHWM) before and after, what the idle clients were answered, when the 552 came.
// Target (issue 19): peak RSS within 50 MB of the idle figure, other clients still answered.
//   npm run build && npm run bench -- inbound         (BENCH_INBOUND_BYTES=… another size,
//                                                     BENCH_INBOUND_IDLE=0 the stream without idle connections,
//                                                     BENCH_INBOUND_STREAMS=16 that many 1 GB streams at once)
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { digestDeps, ingestDeps } from '../src/app/deps.ts';
import { buildDigest } from '../src/digest/build-digest.ts';
import { ingestInputs } from '../src/ingest/ingest-inputs.ts';
import { gmailDelay } from '../tests/support/bounce-reports.ts';
import { freePort } from '../tests/support/ports.ts';
import { connectSmtp, streamMessage, type RawSmtp } from '../tests/support/smtp-client.ts';
import { benchContext, insertSubscribers } from './support/bench-db.ts';
import { report, round } from './support/measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOMAIN = 'bounce.papers.example.org';
const TOTAL = Number(process.env.BENCH_INBOUND_BYTES ?? 1024 ** 3);
const IDLE = Number(process.env.BENCH_INBOUND_IDLE ?? 200); // 0: the stream alone
const STREAMS = Number(process.env.BENCH_INBOUND_STREAMS ?? 1); // attackers at once, each from its own address
const TARGET_MB = 50;
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

// A database with one sent delivery, so that a probe has a real return path to report on.
const { ctx, env } = await benchContext({ BOUNCE_DOMAIN: DOMAIN });
await ingestInputs(ingestDeps(ctx), [path.join(ROOT, 'seeds/000_0b7782e3c814158f.txt')]);
await insertSubscribers(ctx, 1, () => ['language model OR diffusion OR learning']);
await buildDigest(digestDeps(ctx));
const delivery = await ctx.db.prisma.delivery.findFirstOrThrow({ include: { subscriber: true } });
await ctx.db.prisma.delivery.update({
  where: { id_digestId: { id: delivery.id, digestId: delivery.digestId } },
  data: { status: 'sent', sentAt: new Date(), messageId: `delivery-${delivery.id}.1@localhost` },
});
const returned = {
  returnPath: ctx.verp!.bounceAddress(delivery.id, delivery.attempt),
  to: delivery.subscriber.email,
  messageId: `delivery-${delivery.id}.1@localhost`,
};

const [webPort, smtpPort] = [await freePort(), await freePort()];
const serve = spawn(process.execPath, [path.join(ROOT, 'bin/paperboy.js'), 'serve'], {
  cwd: ROOT,
  env: {
    ...process.env,
    ...env,
    PORT: String(webPort),
    HOST: '127.0.0.1',
    BOUNCE_DOMAIN: DOMAIN,
    BOUNCE_SMTP_PORT: String(smtpPort),
    BOUNCE_SMTP_HOST: '127.0.0.1',
    SNAPSHOT_SOURCE: path.join(ROOT, 'seeds'),
    DIGEST_CRON: '0 0 1 1 *',
    LOG_LEVEL: 'error',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const status = async (field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(await readFile(`/proc/${serve.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const held: RawSmtp[] = [];
try {
  for (let tries = 0; ; tries++) {
    const health = (await fetch(`http://127.0.0.1:${webPort}/healthz`).then(
      (r) => r.json(),
      () => null,
    )) as { lastIngest?: { status: string } } | null;
    if (health?.lastIngest) break;
    if (tries > 480) throw new Error('serve did not come up');
    await sleep(250);
  }
  const hello = await connectSmtp(smtpPort);
  if (hello.greeting?.code !== 220) throw new Error(`the receiver did not greet: ${JSON.stringify(hello.greeting)}`);
  hello.destroy();
  await sleep(Number(process.env.BENCH_SETTLE_MS ?? 5000));
  const idleSamples: number[] = [];
  for (let i = 0; i < 20; i++) {
    idleSamples.push(await status('VmRSS'));
    await sleep(100);
  }
  const idleRss = idleSamples.sort((a, b) => a - b)[idleSamples.length >> 1]!; // the median of 2 s
  const hwmBefore = await status('VmHWM');

  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await status('VmRSS').catch(() => 0));
      await sleep(20);
    }
  })();

  // 3. probes from other clients, all along
  const probes: Array<{ ok: boolean; ms: number; response: string }> = [];
  let probing = true;
  let n = 0;
  const probe = async () => {
    const started = performance.now();
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      localAddress: `127.0.${4 + Math.floor(n / 250)}.${(n++ % 250) + 1}`,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    try {
      const info = await transport.sendMail({ envelope: { from: '', to: [returned.returnPath] }, raw: gmailDelay(returned) });
      probes.push({ ok: /^250 /.test(info.response), ms: performance.now() - started, response: info.response });
    } catch (err) {
      probes.push({ ok: false, ms: performance.now() - started, response: (err as { response?: string }).response ?? (err as Error).message });
    } finally {
      transport.close();
    }
  };
  const prober = (async () => {
    while (probing) await Promise.all([probe(), sleep(250)]);
  })();
  // 1. idle connections: one client, then twenty
  const idleFrom = async (addresses: string[]) => {
    const clients = await Promise.all(
      Array.from({ length: IDLE }, (_, i) => connectSmtp(smtpPort, { localAddress: addresses[i % addresses.length] }).catch(() => null)),
    );
    held.push(...clients.filter((c): c is RawSmtp => c !== null));
    return {
      greeted: clients.filter((c) => c?.greeting?.code === 220).length,
      turnedAway: clients.filter((c) => c?.greeting?.code === 421).length,
      failed: clients.filter((c) => !c).length,
    };
  };
  const oneClient = await idleFrom(['127.0.1.1']);
  const twentyClients = await idleFrom(Array.from({ length: 20 }, (_, i) => `127.0.2.${i + 1}`));
  const peakWithIdle = peak;

  // 2. the stream
  const attackers = await Promise.all(
    Array.from({ length: STREAMS }, (_, i) => connectSmtp(smtpPort, { localAddress: `127.0.3.${i + 1}`, allowHalfOpen: true })),
  );
  const streams = await Promise.all(attackers.map((a) => streamMessage(a, `complaints@${DOMAIN}`, TOTAL, { relentless: true })));
  for (const a of attackers) a.destroy();
  const attacker = attackers[0]!;
  const stream = streams[0]!;
  await sleep(1000); // the probes a little longer
  probing = false;
  await prober;
  sampling = false;
  await sampler;
  const hwmAfter = await status('VmHWM');
  const stillOpen = held.filter((c) => !c.isClosed()).length;
  const growth = peak - idleRss;
  const streamRan = streams.every((r) => r.reply !== null || r.pushed > 0); // else an attacker was not even let in

  report('inbound', {
    command: 'paperboy serve (embedded database, BOUNCE_SMTP_PORT) under attack',
    idleRssMb: mb(idleRss),
    peakRssMb: mb(peak),
    growthMb: mb(growth),
    target: `peak RSS of serve within ${TARGET_MB} MB of its idle RSS, other clients still answered`,
    memoryTargetMet: streamRan ? growth <= TARGET_MB * 1024 * 1024 : 'not measured: the stream never got to DATA',
    peakWithIdleConnectionsMb: mb(peakWithIdle),
    highWaterMb: { beforeAttack: mb(hwmBefore), after: mb(hwmAfter) },
    streams: STREAMS,
    replies: [...new Set(streams.map((r) => (r.reply ? `${r.reply.code} ${r.reply.text}` : null)))],
    stream: {
      bytes: TOTAL,
      greeting: attacker.greeting ? `${attacker.greeting.code} ${attacker.greeting.text}` : null,
      reply: stream.reply ? `${stream.reply.code} ${stream.reply.text}` : null,
      replyAfterMs: stream.replyAfterMs === null ? null : Math.round(stream.replyAfterMs),
      writtenBeforeReplyMb: mb(stream.written),
      pushedUntilCutMb: mb(stream.pushed),
      cutAfterMs: Math.round(stream.stoppedAfterMs),
    },
    idleConnections: { oneClient, twentyClients, stillOpenAtEnd: stillOpen },
    probes: {
      sent: probes.length,
      answered250: probes.filter((p) => p.ok).length,
      medianMs: Math.round(probes.map((p) => p.ms).sort((a, b) => a - b)[Math.floor(probes.length / 2)] ?? 0),
      maxMs: Math.round(Math.max(0, ...probes.map((p) => p.ms))),
      notAnswered: [...new Set(probes.filter((p) => !p.ok).map((p) => p.response))].slice(0, 5),
    },
    otherClientsAnswered: probes.length > 0 && probes.every((p) => p.ok),
    targetMet: streamRan && growth <= TARGET_MB * 1024 * 1024 && probes.length > 0 && probes.every((p) => p.ok),
  });
} finally {
  for (const c of held) c.destroy();
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  await ctx.close();
  await rm(env.DATA_DIR!, { recursive: true, force: true });
}
