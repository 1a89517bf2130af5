// The cost of DKIM signing per message: the raw message of a digest-sized email (25 kB HTML, 6 kB
// text, the List-* headers) built as the SMTP Mailer builds it, without and with a 2048-bit signature,
// in alternating rounds so that a busy machine weighs on both alike. In-process, no network.
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../src/config/config.ts';
import { createDkimSigner } from '../src/deliver/dkim.ts';
import { buildRaw } from '../src/deliver/raw-message.ts';
import type { OutgoingMessage } from '../src/deliver/types.ts';
import { peakRssMb, report, round } from './support/measure.ts';

const PER_ROUND = 250;
const ROUNDS = 8;
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const config = loadConfig({ env: { DKIM_DOMAIN: 'papers.example.org', DKIM_SELECTOR: 'bench', DKIM_PRIVATE_KEY: pem } });
const sign = createDkimSigner(config.dkim!);
const paragraph = 'Scaling laws for sparse mixture-of-experts language models, measured across compute budgets. ';
const message = (n: number): OutgoingMessage => ({
  from: 'paperboy <digest@papers.example.org>',
  to: `reader${n}@example.org`,
  subject: `paperboy: 7 new papers for “scaling laws” #${n}`,
  html: `<table><tr><td>${`<p>${paragraph.repeat(3)}</p>`.repeat(90)}</td></tr></table>`,
  text: paragraph.repeat(64),
  messageId: `delivery-${n}.1@papers.example.org`,
  returnPath: `bounces+${n.toString(36)}-1-0123456789abcdef0123@bounce.papers.example.org`,
  headers: {
    'List-Unsubscribe': `<https://papers.example.org/unsubscribe?token=u.${n}.x.y.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG>, <mailto:unsubscribe+${n.toString(36)}-0123456789abcdef0123@bounce.papers.example.org?subject=unsubscribe>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': 'paperboy digest <digest.papers.example.org>',
  },
});

const times = { plain: [] as number[], dkim: [] as number[] };
let bytes = 0;
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const kind of ['plain', 'dkim'] as const) {
    const t = performance.now();
    for (let i = 0; i < PER_ROUND; i++) bytes = (await buildRaw(message(i), kind === 'dkim' ? sign : undefined)).raw.length;
    if (round > 0) times[kind].push((performance.now() - t) / PER_ROUND); // round 0 warms up
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
report('dkim', {
  messageBytes: bytes,
  msPerMessage: { plain: round(median(times.plain), 3), dkim: round(median(times.dkim), 3) },
  signingMsPerMessage: round(median(times.dkim) - median(times.plain), 3),
  range: {
    plain: [round(Math.min(...times.plain), 3), round(Math.max(...times.plain), 3)],
    dkim: [round(Math.min(...times.dkim), 3), round(Math.max(...times.dkim), 3)],
  },
  peakRssMb: peakRssMb(),
});
