// Memory of a group of processes, as the kernel accounts it: PSS (proportional set size: shared
// pages divided among the processes that share them), summed over a process and its descendants —
// the honest figure for PostgreSQL, whose processes share its buffer pool. Linux only (/proc).
import { readFile } from 'node:fs/promises';

/** The pid and every descendant's. */
export async function processTree(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const kids = children.split(/\s+/).filter(Boolean).map(Number);
  return [pid, ...(await Promise.all(kids.map(processTree))).flat()];
}

/** PSS of one process in kB (0 once it is gone). */
export async function pssKb(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  return Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
}

/** PSS of the process trees rooted at `pids`, in MB. */
export async function treePssMb(pids: number[]): Promise<number> {
  const all = new Set((await Promise.all(pids.map(processTree))).flat());
  const kb = await Promise.all([...all].map(pssKb));
  return Math.round(kb.reduce((a, b) => a + b, 0) / 1024);
}

/** Samples the PSS of the trees rooted at `roots()` until stopped; returns the peak in MB. */
export function watchPeakPss(roots: () => Promise<number[]> | number[], everyMs = 250): () => number {
  let peak = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.resolve(roots())
      .then((pids) => (pids.length ? treePssMb(pids) : 0))
      .then((mb) => (peak = Math.max(peak, mb)))
      .finally(() => (busy = false));
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
