// Ctrl-C (SIGINT) or SIGTERM to a long command: the first asks it to stop at its next safe point (a
// signal its work watches); a second one, with the handlers gone, ends the process at once.
import type { Logger } from '../log/logger.ts';

/** Runs `body` with a signal the first SIGINT or SIGTERM aborts, saying so with `stopping` (event, message). */
export async function untilInterrupted<T>(log: Logger, stopping: { event: string; msg: string }, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    log.warn({ event: stopping.event, signal }, stopping.msg);
    stop.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await body(stop.signal);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
