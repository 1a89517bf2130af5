// A second process for the two-processes test: many parameterised queries in parallel through one
// pool, each checking it got back its own parameter. Prints one JSON line with the counts.
//   node --import tsx tests/support/query-storm.ts <host> <port> <queries>
import pg from 'pg';

const [host, port, queries = '1000'] = process.argv.slice(2);
const pool = new pg.Pool({ host, port: Number(port), user: 'postgres', database: 'postgres', max: 4 });
let wrong = 0;
let errors = 0;
let firstError: string | null = null;
await Promise.all(
  Array.from({ length: Number(queries) }, async (_, i) => {
    const tag = `${process.pid}-${i}`;
    try {
      // Two statement shapes, so an interleaved Bind would meet the wrong statement.
      const result = await pool.query(i % 2 ? 'SELECT $1::text AS v' : 'SELECT $1::text AS v, count(*) AS n FROM snapshot', [tag]);
      if (result.rows[0]?.v !== tag) wrong++;
    } catch (err) {
      errors++;
      firstError ??= (err as Error).message;
    }
  }),
);
await pool.end();
console.log(JSON.stringify({ wrong, errors, firstError }));
