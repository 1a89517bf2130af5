// Creates a new embedded database folder and exits:  node create-main.js <pgdata>
// Run by the host (host.ts) in a short-lived process of its own, because PGlite creates a
// database by running initdb's WebAssembly in the process that opens it, and the memory that takes
// (~500 MB resident) is never given back: a host that created its folder would carry it for as long
// as it runs. The host holds the DATA_DIR lock meanwhile; nothing else opens the folder.
import { PGlite } from '@electric-sql/pglite';

const [pgdata] = process.argv.slice(2);
if (!pgdata) {
  console.error('usage: create-main.js <pgdata>');
  process.exit(2);
}
const db = new PGlite(pgdata);
await db.waitReady;
await db.close();
