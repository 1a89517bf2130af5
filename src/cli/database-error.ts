// A database that cannot be reached or refuses us, said as the operator can act on it: which
// DATABASE_URL (redacted), what went wrong, what to do next — on one line. Pure: the error and the
// URL in, the line out (null when the error is not about reaching the database).
import { redactUrl } from '../security/redact.ts';

/** Errno codes of a connection that could not be made or was lost. */
const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

interface Found {
  code?: string;
  message: string;
}

/** The error and its causes (pg errors arrive wrapped by Prisma's adapter, or in an AggregateError). */
function* chain(err: unknown, depth = 0): Generator<Found> {
  if (depth > 5 || !(err instanceof Error)) return;
  const code = (err as { code?: unknown }).code;
  yield { code: typeof code === 'string' ? code : undefined, message: err.message };
  if (err instanceof AggregateError) for (const inner of err.errors) yield* chain(inner, depth + 1);
  yield* chain((err as { cause?: unknown }).cause, depth + 1);
}

function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  } catch {
    return '?';
  }
}

export function databaseErrorLine(err: unknown, databaseUrl: string | undefined): string | null {
  if (!databaseUrl) return null; // the embedded database says its own words
  const where = `DATABASE_URL (${redactUrl(databaseUrl)})`;
  for (const { code, message } of chain(err)) {
    if (code && NETWORK[code]) {
      return (
        `cannot reach the database at ${where}: ${NETWORK[code]}. Is PostgreSQL running there? Check the host and port in DATABASE_URL, then run ` +
        `the command again.`
      );
    }
    if (code === '3D000' || /database ".*" does not exist/.test(message)) {
      const name = databaseName(databaseUrl);
      return (
        `the database "${name}" named by ${where} does not exist: create it (createdb ${name}, or CREATE DATABASE) or fix DATABASE_URL, then run ` +
        `\`paperboy migrate\`.`
      );
    }
    if (code === '28P01' || code === '28000' || /password authentication failed|role ".*" does not exist|no pg_hba\.conf entry/.test(message)) {
      return `PostgreSQL refused the login of ${where}: ${message.split('\n')[0]}. Check the user and password in DATABASE_URL (and pg_hba.conf).`;
    }
    if (code === '57P03' || code === '53300') {
      return `the database at ${where} is not taking connections (${message.split('\n')[0]}): try again in a moment.`;
    }
    if (/^08/.test(code ?? '') || /Connection terminated|server closed the connection|self[- ]signed certificate|does not support SSL/i.test(message)) {
      return (
        `lost or could not set up the connection to the database at ${where}: ${message.split('\n')[0]}. Check that PostgreSQL is up and ` +
        `DATABASE_URL is right (sslmode?), then run the command again.`
      );
    }
  }
  return null;
}
