// Noticing that the relay works again. A mailer wrapped here remembers a send that failed for a
// reason of the relay's own — it could not be reached, timed out, or said it is unavailable (421),
// or refused the login or TLS — as opposed to one recipient's (a 4xx or 5xx at RCPT TO, a 5xx for
// the message); the next message it accepts calls `onBack` once. `serve` wires it to the
// subscription mails' loop, so mails waiting on a long backoff are tried as soon as the relay is back
// (a digest's delivery that goes through counts as much as a subscription mail).
import { SendError, type Mailer } from './types.ts';

/** A failure that says nothing about the recipient: the relay itself could not take mail then. */
export function relayTrouble(err: unknown): boolean {
  if (!(err instanceof SendError) || err.code === 'EABORTED' || err.code === 'EHANDOVER') return false;
  if (err.responseCode === 421) return true;
  return err.responseCode === null && ['ECONNECTION', 'ETIMEDOUT', 'EAUTH', 'ETLS', 'EPROTOCOL'].includes(err.code);
}

export function watchRelay(mailer: Mailer, onBack: () => void): Mailer {
  let failing = false;
  return {
    kind: mailer.kind,
    description: mailer.description,
    async send(message, hooks) {
      try {
        const receipt = await mailer.send(message, hooks);
        if (failing) {
          failing = false;
          onBack();
        }
        return receipt;
      } catch (err) {
        if (relayTrouble(err)) failing = true;
        throw err;
      }
    },
    close: () => mailer.close(),
  };
}
