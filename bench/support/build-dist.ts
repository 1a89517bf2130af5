// `paperboy` runs the compiled dist/ only when it is newer than every source file (bin/paperboy.js);
// otherwise the TypeScript source through tsx, whose loader thread and transformed modules cost each
// process 30–60 MB more (bench/README.md, scale: the memory of a serve). A worktree with an edit, or
// after `npm run db:generate`, has a stale dist/: the benchmarks that start paperboy processes build it
// first, so what they measure is what `npm install && npm start` runs.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export function buildDist(): void {
  const started = Date.now();
  const run = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stamp = path.join(root, 'dist/.build-stamp');
  if (run.status !== 0 || !existsSync(stamp) || statSync(stamp).mtimeMs < started - 1000) {
    throw new Error('bench: npm run build did not bring dist/ up to date; paperboy would run the source through tsx (30–60 MB more a process)');
  }
}
