// The body as built part by part (raw-message.ts): any text of the characters that matter to the
// encoder reads back the same in mailparser, and the DKIM body hash taken part by part from the
// encoded bytes is the hash of the whole body (RFC 6376 relaxed, as relaxedBody computes it),
// which mailauth verifies on digest-sized messages, with tabs and runs of blanks, and base64.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { composeDigestMessage } from '../../../src/deliver/compose-message.ts';
import { createDkimSigner, dkimRecord, relaxedBody } from '../../../src/deliver/dkim.ts';
import { buildRaw } from '../../../src/deliver/raw-message.ts';
import { compileDigest } from '../../../src/render/index.ts';
import { recipient, seedDigest } from '../render/builders.ts';
import { buildMessage } from './build-message.ts';

const options = { from: 'paperboy <digest@papers.example.org>', domain: 'papers.example.org', productName: 'paperboy' };

async function digest(topics: string[], reader: number) {
  const { view, matches } = seedDigest(topics);
  const links = {
    preferencesUrl: `https://papers.example.org/preferences?token=pref-${reader}-${'x'.repeat(60)}`,
    unsubscribeUrl: `https://papers.example.org/unsubscribe?token=unsub-${reader}-${'y'.repeat(60)}`,
  };
  const rendered = (await compileDigest(view)).render(recipient(matches, { email: `reader${reader}@example.org`, ...links }));
  return composeDigestMessage(options, { email: `reader${reader}@example.org`, messageId: `delivery-${reader}.1@papers.example.org` }, rendered, links);
}

/** A text of the characters that matter to the encoder and the cuts, from a fixed seed. */
function randomText(seed: number, length: number): string {
  const alphabet = ['<', '>', '\n', '\r\n', ' ', '  ', '\t', '=', '.', 'a', 'word ', 'é', '量', '😀', '<td style="x">', '\r'];
  let state = seed;
  let text = '';
  while (text.length < length) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    text += alphabet[state % alphabet.length];
  }
  return text;
}

describe('the body, part by part', () => {
  it('reads back the same in mailparser, for texts of every character that matters to the encoder', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = randomText(seed, 200 + seed * 50);
      const html = randomText(seed + 1000, 300 + seed * 40);
      const mail = await simpleParser((await buildRaw(buildMessage({ text, html }))).raw);
      expect(mail.text).toBe(text.replace(/\r\n/g, '\n'));
      expect(mail.html).toBe(html.replace(/\r\n/g, '\n'));
    }
  });

  it('gives the DKIM body hash of the whole body, from the parts', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const config = loadConfig({ env: { DKIM_DOMAIN: 'papers.example.org', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY: pem }, cwd: '/srv' });
    const record = dkimRecord(config.dkim!);
    const resolver = (name: string, type: string) =>
      type === 'TXT' && name === record.name ? Promise.resolve([[record.value]]) : Promise.reject(new Error(`no ${type} record for ${name}`));
    const sign = createDkimSigner(config.dkim!);
    const messages = [
      await digest(['scaling laws', 'neural networks'], 3),
      await digest(['quantum'], 4),
      buildMessage({ text: randomText(7, 3000), html: randomText(8, 5000) }),
      buildMessage({ text: 'trailing blanks   \n\ttabbed\t\ttext  \n\n\n', html: '<p>  a  </p>\t\n' }),
      buildMessage({ text: '量子力学の論文。'.repeat(200), html: '' }), // base64
    ];
    for (const message of messages) {
      const raw = (await buildRaw(message, sign)).raw;
      const { results } = await dkimVerify(raw, { resolver });
      expect(results[0]!.status.result).toBe('pass');
      const text = raw.toString('latin1');
      const bh = createHash('sha256')
        .update(relaxedBody(text.slice(text.indexOf('\r\n\r\n') + 4)), 'latin1')
        .digest('base64');
      expect(text).toContain(`bh=${bh};`);
    }
  });
});
