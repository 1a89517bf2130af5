// One host per embedded data folder. The lock is a directory (mkdir is atomic) holding the
// owner's pid. It is stale only when that process is gone — never because the owner was busy:
// PGlite runs in WebAssembly and can block its event loop for many seconds (creating a database
// does), so a lock kept alive by timers (mtime refreshes) would be taken from a live owner.
// Taking over a stale lock happens under a second, short-lived lock, so two newcomers cannot
// both remove it and both think they own the folder.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface LockOwner {
  pid: number;
  startedAt: string;
}

export type LockResult = { acquired: true; release: () => Promise<void> } | { acquired: false; owner: LockOwner };

/** A takeover that takes longer than this was abandoned by a process that died inside it. */
const TAKEOVER_STALE_MS = 30_000;
/** A lock folder without an owner file this old was left by a process that died creating it. */
const OWNERLESS_STALE_MS = 5_000;

export async function acquireDataDirLock(lockDir: string, processMarker: string): Promise<LockResult> {
  const takeoverDir = `${lockDir}.takeover`;
  for (;;) {
    if (await tryCreate(lockDir)) return owned(lockDir);
    const owner = await readOwner(lockDir);
    if (owner === 'missing') continue; // released between our mkdir and our read: try again
    if (owner === 'starting') {
      if (!(await olderThan(lockDir, OWNERLESS_STALE_MS))) {
        await sleep(50);
        continue;
      }
    } else if (isAlive(owner.pid, processMarker)) {
      return { acquired: false, owner };
    }
    // The owner is gone. Take over, one newcomer at a time.
    if (!(await tryCreate(takeoverDir, false))) {
      if (await olderThan(takeoverDir, TAKEOVER_STALE_MS)) await rm(takeoverDir, { recursive: true, force: true });
      await sleep(50);
      continue;
    }
    try {
      const again = await readOwner(lockDir);
      const stillStale = again === 'missing' || (again === 'starting' ? await olderThan(lockDir, OWNERLESS_STALE_MS) : !isAlive(again.pid, processMarker));
      if (stillStale) {
        await rm(lockDir, { recursive: true, force: true });
        if (await tryCreate(lockDir)) return owned(lockDir);
      }
    } finally {
      await rm(takeoverDir, { recursive: true, force: true });
    }
  }
}

async function tryCreate(dir: string, withOwner = true): Promise<boolean> {
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  if (withOwner) {
    const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString() };
    await writeFile(path.join(dir, 'owner.json'), JSON.stringify(owner));
  }
  return true;
}

function owned(lockDir: string): LockResult {
  return {
    acquired: true,
    release: async () => {
      const owner = await readOwner(lockDir);
      if (typeof owner === 'object' && owner.pid === process.pid) await rm(lockDir, { recursive: true, force: true });
    },
  };
}

/** The live owner of the lock, if any (newcomers wait for it instead of starting hosts of their own). */
export async function liveOwner(lockDir: string, processMarker: string): Promise<LockOwner | null> {
  const owner = await readOwner(lockDir);
  if (owner === 'missing') return null;
  if (owner === 'starting') return { pid: 0, startedAt: '' };
  return isAlive(owner.pid, processMarker) ? owner : null;
}

async function readOwner(lockDir: string): Promise<LockOwner | 'missing' | 'starting'> {
  try {
    return JSON.parse(await readFile(path.join(lockDir, 'owner.json'), 'utf8')) as LockOwner;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
    return (await stat(lockDir).catch(() => null)) ? 'starting' : 'missing';
  }
}

async function olderThan(dir: string, ms: number): Promise<boolean> {
  const info = await stat(dir).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > ms;
}

/**
 * Is the owner still running? Where /proc exists, also check it is still a host (its pid may have
 * been reused by an unrelated process after a crash).
 */
export function isAlive(pid: number, processMarker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(processMarker);
  } catch {
    return true; // no /proc (macOS): the pid is alive, assume it is the owner
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
