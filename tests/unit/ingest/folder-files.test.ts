// The one folder walk (read-input.ts folderFiles): what `paperboy ingest <folder>` and a scheduled
// folder source read, in what order, and how a missing path is refused.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expandInput, folderFiles, InputError } from '../../../src/ingest/read-input.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-folder-'));
  for (const name of ['b.json', 'a.txt', '.hidden.json', '10.txt']) await writeFile(path.join(dir, name), 'x');
  await mkdir(path.join(dir, 'nested'));
  await writeFile(path.join(dir, 'nested', 'inner.txt'), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('a folder: its regular, non-hidden files in name order, not its folders', async () => {
  expect((await folderFiles(dir)).map((f) => path.basename(f))).toEqual(['10.txt', 'a.txt', 'b.json']);
});

test('a file is itself', async () => {
  const file = path.join(dir, 'a.txt');
  expect(await folderFiles(file)).toEqual([file]);
});

test('a missing path is INPUT_NOT_FOUND, without the path in the message (the caller names it)', async () => {
  const err = await folderFiles(path.join(dir, 'missing')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).code).toBe('INPUT_NOT_FOUND');
  expect((err as InputError).message).toBe('no such file or folder');
});

test('a URL is read as a URL, never walked', async () => {
  expect(await expandInput('https://example.org/papers.json')).toEqual(['https://example.org/papers.json']);
});
