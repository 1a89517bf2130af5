// Every nodemailer failure maps to one stable SendError code, keeping the server's reply.
import { describe, expect, it } from 'vitest';
import { SenderRefusedError, toSendError } from '../../../src/deliver/smtp-errors.ts';
import { SendError } from '../../../src/deliver/types.ts';

/** an error shaped like the ones nodemailer's SMTP client builds (_formatError) */
function nm(code: string, props: { response?: string; command?: string; originalCode?: string; message?: string } = {}) {
  const err = new Error(props.message ?? `failed${props.response ? `: ${props.response}` : ''}`) as Error & Record<string, unknown>;
  err.code = code;
  if (props.response) {
    err.response = props.response;
    err.responseCode = Number(props.response.slice(0, 3));
  }
  if (props.command) err.command = props.command;
  if (props.originalCode) err.originalCode = props.originalCode;
  return err;
}

describe('toSendError', () => {
  it.each([
    ['ECONNECTION (closed unexpectedly)', nm('ECONNECTION', { command: 'CONN' }), 'ECONNECTION', null],
    ['ESOCKET / ECONNREFUSED', nm('ESOCKET', { originalCode: 'ECONNREFUSED' }), 'ECONNECTION', null],
    ['ESOCKET / ECONNRESET', nm('ESOCKET', { originalCode: 'ECONNRESET' }), 'ECONNECTION', null],
    ['ESOCKET / EPIPE', nm('ESOCKET', { originalCode: 'EPIPE' }), 'ECONNECTION', null],
    ['EDNS', nm('EDNS', { originalCode: 'ENOTFOUND' }), 'ECONNECTION', null],
    ['a bare Node ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'ECONNECTION', null],
    ['421 then close', nm('ECONNECTION', { response: '421 4.3.2 Shutting down', command: 'CONN' }), 'ECONNECTION', 421],
    ['ETIMEDOUT', nm('ETIMEDOUT', { command: 'CONN' }), 'ETIMEDOUT', null],
    ['ESOCKET / ETIMEDOUT', nm('ESOCKET', { originalCode: 'ETIMEDOUT' }), 'ETIMEDOUT', null],
    ['RCPT 550', nm('EENVELOPE', { response: '550 5.1.1 User unknown', command: 'RCPT TO' }), 'EENVELOPE', 550],
    ['RCPT 451', nm('EENVELOPE', { response: '451 4.3.0 Try later', command: 'RCPT TO' }), 'EENVELOPE', 451],
    ['DATA command 554', nm('EENVELOPE', { response: '554 No valid recipients', command: 'DATA' }), 'EMESSAGE', 554],
    ['after-data 554', nm('EMESSAGE', { response: '554 5.6.0 Refused', command: 'DATA' }), 'EMESSAGE', 554],
    ['MAIL FROM 530', nm('EENVELOPE', { response: '530 Authentication required', command: 'MAIL FROM' }), 'EAUTH', 530],
    ['EAUTH 535', nm('EAUTH', { response: '535 5.7.8 Bad credentials', command: 'AUTH PLAIN' }), 'EAUTH', 535],
    ['ENOAUTH', nm('ENOAUTH'), 'EAUTH', null],
    ['ETLS', nm('ETLS', { command: 'STARTTLS' }), 'ETLS', null],
    ['ESOCKET / TLS wrong version', nm('ESOCKET', { originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }), 'ETLS', null],
    ['ESOCKET / expired certificate', nm('ESOCKET', { originalCode: 'CERT_HAS_EXPIRED' }), 'ETLS', null],
    ['EPROTOCOL', nm('EPROTOCOL', { response: '220 odd', command: 'CONN' }), 'EPROTOCOL', 220],
    ['pool closed (no code)', new Error('Connection pool was closed'), 'ECONNECTION', null],
    ['ESTREAM', nm('ESTREAM'), 'EUNKNOWN', null],
    ['a string', 'boom', 'EUNKNOWN', null],
  ] as const)('%s', (_name, input, code, responseCode) => {
    const err = toSendError(input);
    expect(err).toBeInstanceOf(SendError);
    expect(err.code).toBe(code);
    expect(err.responseCode).toBe(responseCode);
  });

  it('keeps the reply text, and the 5xx RCPT refusal is a hard bounce', () => {
    const err = toSendError(nm('EENVELOPE', { response: '550 5.1.1 User unknown', command: 'RCPT TO' }));
    expect(err).toMatchObject({ response: '550 5.1.1 User unknown', permanent: true, hardBounce: true, storedCode: 'smtp:550' });
  });

  it('a refused sender (MAIL FROM 5xx) is EENVELOPE and permanent, but never a hard bounce', () => {
    const err = toSendError(nm('EENVELOPE', { response: '553 5.7.1 Sender not allowed', command: 'MAIL FROM' }));
    expect(err).toBeInstanceOf(SenderRefusedError);
    expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 553, permanent: true, hardBounce: false, storedCode: 'smtp:553' });
  });

  it('reads the reply code from the reply text when responseCode is missing', () => {
    const err = toSendError(Object.assign(new Error('x'), { code: 'EMESSAGE', response: '452 4.3.1 Insufficient storage' }));
    expect(err).toMatchObject({ responseCode: 452, permanent: false });
  });

  it('passes a SendError through unchanged', () => {
    const original = new SendError('EOUTBOX', 'disk full');
    expect(toSendError(original)).toBe(original);
  });
});
