// Three layers, all run by `npm test` (`vitest run`); one at a time with `--project <name>`:
//   unit         the pure core: no database, no browser, no global setup (npm run test:unit);
//                worker threads sharing their module cache (isolate: false): pure code only
//   integration  PostgreSQL on 127.0.0.1:5432 and the embedded cluster, real processes and SMTP;
//                files share their worker's module cache too (no test mocks a module or keeps
//                state in one: each builds its own context, database and servers)
//   browser      pages and emails in Debian's Chromium
// The integration and browser layers share one global setup (tests/support/global-setup.ts) that
// builds, or reuses from an earlier run, the migrated template databases. Two files at a time (one
// per core: Vitest's default here would be one); more made the timing-sensitive tests flaky on a
// busy 2-core machine without finishing sooner.
import { defineConfig } from 'vitest/config';

const setup = ['tests/support/global-setup.ts'];
/** as every paperboy process runs (src/cli/memory.ts): Prisma's WebAssembly by the baseline compiler */
const execArgv = ['--liftoff-only'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // nothing in a test reaches the internet: no host name resolves but localhost (child processes: cli.ts)
    setupFiles: ['tests/support/offline.mjs'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], pool: 'threads', isolate: false } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], globalSetup: setup, execArgv, isolate: false } },
      { extends: true, test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], globalSetup: setup, execArgv } },
    ],
  },
});
