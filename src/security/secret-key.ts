// SECRET_KEY, or one generated once and kept in DATA_DIR/secret.key (readable by its owner only).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function resolveSecretKey(configured: string | undefined, dataDir: string): Promise<{ key: Buffer; generated: boolean; file: string | null }> {
  if (configured) return { key: Buffer.from(configured, 'utf8'), generated: false, file: null };
  const file = path.join(dataDir, 'secret.key');
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (text.length >= 32) return { key: Buffer.from(text, 'utf8'), generated: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  try {
    // 'wx': if another process wrote it first, use theirs
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { key: Buffer.from((await readFile(file, 'utf8')).trim(), 'utf8'), generated: false, file };
  }
  return { key: Buffer.from(key, 'utf8'), generated: true, file };
}
