// The migration that cleans topics stored before the forms cleaned them (topics_cleaned): on a real
// PostgreSQL, rows written as an older paperboy wrote them come out as the forms would store them
// now — the same cleaning as cleanText (bidi controls and zero-width characters out, controls and
// whitespace one space, trimmed), blank topics gone, repeats (ignoring case) once — and muted topics
// still name their topic. The SQL's character classes are checked against cleanText on random text.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations, type Migration } from '../../../src/db/migrate.ts';
import { cleanText } from '../../../src/ingest/clean-text.ts';
import { freshPostgresUrl } from '../../support/databases.ts';
import { silentLogger } from '../../support/logs.ts';

const NAME = '20261203131200_topics_cleaned';

/** What the forms store for these lines now: cleaned, blanks out, the first of each (any case). */
function storedNow(topics: string[]): string[] {
  const seen = new Set<string>();
  return topics.map(cleanText).filter((t) => {
    if (t === '' || seen.has(t.toLowerCase())) return false;
    seen.add(t.toLowerCase());
    return true;
  });
}

describe('migration topics_cleaned (PostgreSQL)', () => {
  let client: pg.Client;
  let migration: Migration;
  let url = '';

  beforeAll(async () => {
    url = await freshPostgresUrl();
    const all = await readMigrations();
    const at = all.findIndex((m) => m.name === NAME);
    expect(at).toBeGreaterThan(0);
    migration = all[at]!;
    await migrate({ connectionString: url }, silentLogger(), all.slice(0, at)); // the database as an older paperboy left it
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(() => client?.end());

  const insert = async (email: string, topics: string[], muted: string[] | null = []) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO subscriber (email, email_key, topics, muted_topics, status, token_nonce, updated_at) VALUES ($1, $1, $2, $3, 'active', 'n', ` +
        `now()) RETURNING id`,
      [email, topics, muted],
    );
    return rows[0]!.id;
  };
  const topicsOf = async (id: number) =>
    (await client.query<{ topics: string[]; muted: string[] | null }>('SELECT topics, muted_topics AS muted FROM subscriber WHERE id = $1', [id])).rows[0];

  it('cleans what the forms now clean, keeps what they keep, and touches no clean row', async () => {
    const spoof = await insert(
      'a@example.org',
      ['scaling \u202Egnp.exe\u202C laws', 'qu\u200Bantum', 'Scaling\u00A0gnp.exe   laws', '\u200B\u2060', 'tab\tand\u0007bell'],
      ['qu\u200Bantum'],
    );
    const clean = await insert('b@example.org', ['scaling laws', 'quantum -gravity'], null);
    const joiner = await insert('c@example.org', ['\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645']);
    const before = (await client.query<{ xmin: string }>('SELECT xmin FROM subscriber WHERE id = $1', [clean])).rows[0]!.xmin;
    await migrate({ connectionString: url }, silentLogger(), [migration]);
    expect(await topicsOf(spoof)).toEqual({ topics: ['scaling gnp.exe laws', 'quantum', 'tab and bell'], muted: ['quantum'] });
    expect(await topicsOf(clean)).toEqual({ topics: ['scaling laws', 'quantum -gravity'], muted: null });
    expect(await topicsOf(joiner)).toEqual({ topics: ['\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'], muted: [] }); // joiners stay, as in titles
    expect((await client.query<{ xmin: string }>('SELECT xmin FROM subscriber WHERE id = $1', [clean])).rows[0]!.xmin).toBe(before); // not rewritten
  });

  it('agrees with cleanText on random text of letters, spaces, controls and invisible characters', async () => {
    const alphabet = [
      'a',
      'B',
      'é',
      ' ',
      '\t',
      '\n',
      '\u00A0',
      '\u2003',
      '\u3000',
      '\u0007',
      '\u001F',
      '\u0085',
      '\u009F',
      '\u00AD',
      '\u200B',
      '\u200C',
      '\u200E',
      '\u202E',
      '\u2066',
      '\u2069',
      '\uFEFF',
      '\u2060',
      '\u061C',
      '<',
      '&',
    ];
    const topic = fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((cs) => cs.join(''));
    const sql = migration.sql.slice(0, migration.sql.indexOf('UPDATE')); // the cleaning function alone
    await fc.assert(
      fc.asyncProperty(fc.array(topic, { maxLength: 6 }), async (topics) => {
        await client.query('BEGIN');
        try {
          await client.query(sql);
          const { rows } = await client.query<{ cleaned: string[] }>('SELECT pg_temp.paperboy_clean_topics($1::text[]) AS cleaned', [topics]);
          expect(rows[0]!.cleaned).toEqual(storedNow(topics));
        } finally {
          await client.query('ROLLBACK');
        }
      }),
      { numRuns: 200, seed: 19 },
    );
  });
});
