// The message as it goes over the wire, shared by both Mailers: the raw bytes of an OutgoingMessage
// (checked: nothing a reader typed can start a header of its own), built once, DKIM-signed when
// asked. The SMTP Mailer sends these bytes; the outbox Mailer writes the same bytes to its .eml files.
//
// The header values are encoded by nodemailer (MimeNode: addresses, encoded words, folding), each
// distinct header line once. The body is assembled here: a multipart/alternative skeleton
// made once per process (its boundary, the parts' headers) around the two bodies, each
// transfer-encoded in one pass (quoted-printable.ts). Before, MailComposer streamed every message
// through nodemailer's MIME tree: half of the sender's CPU per message (bench/README.md "send").
import { randomBytes } from 'node:crypto';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import { bodyHash, relaxedPart, type DkimSign } from './dkim.ts';
import { encodeBody } from './quoted-printable.ts';
import { SendError, type OutgoingMessage } from './types.ts';

/** RFC 5322 field name: printable US-ASCII except the colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** a value nodemailer may pass through untouched: printable ASCII and spaces/tabs, no CR/LF */
const PLAIN_VALUE = /^[\x20-\x7e\t]*$/;
const MESSAGE_ID = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * The multipart boundary, one per process: "=_" never occurs in quoted-printable or base64 text
 * (RFC 2045 §6.7 note), so no body can contain it, whoever wrote the body.
 */
const BOUNDARY = `=_paperboy_${randomBytes(12).toString('hex')}`;
const partHead = (type: string, encoding: string) =>
  Buffer.from(`--${BOUNDARY}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`, 'latin1');
const PART_HEADS = {
  text: { 'quoted-printable': partHead('text/plain', 'quoted-printable'), base64: partHead('text/plain', 'base64') },
  html: { 'quoted-printable': partHead('text/html', 'quoted-printable'), base64: partHead('text/html', 'base64') },
};
const BETWEEN = Buffer.from('\r\n', 'latin1');
const CLOSE = Buffer.from(`\r\n--${BOUNDARY}--\r\n`, 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

/** nodemailer's header encoder (addresses, encoded words): used for values, never for a message. */
const encoder = new MimeNode(undefined, { baseBoundary: 'paperboy' });
/** a value nodemailer writes as it is: printable ASCII, nothing to encode */
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** a bare address nodemailer writes as it is (anything else goes through its address parser) */
const BARE_ADDRESS = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const ADDRESS_HEADERS = new Set(['From', 'To', 'Reply-To']);

/**
 * Header lines as nodemailer's MimeNode writes them (encoded, folded at 76), each distinct one
 * built once: From, Reply-To, List-Id and most subjects are the same for every reader of a digest.
 * A short printable value, the usual To, Message-ID and List-Unsubscribe, needs no work at all.
 */
const lines = new Map<string, string>();
function headerLine(field: string, value: string): string {
  const name = fieldName(field);
  const plain = ADDRESS_HEADERS.has(name) ? BARE_ADDRESS.test(value) : PRINTABLE.test(value);
  if (plain && name.length + 2 + value.length <= 76) return `${name}: ${value}`;
  const key = `${name}\n${value}`;
  let line = lines.get(key);
  if (line === undefined) {
    line = foldLines(`${name}: ${encoder.encodeHeaderValue(name, value)}`, 76);
    if (lines.size >= 10_000) lines.clear(); // a digest's few distinct values stay; a new digest's replace them
    lines.set(key, line);
  }
  return line;
}

const names = new Map<string, string>();
/** A field name as nodemailer writes it (MimeNode's _normalizeHeaderKey): "List-ID", "Message-ID", "MIME-Version". */
function fieldName(field: string): string {
  let name = names.get(field);
  if (name === undefined) {
    name = field.toLowerCase().replace(/^(MIME|DKIM|ARC|BIMI)\b|^[a-z]|-(SPF|FBL|ID|MD5)$|-[a-z]/gi, (c) => c.toUpperCase());
    if (names.size < 1000) names.set(field, name);
  }
  return name;
}

const senders = new Map<string, string>();
/** The envelope address of a header's first address (the From of every message: parsed once). */
function envelopeAddress(name: 'From' | 'To', value: string): string[] {
  if (BARE_ADDRESS.test(value)) return [value];
  const envelope = new MimeNode(undefined, { baseBoundary: 'paperboy' }).setHeader(name, value).getEnvelope();
  return name === 'From' ? (envelope.from ? [envelope.from] : []) : envelope.to;
}
function senderAddress(from: string): string {
  let address = senders.get(from);
  if (address === undefined) {
    address = envelopeAddress('From', from)[0] ?? '';
    if (senders.size >= 100) senders.clear();
    senders.set(from, address);
  }
  return address;
}

const MIME_HEADERS = `MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="${BOUNDARY}"`;

/**
 * The header block and the envelope. Extra header values that are plain ASCII go out verbatim and
 * unfolded (a List-Unsubscribe URL stays on one line); others are MIME-encoded. CR/LF in an extra
 * header is refused (the contract forbids it); CR/LF in the subject is turned into a space by
 * nodemailer, so it can never start a header of its own.
 */
function messageHeaders(message: OutgoingMessage): { header: string; envelope: { from: string; to: string[] } } {
  if (!MESSAGE_ID.test(message.messageId)) {
    throw new SendError('EMESSAGE', `invalid Message-ID ${JSON.stringify(message.messageId)} (want local@domain, no brackets)`);
  }
  if (message.returnPath !== undefined && !MESSAGE_ID.test(message.returnPath)) {
    throw new SendError('EMESSAGE', `invalid return path ${JSON.stringify(message.returnPath)}`);
  }
  const out: string[] = [];
  for (const [name, value] of Object.entries(message.headers)) {
    if (!FIELD_NAME.test(name)) throw new SendError('EMESSAGE', `invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n]/.test(value)) throw new SendError('EMESSAGE', `header ${name} contains CR/LF`);
    const verbatim = PLAIN_VALUE.test(value) && name.length + 2 + value.length <= 998;
    if (value.trim() !== '') out.push(verbatim ? `${fieldName(name)}: ${value}` : headerLine(name, value));
  }
  out.push(headerLine('From', message.from), headerLine('To', message.to));
  if (message.replyTo) out.push(headerLine('Reply-To', message.replyTo));
  out.push(
    headerLine('Subject', message.subject.replace(/\r?\n|\r/g, ' ')),
    headerLine('Message-ID', `<${message.messageId}>`),
    `Date: ${new Date().toUTCString().replace(/GMT/, '+0000')}`,
    MIME_HEADERS,
  );
  const envelope = { from: message.returnPath ?? senderAddress(message.from), to: envelopeAddress('To', message.to) };
  return { header: out.join('\r\n'), envelope };
}

/** The raw message and its envelope, built once (the bytes that go over SMTP), DKIM-signed when asked. */
export async function buildRaw(message: OutgoingMessage, dkim?: DkimSign): Promise<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
  const { header, envelope } = messageHeaders(message);
  const text = encodeBody(message.text);
  const html = encodeBody(message.html);
  const textHead = PART_HEADS.text[text.encoding];
  const htmlHead = PART_HEADS.html[html.encoding];
  let signature = '';
  if (dkim) {
    // the part heads, the line between and the close have no whitespace to fold: they are their own canonical form
    const bh = bodyHash([textHead, relaxedPart(text.bytes), BETWEEN, htmlHead, relaxedPart(html.bytes), CLOSE]);
    try {
      signature = await dkim(header, bh);
    } catch (err) {
      throw new SendError('EMESSAGE', `the message could not be signed: ${(err as Error).message}`);
    }
  }
  const raw = Buffer.concat([Buffer.from(signature + header, 'latin1'), HEADER_END, textHead, text.bytes, BETWEEN, htmlHead, html.bytes, CLOSE]);
  return { raw, envelope: { from: envelope.from, to: envelope.to } };
}
