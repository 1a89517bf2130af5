#!/usr/bin/env node
// `npx paperboy …` inside the clone. Runs the compiled dist/ when it is newer than the source
// (npm install builds it), otherwise the TypeScript source through tsx: an edit is never ignored.
// Without the source (the Docker image: dist/ only), dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function distIsFresh() {
  if (!existsSync(path.join(root, 'src/cli/main.ts'))) return existsSync(path.join(root, 'dist/cli/main.js'));
  const stamp = path.join(root, 'dist/.build-stamp');
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  for (const file of readdirSync(path.join(root, 'src'), { recursive: true })) {
    if (statSync(path.join(root, 'src', String(file))).mtimeMs > built) return false;
  }
  return true;
}

if (distIsFresh()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
