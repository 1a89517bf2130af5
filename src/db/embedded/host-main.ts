// Entry point of the embedded database host process (spawned by connect.ts, detached):
//   node --import tsx src/db/embedded/host-main.ts <DATA_DIR> <idle-ms> <log-level>
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { createLogger } from '../../log/logger.ts';
import { HOST_EXIT, runEmbeddedHost } from './host.ts';
import { embeddedPaths } from './paths.ts';

const [dataDir, idle = '30000', level = 'info'] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: host-main.ts <DATA_DIR> [idle-ms] [log-level]');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
const log = createLogger({
  level: level as 'info',
  destination: pino.destination({ dest: embeddedPaths(dataDir).log, append: true, sync: true }),
  base: { pid: process.pid, component: 'embedded-db' },
});

try {
  process.exitCode = await runEmbeddedHost({ dataDir, idleMs: Number(idle), log });
} catch (err) {
  log.fatal({ event: 'embedded.failed', err }, 'embedded database host failed');
  process.exitCode = HOST_EXIT.failed;
}
