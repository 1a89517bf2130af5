// Turns whatever nodemailer rejects with into a SendError with one of our stable codes, keeping
// the SMTP reply (code and text) whenever the server answered. nodemailer's codes come from its
// lib/errors.js; its SMTP client sets `responseCode`/`response` from the reply that failed the
// step and `command` to the step ('CONN', 'MAIL FROM', 'RCPT TO', 'DATA', 'AUTH PLAIN' …).
import { SendError, type SendErrorCode } from './types.ts';

/**
 * The server refused the sender (MAIL FROM), not the recipient: code EENVELOPE as the contract
 * says, but never a hard bounce — a misconfigured MAIL_FROM must not mark every subscriber bounced.
 */
export class SenderRefusedError extends SendError {
  override get hardBounce(): boolean {
    return false;
  }
}

interface NodemailerErrorLike {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNECTION', // nodemailer: connection closed unexpectedly, server closed it (421), pool closed
  'ESOCKET', // nodemailer: socket error (ECONNREFUSED, ECONNRESET, EPIPE … in originalCode)
  'EDNS',
  'EPROXY',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Node's TLS failures reach nodemailer as ESOCKET with these in `originalCode`. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)|ERR_OSSL)/;

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The reply code nodemailer parsed, or the one at the start of the reply text. */
function replyCode(e: NodemailerErrorLike, response: string | null): number | null {
  if (typeof e.responseCode === 'number' && e.responseCode >= 200 && e.responseCode < 600) return e.responseCode;
  const m = response ? /^([2-5]\d\d)[ -]/.exec(response) : null;
  return m ? Number(m[1]) : null;
}

function classify(e: NodemailerErrorLike, responseCode: number | null): SendErrorCode | 'SENDER' {
  const code = str(e.code) ?? '';
  const original = str(e.originalCode) ?? '';
  const command = str(e.command) ?? '';
  const message = str(e.message) ?? '';
  if (TLS_CODE.test(original) || TLS_CODE.test(code)) return 'ETLS';
  switch (code) {
    case 'ETIMEDOUT':
      return 'ETIMEDOUT';
    case 'ETLS':
    case 'EREQUIRETLS':
      return 'ETLS';
    case 'EAUTH':
    case 'ENOAUTH':
    case 'EOAUTH2':
      return 'EAUTH';
    case 'EMESSAGE':
      return 'EMESSAGE';
    case 'EPROTOCOL':
      return 'EPROTOCOL';
    case 'EENVELOPE':
      // a refused DATA command is a refusal of the message, not of the recipient
      if (command === 'DATA') return 'EMESSAGE';
      if (command === 'MAIL FROM') return responseCode === 530 ? 'EAUTH' : 'SENDER';
      return 'EENVELOPE';
  }
  if (original === 'ETIMEDOUT') return 'ETIMEDOUT';
  if (CONNECTION_CODES.has(code) || CONNECTION_CODES.has(original)) return 'ECONNECTION';
  if (/connection closed unexpectedly|connection pool was closed/i.test(message)) return 'ECONNECTION';
  return 'EUNKNOWN';
}

/** Maps any nodemailer (or Node) error to a SendError; a SendError passes through unchanged. */
export function toSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  if (typeof err !== 'object' || err === null) return new SendError('EUNKNOWN', String(err));
  const e = err as NodemailerErrorLike;
  const response = str(e.response);
  const responseCode = replyCode(e, response);
  const message = str(e.message) ?? 'sending failed';
  const code = classify(e, responseCode);
  if (code === 'SENDER') return new SenderRefusedError('EENVELOPE', message, responseCode, response);
  return new SendError(code, message, responseCode, response);
}
