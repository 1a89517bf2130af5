// The message as it goes over the wire, shared by both Mailers: the nodemailer options for an
// OutgoingMessage (checked: nothing a reader typed can start a header of its own) and the raw bytes
// built from them once, DKIM-signed when asked. The SMTP Mailer sends these bytes; the outbox Mailer
// writes the same bytes to its .eml files.
import MailComposer from 'nodemailer/lib/mail-composer';
import type { SendMailOptions } from 'nodemailer';
import type { DkimSign } from './dkim.ts';
import { SendError, type OutgoingMessage } from './types.ts';

/** RFC 5322 field name: printable US-ASCII except the colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** a value nodemailer may pass through untouched: printable ASCII and spaces/tabs, no CR/LF */
const PLAIN_VALUE = /^[\x20-\x7e\t]*$/;
const MESSAGE_ID = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * The nodemailer message for an OutgoingMessage, shared by the SMTP and the outbox Mailer so the
 * .eml files carry exactly the headers SMTP would send. Extra header values that are plain ASCII go
 * out verbatim and unfolded (a List-Unsubscribe URL stays on one line); others are MIME-encoded by
 * nodemailer. CR/LF in an extra header is refused (the contract forbids it); CR/LF in the subject
 * is turned into a space by nodemailer, so it can never start a header of its own.
 */
export function toMailOptions(message: OutgoingMessage): SendMailOptions {
  if (!MESSAGE_ID.test(message.messageId)) {
    throw new SendError('EMESSAGE', `invalid Message-ID ${JSON.stringify(message.messageId)} (want local@domain, no brackets)`);
  }
  if (message.returnPath !== undefined && !MESSAGE_ID.test(message.returnPath)) {
    throw new SendError('EMESSAGE', `invalid return path ${JSON.stringify(message.returnPath)}`);
  }
  const headers: Record<string, string | { prepared: true; value: string }> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (!FIELD_NAME.test(name)) throw new SendError('EMESSAGE', `invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n]/.test(value)) throw new SendError('EMESSAGE', `header ${name} contains CR/LF`);
    const verbatim = PLAIN_VALUE.test(value) && name.length + 2 + value.length <= 998;
    headers[name] = verbatim ? { prepared: true, value } : value;
  }
  return {
    from: message.from,
    to: message.to,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: `<${message.messageId}>`,
    headers,
    ...(message.returnPath ? { envelope: { from: message.returnPath, to: message.to } } : {}),
    // the bodies are strings we rendered: never let nodemailer read files or fetch URLs for them
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * Every line ended by CRLF, as RFC 5322 wants and SMTP sends it: nodemailer keeps a body's own bare
 * LFs (quoted-printable text), which the SMTP client would turn into CRLF only after signing, and an
 * .eml file would keep as they are.
 */
function withCrlf(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  return /(?<!\r)\n/.test(text) ? Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1') : raw;
}

/** The raw message and its envelope, built once (the bytes that go over SMTP), DKIM-signed when asked. */
export async function buildRaw(message: OutgoingMessage, dkim?: DkimSign): Promise<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
  const node = new MailComposer(toMailOptions(message)).compile();
  const envelope = node.getEnvelope() as { from: string | false; to: string[] };
  const built = withCrlf(await new Promise<Buffer>((resolve, reject) => node.build((err, buf) => (err ? reject(err) : resolve(buf)))));
  let raw = built;
  if (dkim) {
    try {
      raw = await dkim(built);
    } catch (err) {
      throw new SendError('EMESSAGE', `the message could not be signed: ${(err as Error).message}`);
    }
  }
  return { raw, envelope: { from: envelope.from || '', to: envelope.to } };
}
