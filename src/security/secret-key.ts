// SECRET_KEY, or one generated once and kept in DATA_DIR/secret.key (readable by its owner only).
// A key file that is empty (a write cut short: nothing was ever signed with it) is generated again;
// one that is too short to sign with, or cannot be read, stops start-up with one line naming it.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The shortest key the token signer takes (security/tokens.ts), as SECRET_KEY's own check. */
const MIN_KEY_CHARS = 16;

export class SecretKeyError extends Error {
  readonly code = 'SECRET_KEY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

export interface ResolvedKey {
  key: Buffer;
  generated: boolean;
  /** the file it came from, when it is not SECRET_KEY */
  file: string | null;
  /** the file was there but empty, and now holds a new key */
  replacedEmpty?: boolean;
}

export async function resolveSecretKey(configured: string | undefined, dataDir: string): Promise<ResolvedKey> {
  if (configured) return { key: Buffer.from(configured, 'utf8'), generated: false, file: null };
  const file = path.join(dataDir, 'secret.key');
  const existing = await readKeyFile(file);
  if (existing !== null && existing !== '') return { key: checked(existing, file), generated: false, file };

  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  try {
    // 'wx': if another process wrote it first, use theirs. An empty file is written over.
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: existing === '' ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new SecretKeyError(`${file}: cannot write the generated signing key (${(err as NodeJS.ErrnoException).code})`);
  }
  // Read back what is there now: another process starting at the same moment may have won.
  const stored = (await readKeyFile(file)) ?? '';
  const generated = stored === key;
  return { key: checked(stored, file), generated, file, ...(existing === '' ? { replacedEmpty: true } : {}) };
}

/** The trimmed content of the key file, or null when there is none. */
async function readKeyFile(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new SecretKeyError(`${file}: cannot read the signing key (${code}); fix its permissions or set SECRET_KEY`);
  }
}

function checked(text: string, file: string): Buffer {
  if (text.length < MIN_KEY_CHARS) {
    throw new SecretKeyError(
      `${file}: the signing key is ${text.length} characters, at least ${MIN_KEY_CHARS} are needed; delete the file to have a new one generated ` +
        `(links already mailed stop working) or set SECRET_KEY`,
    );
  }
  return Buffer.from(text, 'utf8');
}
