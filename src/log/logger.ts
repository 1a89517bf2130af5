// Structured logs: one JSON line per event on stderr, with a stable `event` name people alert on
// (see CONTEXT.md "Events"). Human output (tables, paths) goes to stdout, never through here.
import { createHash } from 'node:crypto';
import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: LevelWithSilent;
  /** pretty, coloured lines: only for a person at a terminal */
  pretty?: boolean;
  /** where JSON lines go (default stderr); tests pass a stream to read them back */
  destination?: pino.DestinationStream;
  base?: Record<string, unknown>;
}

export function createLogger({ level, pretty = false, destination, base }: LoggerOptions): Logger {
  const options = {
    level,
    base: base ?? { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } } });
  }
  return pino(options, destination ?? pino.destination({ fd: 2, sync: true }));
}

/** "alice@example.org" → "a***@example.org#1f2e3d4c": enough to follow one address through the logs. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const hash = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 8);
  if (at < 1) return `***#${hash}`;
  return `${email[0]}***${email.slice(at)}#${hash}`;
}
