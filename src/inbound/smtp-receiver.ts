// The built-in receiver for BOUNCE_DOMAIN (BOUNCE_SMTP_PORT): an SMTP server (smtp-server) that takes
// mail only for the signed addresses paperboy issued — refused at RCPT TO otherwise, before any data —
// and hands each message to receiveMessage. A database error answers 451, so the sending MTA tries
// again later: nothing that came back is lost.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { checkRecipient, receiveMessage, type ReceiveDeps } from './receive-message.ts';

export interface ReceiverOptions {
  port: number;
  host: string;
  /** largest message taken, in bytes (a DSN returns at most the original message: ours are small) */
  maxBytes?: number;
}

export interface BounceReceiver {
  port: number;
  close(): Promise<void>;
}

const MAX_BYTES = 2 * 1024 * 1024;

function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startBounceReceiver(deps: ReceiveDeps, options: ReceiverOptions): Promise<BounceReceiver> {
  const { log, metrics } = deps;
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const refused = (reason: string, detail: Record<string, unknown>, message: string) => {
    metrics.inboundRefused(reason, 'smtp');
    log.warn({ event: 'inbound.refused', via: 'smtp', reason, ...detail }, `refused an inbound message: ${message}`);
  };
  const server = new SMTPServer({
    name: deps.verp.domain,
    banner: 'paperboy bounce receiver',
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: maxBytes,
    maxClients: 50,
    logger: false,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const target = checkRecipient(deps.verp, address.address);
      if (typeof target === 'object' && 'reason' in target) {
        refused(target.reason, { rcpt: address.address.replace(/\+.*@/, '+…@'), remote: session.remoteAddress }, target.message);
        return callback(reply(550, `5.1.1 ${target.message}`));
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          refused('too_large', { remote: session.remoteAddress }, `larger than ${maxBytes} bytes`);
          return callback(reply(552, `5.3.4 message larger than ${maxBytes} bytes`));
        }
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        receiveMessage(deps, Buffer.concat(chunks), recipients).then(
          (outcome) => {
            if (!outcome.accepted) {
              refused(outcome.reason, { remote: session.remoteAddress }, outcome.message);
              return callback(reply(550, `5.6.0 ${outcome.message}`));
            }
            callback(null, 'report handled');
          },
          (err: unknown) => {
            log.error({ event: 'inbound.failed', via: 'smtp', err }, 'could not handle an inbound message: answered 451 (the sender tries again)');
            callback(reply(451, '4.3.0 temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => log.warn({ event: 'inbound.receiver_error', err }, `bounce receiver: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  log.info({ event: 'inbound.listening', port, domain: deps.verp.domain }, `bounce receiver for ${deps.verp.domain} on port ${port}`);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
