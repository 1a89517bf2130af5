// .env.example and the README list exactly the variables src/config reads, with their defaults.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderEnvExample, withVariablesTable } from '../../../src/config/env-example.ts';
import { variables } from '../../../src/config/variables.ts';

const root = path.resolve(import.meta.dirname, '../../..');

describe('documentation of the configuration', () => {
  it('.env.example is generated from the variables table (npm run env:example)', async () => {
    expect(await readFile(path.join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  it("the README's table is too", async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    expect(readme).toBe(withVariablesTable(readme));
  });

  it('names exactly the variables config reads', async () => {
    const example = await readFile(path.join(root, '.env.example'), 'utf8');
    const named = [...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(named.sort()).toEqual(Object.keys(variables).sort());
  });

  it('no module outside src/config reads process.env', async () => {
    const { execFileSync } = await import('node:child_process');
    const hits = execFileSync('git', ['grep', '-n', 'process\\.env', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    const outside = hits.filter((line) => !line.startsWith('src/config/') && !line.startsWith('src/db/generated/'));
    expect(outside).toEqual([]);
  });
});
