// npm run env:example — rewrites .env.example and the README's table of variables from
// src/config/variables.ts (a test fails when either is out of date).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderEnvExample, withVariablesTable } from '../src/config/env-example.ts';

const root = path.resolve(import.meta.dirname, '..');
await writeFile(path.join(root, '.env.example'), renderEnvExample());
const readme = path.join(root, 'README.md');
await writeFile(readme, withVariablesTable(await readFile(readme, 'utf8')));
console.log('wrote .env.example and the variables table of README.md');
