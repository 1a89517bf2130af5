// The baseline of the send benchmark: the same prebuilt messages blasted at the sink with a bare
// pooled nodemailer transport at the same concurrency. No database, no rendering, no log.
//   node --import tsx bench/support/baseline-blast.ts <messages.json> <smtp url> <concurrency> [<dkim domain> <selector> <key file>]
// With the DKIM arguments, nodemailer signs every message itself (its own signer, the same key).
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import PQueue from 'p-queue';

const [file, url, concurrency, dkimDomain, dkimSelector, dkimKeyFile] = process.argv.slice(2) as [string, string, string, string?, string?, string?];
const dkim = dkimDomain ? { domainName: dkimDomain, keySelector: dkimSelector!, privateKey: await readFile(dkimKeyFile!, 'utf8') } : undefined;
const messages = JSON.parse(await readFile(file, 'utf8')) as Array<Record<string, unknown>>;
const transport = nodemailer.createTransport({ url, pool: true, maxConnections: Number(concurrency), maxMessages: 100, ...(dkim ? { dkim } : {}) } as never);
const queue = new PQueue({ concurrency: Number(concurrency) });
const started = performance.now();
let failed = 0;
for (const m of messages) {
  void queue.add(() =>
    transport.sendMail({ ...m, messageId: `<${m.messageId as string}>` }).catch(() => {
      failed++;
    }),
  );
}
await queue.onIdle();
const ms = performance.now() - started;
transport.close();
const usage = process.resourceUsage();
const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), failed, peakRssMb: Math.round(usage.maxRSS / 1024), cpuMs })}\n`);
