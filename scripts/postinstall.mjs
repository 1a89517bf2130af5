// npm install's last step (postinstall): the Prisma client (src/db/generated) and dist/, from the
// TypeScript source. An installed image has no source, only the dist/ its build stage compiled
// (Dockerfile: `npm ci --omit=dev` beside a copied dist/): then there is nothing to generate or build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(root, 'src/cli/main.ts'))) {
  console.log(
    existsSync(path.join(root, 'dist/cli/main.js'))
      ? 'postinstall: dist/ only (no TypeScript source): nothing to generate or build'
      : 'postinstall: neither src/ nor dist/ here: nothing to do',
  );
  process.exit(0);
}
for (const script of ['db:generate', 'build']) {
  const run = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
