// The line a CLI failure to reach DATABASE_URL becomes (src/cli/database-error.ts).
import { describe, expect, it } from 'vitest';
import { databaseErrorLine } from '../../../src/cli/database-error.ts';

const URL = 'postgres://paperboy:hunter2-pw@db.example.org:5432/papers?sslmode=require';
const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('databaseErrorLine', () => {
  it('a wrong password names DATABASE_URL without the password, and what to check', () => {
    const line = databaseErrorLine(pgError('password authentication failed for user "paperboy"', '28P01'), URL);
    expect(line).toBe(
      'PostgreSQL refused the login of DATABASE_URL (postgres://***@db.example.org:5432/papers?***): password authentication failed for user "paperboy". Check the user and password in DATABASE_URL (and pg_hba.conf).',
    );
    expect(line).not.toContain('hunter2');
  });

  it('finds the pg error inside a wrapper (Prisma adapter, AggregateError of each address)', () => {
    const refused = Object.assign(new AggregateError([pgError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''), { code: 'ECONNREFUSED' });
    expect(databaseErrorLine(new Error('query failed', { cause: refused }), URL)).toMatch(
      /^cannot reach the database at DATABASE_URL \(postgres:\/\/\*\*\*@db\.example\.org:5432\/papers\?\*\*\*\): connection refused\. /,
    );
    expect(databaseErrorLine(new Error('x', { cause: pgError('getaddrinfo ENOTFOUND db.example.org', 'ENOTFOUND') }), URL)).toMatch(/host not found/);
  });

  it('a connection lost in the middle says so; the server starting up says try again', () => {
    expect(databaseErrorLine(new Error('Connection terminated unexpectedly'), URL)).toMatch(
      /^lost or could not set up the connection to the database at DATABASE_URL/,
    );
    expect(databaseErrorLine(pgError('the database system is starting up', '57P03'), URL)).toMatch(/not taking connections .*try again in a moment\.$/);
  });

  it('other errors, and the embedded database (no DATABASE_URL), are left to their own words', () => {
    expect(databaseErrorLine(new Error('no subscriber x@example.org'), URL)).toBeNull();
    expect(databaseErrorLine(pgError('duplicate key value', '23505'), URL)).toBeNull();
    expect(databaseErrorLine(pgError('connect ECONNREFUSED', 'ECONNREFUSED'), undefined)).toBeNull();
  });
});
