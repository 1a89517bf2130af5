// Every test file belongs to one of the three layers vitest.config.ts runs (unit, integration,
// browser): a test file anywhere else would silently never run.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const LAYERS = ['tests/unit/', 'tests/integration/', 'tests/browser/'];

describe('test layers', () => {
  it('every *.test.ts under tests/ is in tests/unit, tests/integration or tests/browser', async () => {
    const files = (await readdir(path.join(root, 'tests'), { recursive: true }))
      .map((f) => `tests/${String(f).split(path.sep).join('/')}`)
      .filter((f) => f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(40);
    expect(files.filter((f) => !LAYERS.some((layer) => f.startsWith(layer)))).toEqual([]);
  });
});
