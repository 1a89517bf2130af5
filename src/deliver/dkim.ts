// DKIM signing of the raw message (RFC 6376: rsa-sha256, relaxed/relaxed), and the DNS record that
// publishes the key. The header list is explicit and includes List-Unsubscribe-Post, which RFC 8058
// §4 requires to be signed (nodemailer's signer leaves it out by default).
//
// Why not nodemailer's signer (nodemailer/lib/dkim): it canonicalizes the body byte by byte in a
// stream and signs on the event loop — about 1.1 ms of the one sending thread per 35 kB digest, which
// halved the send benchmark (bench/README.md). Here the body is hashed part by part from the
// encoded bytes (raw-message.ts): a part is its own canonical form unless it holds a run of blanks or
// a tab; the header block is canonicalized from its text, and the whole message is never copied.
// The RSA signature runs in libuv's thread pool (crypto.sign with a callback), so the sender's
// thread keeps claiming and recording meanwhile.
// mailauth (a maintained verifier) checks every signature in the tests, and one changed header fails.
import { createHash, createPublicKey, sign as rsaSign } from 'node:crypto';
import type { DkimKey } from '../config/config.ts';

/** What every signature covers, when the message has it. */
const DKIM_SIGNED_HEADERS = [
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

/**
 * Signs a message given its header block (latin1, CRLF between fields, no final blank line) and the
 * hash of its canonical body (bodyHash): gives the DKIM-Signature field to put on top, with its CRLF.
 */
export type DkimSign = (header: string, bodyHash: string) => Promise<string>;

/**
 * The relaxed canonical form (RFC 6376 §3.4.4) of a transfer-encoded part: quoted-printable or
 * base64 never ends a line in whitespace (quoted-printable.ts encodes it), so only runs of blanks and
 * tabs inside lines change, and a part without any is its own canonical form (no copy).
 */
export function relaxedPart(bytes: Buffer): Buffer {
  if (!bytes.includes(0x09) && !bytes.includes('  ', 0, 'latin1')) return bytes;
  return Buffer.from(
    bytes
      .toString('latin1')
      .replace(/[ \t]+/g, ' ')
      .replace(/ \r\n/g, '\r\n'),
    'latin1',
  );
}

/** bh=: the SHA-256 of the body in its relaxed form, given in pieces whose canonical forms join up (each ends a line or has no trailing blank). */
export function bodyHash(canonical: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const piece of canonical) hash.update(piece);
  return hash.digest('base64');
}

interface Field {
  /** lower case */
  name: string;
  /** the whole field as in the message, without its final CRLF */
  raw: string;
}

/** The header fields of a message (latin1 text up to the blank line), folded lines kept together. */
function headerFields(header: string): Field[] {
  const fields: Field[] = [];
  for (const line of header.split('\r\n')) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && fields.length) {
      fields[fields.length - 1]!.raw += `\r\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) fields.push({ name: line.slice(0, colon).trim().toLowerCase(), raw: line });
  }
  return fields;
}

/** RFC 6376 §3.4.2, relaxed header canonicalization of one field (no trailing CRLF). */
export function relaxedHeader(raw: string): string {
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

/** RFC 6376 §3.4.4, relaxed body canonicalization of a whole body (latin1 text, CRLF line ends): what bodyHash of the pieces must equal. */
export function relaxedBody(body: string): string {
  const canon = body
    .replace(/[ \t]+/g, ' ')
    .replace(/ \r\n/g, '\r\n')
    .replace(/ $/, '')
    .replace(/(\r\n)+$/, '');
  return canon === '' ? '' : `${canon}\r\n`;
}

/** The value of the b= tag folded into lines of at most 76 characters (whitespace in b= is ignored). */
const fold = (base64: string) => base64.replace(/.{1,72}/g, '$&\r\n ').replace(/\r\n $/, '');

export function createDkimSigner(key: DkimKey): DkimSign {
  const wanted = DKIM_SIGNED_HEADERS.map((h) => h.toLowerCase());
  const head = `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${key.domain}; q=dns/txt; s=${key.selector};\r\n bh=`;
  return (header, bh) => {
    const fields = headerFields(header);
    // each listed field the message has, its last instance (RFC 6376 §5.4.2: signed from the bottom up)
    const signed = wanted.map((name) => fields.findLast((f) => f.name === name)).filter((f): f is Field => f !== undefined);
    const tags = `${head}${bh};\r\n h=${signed.map((f) => f.raw.slice(0, f.raw.indexOf(':')).trim()).join(':')};\r\n b=`;
    const data = signed.map((f) => `${relaxedHeader(f.raw)}\r\n`).join('') + relaxedHeader(`DKIM-Signature: ${tags}`);
    return new Promise((resolve, reject) => {
      rsaSign('sha256', Buffer.from(data, 'latin1'), key.privateKey, (err, signature) => {
        if (err) return reject(new Error(`DKIM signing failed: ${err.message}`));
        resolve(`DKIM-Signature: ${tags}${fold(signature.toString('base64'))}\r\n`);
      });
    });
  };
}

/** The TXT record an operator publishes: its name and its value. */
export function dkimRecord(key: DkimKey): { name: string; value: string } {
  const der = createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' });
  return { name: `${key.selector}._domainkey.${key.domain}`, value: `v=DKIM1; k=rsa; p=${der.toString('base64')}` };
}
