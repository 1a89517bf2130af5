// What a failed send means for the message, for both send queues: one reading of the SendError
// (deliver/types.ts: where the send stopped, the reply code). Each queue decides from it what to
// record — a digest's delivery keeps an unknown outcome for an operator (exactly once), a
// subscription mail tries again (at least once).
import { SendError } from '../types.ts';

export type SendFailure =
  /** nothing of the message can have reached the relay: the send stopped before its data ended (a stop, a handed mark that failed); no try counted */
  | 'untried'
  /** the message data ended and no reply came: the relay may or may not have it */
  | 'unknown'
  /** refused for good (5xx): the same message will never be accepted */
  | 'permanent'
  /** a temporary error (4xx, connection, timeout before the end of the data): try again later */
  | 'temporary';

/** Any error a mailer rejected with, as a SendError (one it does not know is EUNKNOWN: temporary). */
export function asSendError(err: unknown): SendError {
  return err instanceof SendError ? err : new SendError('EUNKNOWN', String((err as Error)?.message ?? err));
}

export function classifySendFailure(error: SendError): SendFailure {
  if (error.code === 'EHANDOVER') return 'untried';
  if (error.unknownOutcome) return 'unknown';
  if (error.code === 'EABORTED') return 'untried';
  return error.permanent ? 'permanent' : 'temporary';
}
