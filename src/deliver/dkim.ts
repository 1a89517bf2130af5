// DKIM signing of the raw message (RFC 6376, rsa-sha256, relaxed/relaxed) with nodemailer's own
// signer, and the DNS record that publishes the key. The header list is given explicitly: the
// signer's default leaves out List-Unsubscribe-Post, which RFC 8058 §4 requires to be signed.
import { createPublicKey } from 'node:crypto';
import { Readable } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim';
import type { DkimKey } from '../config/config.ts';

/** What every signature covers, when the message has it. */
export const DKIM_SIGNED_HEADERS = [
  'From',
  'To',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'MIME-Version',
  'Content-Type',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  'List-Id',
];

export type DkimSign = (raw: Buffer) => Promise<Buffer>;

export function createDkimSigner(key: DkimKey): DkimSign {
  const dkim = new DKIM({
    domainName: key.domain,
    keySelector: key.selector,
    privateKey: key.privateKeyPem,
    headerFieldNames: DKIM_SIGNED_HEADERS.join(':'),
  });
  return async (raw) => {
    const chunks: Buffer[] = [];
    const signed = dkim.sign(raw);
    for await (const chunk of signed as Readable) chunks.push(chunk as Buffer);
    const out = Buffer.concat(chunks);
    // nodemailer's signer leaves the message unsigned when the key cannot sign: never send that silently
    if (!out.subarray(0, 32).toString('latin1').toLowerCase().startsWith('dkim-signature:')) {
      throw new Error('DKIM signing failed: the key could not sign');
    }
    return out;
  };
}

/** The TXT record an operator publishes: its name and its value. */
export function dkimRecord(key: DkimKey): { name: string; value: string } {
  const der = createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' });
  return { name: `${key.selector}._domainkey.${key.domain}`, value: `v=DKIM1; k=rsa; p=${der.toString('base64')}` };
}
