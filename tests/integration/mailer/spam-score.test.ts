// SpamAssassin (Debian's spamassassin, local tests only: -L, no network) scores the confirmation and
// a digest as paperboy writes them — DKIM-signed, with the VERP return path and both List-Unsubscribe
// forms — under 1.0, and their DKIM signatures verify (mailauth). .ci/run installs it; without it, and outside CI, this file is skipped.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { dkimRecord } from '../../../src/deliver/dkim.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { subscriptionDeps } from '../../../src/subscriptions/deps.ts';
import { sendConfirmation } from '../../../src/subscriptions/mail.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';

const SPAMASSASSIN = '/usr/bin/spamassassin';
const skip = !existsSync(SPAMASSASSIN) && !process.env.PAPERBOY_REQUIRE_TOOLS; // .ci/run requires them: there, missing fails instead of skipping

/** The score and the rules that fired, from the X-Spam-Status header spamassassin adds. */
function score(file: string): { score: number; tests: string } {
  const r = spawnSync(SPAMASSASSIN, ['-L', '-t'], { input: contents.get(file)!, encoding: 'utf8', timeout: 120_000 });
  const status = /^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+) required=[\d.]+ tests=([\s\S]*?)autolearn/m.exec(r.stdout);
  if (!status) throw new Error(`no X-Spam-Status in spamassassin's output (${r.status}): ${r.stderr.slice(0, 500)}`);
  return { score: Number(status[1]), tests: status[2]!.replace(/\s+/g, ' ').trim() };
}
let contents = new Map<string, string>();

describe.skipIf(skip)('spam score', () => {
  let app: TestApp;
  let outbox: string;

  beforeAll(async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    app = await startTestApp('postgres', {
      BASE_URL: 'https://papers.example.org',
      MAIL_FROM: 'paperboy <digest@papers.example.org>',
      DKIM_DOMAIN: 'papers.example.org',
      DKIM_SELECTOR: 'pb2026',
      DKIM_PRIVATE_KEY: key,
      BOUNCE_DOMAIN: 'bounce.papers.example.org',
    });
    outbox = path.join(app.dataDir, 'outbox');
    await ingestSeeds(app);
    const [reader] = await addSubscribers(app, [['ada.lovelace@example.org', ['scaling laws', 'diffusion -video']]]);
    await sendConfirmation(
      subscriptionDeps(app.ctx),
      { id: reader!.id, email: reader!.email, topics: reader!.topics, frequency: 'daily', weeklyDay: 1 },
      'nonce1',
    );
    expect((await buildDigest(digestDeps(app.ctx))).kind).toBe('built');
    expect(await sendNow(app)).toMatchObject({ sent: 1 });
    for (const name of await readdir(outbox)) contents.set(path.join(outbox, name), await readFile(path.join(outbox, name), 'utf8'));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    contents = new Map();
  });

  it.each([
    ['the confirmation', /-confirm-\d/],
    ['a digest', /-delivery-\d/],
  ])(
    'scores %s under 1.0',
    (_what, pattern) => {
      const file = [...contents.keys()].find((f) => pattern.test(path.basename(f)));
      expect(file, [...contents.keys()].join(', ')).toBeDefined();
      const result = score(file!);
      console.log(`spamassassin ${path.basename(file!)}: ${result.score} (${result.tests})`);
      expect(result.score).toBeLessThan(1.0);
    },
    120_000,
  );

  it.each([
    ['the confirmation', /-confirm-\d/],
    ['a digest', /-delivery-\d/],
  ])('signs %s with a DKIM signature that verifies', async (_what, pattern) => {
    const file = [...contents.keys()].find((f) => pattern.test(path.basename(f)))!;
    const record = dkimRecord(app.ctx.config.dkim!);
    const resolver = async (name: string) =>
      name === record.name ? [[record.value]] : Promise.reject(Object.assign(new Error('no record'), { code: 'ENOTFOUND' }));
    const { results } = await dkimVerify(Buffer.from(contents.get(file)!, 'utf8'), { resolver });
    expect(results.map((r) => r.status.result)).toEqual(['pass']);
  });
});
