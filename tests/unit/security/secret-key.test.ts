// DATA_DIR/secret.key: generated once, kept; an empty file (a write cut short) generated again; a
// key too short to sign with refused with one line that names the file.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSecretKey, SecretKeyError } from '../../../src/security/secret-key.ts';

describe('resolveSecretKey', () => {
  let dir: string;
  const file = () => path.join(dir, 'secret.key');
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-key-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('SECRET_KEY wins and no file is written', async () => {
    expect(await resolveSecretKey('a'.repeat(20), dir)).toEqual({ key: Buffer.from('a'.repeat(20)), generated: false, file: null });
    await expect(stat(file())).rejects.toThrow(/ENOENT/);
  });

  it('generates a key once, readable by its owner only, and keeps it', async () => {
    const first = await resolveSecretKey(undefined, dir);
    expect(first).toMatchObject({ generated: true, file: file() });
    expect(first.key.toString()).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(file())).mode & 0o777).toBe(0o600);
    const again = await resolveSecretKey(undefined, dir);
    expect(again).toMatchObject({ generated: false, key: first.key });
  });

  it.each([
    ['empty', ''],
    ['only whitespace', ' \n'],
  ])('an %s key file gets a new key', async (_name, content) => {
    await writeFile(file(), content);
    const resolved = await resolveSecretKey(undefined, dir);
    expect(resolved).toMatchObject({ generated: true, replacedEmpty: true });
    expect((await readFile(file(), 'utf8')).trim()).toBe(resolved.key.toString());
  });

  it('a key file too short to sign with stops start-up, naming the file and what to do', async () => {
    await writeFile(file(), 'abc\n');
    const error = await resolveSecretKey(undefined, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretKeyError);
    expect((error as Error).message).toBe(
      `${file()}: the signing key is 3 characters, at least 16 are needed; delete the file to have a new one generated (links already mailed ` +
        `stop working) or set SECRET_KEY`,
    );
    expect(await readFile(file(), 'utf8')).toBe('abc\n'); // never overwritten: links may depend on it
  });

  it('an unreadable key file is named too', async () => {
    await mkdir(file()); // a folder where the file should be: unreadable as a file, even for root
    await expect(resolveSecretKey(undefined, dir)).rejects.toThrow(`${file()}: cannot read the signing key (EISDIR); fix its permissions or set SECRET_KEY`);
  });
});
