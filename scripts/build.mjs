// npm run build (and postinstall): compiles src/ to dist/ with tsc, copies the plain-JS and static
// files, and stamps the build. bin/paperboy.js runs dist/ when it is newer than every source file,
// else the TypeScript source through tsx — so a build is an optimisation (about half the start-up
// time and 60 MB less memory per process), never a step you can forget.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const tscBin = path.join(root, 'node_modules/typescript/bin/tsc');
if (!existsSync(tscBin)) {
  // `npm install --omit=dev`: no compiler. dist/ is left as it is (bin/ runs the source through tsx
  // when dist/ is missing or older than the source); the Dockerfile builds dist/ in a stage of its own.
  console.log('build: typescript is not installed (--omit=dev): dist/ left as it is');
  process.exit(0);
}
rmSync(stamp, { force: true });

const tsc = spawnSync(process.execPath, [tscBin, '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (!existsSync(path.join(dist, 'cli/main.js'))) {
  console.error('build: tsc emitted nothing; paperboy will run from the TypeScript source');
  process.exit(0); // never fail an install over it: bin/ falls back to the source
}
if (tsc.status !== 0) console.error('build: tsc reported type errors (see above); dist/ was emitted anyway — run npm run typecheck');

// Files tsc does not emit: plain ES modules and static assets next to the code that uses them.
for (const file of readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!file.isFile()) continue;
  const from = path.join(file.parentPath ?? file.path, file.name);
  const rel = path.relative(path.join(root, 'src'), from);
  if (/\.(mjs|css|svg|ico|png|html|txt|webmanifest)$/.test(file.name) || rel.split(path.sep).includes('public')) {
    cpSync(from, path.join(dist, rel));
  }
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.log('build: dist/ is up to date');
