// Noticing the relay coming back (deliver/relay-watch.ts): after a failure of the relay's own (no
// connection, a timeout, 421), the next accepted message calls onBack — once; a recipient's refusal
// (4xx or 5xx at RCPT TO, a 5xx for the message) says nothing about the relay and calls nothing.
import { describe, expect, it } from 'vitest';
import { relayTrouble, watchRelay } from '../../../src/deliver/relay-watch.ts';
import { SendError, type Mailer, type OutgoingMessage } from '../../../src/deliver/types.ts';

const message = { to: 'a@example.org' } as OutgoingMessage;

function scripted(outcomes: Array<SendError | 'ok'>): Mailer {
  return {
    kind: 'smtp',
    description: 'smtp://relay.test',
    send: () => {
      const next = outcomes.shift();
      return next === 'ok' || next === undefined ? Promise.resolve({ response: '250 ok', messageId: 'm' }) : Promise.reject(next);
    },
    close: () => Promise.resolve(),
  };
}

describe('relayTrouble', () => {
  it.each([
    ['no connection', new SendError('ECONNECTION', 'connect ECONNREFUSED'), true],
    ['a timeout', new SendError('ETIMEDOUT', 'greeting never came'), true],
    ['421 service not available', new SendError('ECONNECTION', 'closed', 421, '421 4.3.2 shutting down'), true],
    ['the login refused', new SendError('EAUTH', 'Invalid login'), true],
    ['451 for one recipient', new SendError('EENVELOPE', 'rejected', 451, '451 try later'), false],
    ['550 user unknown', new SendError('EENVELOPE', 'rejected', 550, '550 no such user'), false],
    ['554 for the message', new SendError('EMESSAGE', 'refused', 554, '554 refused'), false],
    ['this process stopping', new SendError('EABORTED', 'stopping'), false],
    ['not a send error', new Error('boom'), false],
  ])('%s: %s', (_name, err, expected) => {
    expect(relayTrouble(err)).toBe(expected);
  });
});

describe('watchRelay', () => {
  it('calls onBack once, for the first message accepted after the relay failed', async () => {
    let backs = 0;
    const mailer = watchRelay(scripted(['ok', new SendError('ECONNECTION', 'down', 421), new SendError('ETIMEDOUT', 'down'), 'ok', 'ok']), () => backs++);
    await mailer.send(message);
    expect(backs).toBe(0); // it never failed
    await expect(mailer.send(message)).rejects.toThrow('down');
    await expect(mailer.send(message)).rejects.toThrow('down');
    expect(backs).toBe(0);
    await mailer.send(message);
    expect(backs).toBe(1);
    await mailer.send(message);
    expect(backs).toBe(1);
    expect(mailer.description).toBe('smtp://relay.test');
  });

  it('a recipient refused says nothing about the relay', async () => {
    let backs = 0;
    const mailer = watchRelay(scripted([new SendError('EENVELOPE', 'rejected', 451), 'ok']), () => backs++);
    await expect(mailer.send(message)).rejects.toThrow('rejected');
    await mailer.send(message);
    expect(backs).toBe(0);
  });
});
