// Loggers for tests: silent, or capturing every JSON line so a test can assert on events.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/logger.ts';

export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}

export interface CapturedLog {
  log: Logger;
  lines: Array<Record<string, unknown> & { event?: string; level: string; msg?: string }>;
  events(name: string): Array<Record<string, unknown>>;
}

export function capturingLogger(level: 'debug' | 'info' = 'info'): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as CapturedLog['lines'][number]);
      done();
    },
  });
  const log = createLogger({ level, destination: stream });
  return { log, lines, events: (name) => lines.filter((l) => l.event === name) };
}
