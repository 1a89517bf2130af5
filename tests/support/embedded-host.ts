import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Stops the embedded host of a data folder (tests should not leave background processes). */
export async function stopEmbeddedHost(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = (JSON.parse(await readFile(path.join(dataDir, 'pglite.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
