// CPU time of processes as the kernel accounts it (/proc/<pid>/stat: utime, stime, and cutime, cstime
// for children already reaped), in seconds. Linux only. On a shared machine wall time says how much CPU
// a process got; CPU time says how much it needed.
import { readFile } from 'node:fs/promises';
import { processTree } from './memory.ts';

const TICKS = 100; // CLK_TCK on Linux

/** utime + stime (+ cutime + cstime with `children`) of one process, in seconds; null once it is gone. */
export async function cpuSeconds(pid: number, children = true): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // the command name (field 2) may hold spaces: the fields after it start past its closing ")"
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(f[11]) + Number(f[12]); // fields 14, 15
  return (children ? own + Number(f[13]) + Number(f[14]) : own) / TICKS;
}

/**
 * Samples the CPU seconds of each pid of `pids()` every `everyMs` and keeps the last value seen per pid,
 * so a process that exits keeps what it had used at its last sample (the loss: under `everyMs` of it).
 */
export function watchCpu(pids: () => Promise<number[]> | number[], everyMs = 500): { total(): number; sample(): Promise<void>; stop(): void } {
  const last = new Map<number, number>();
  const sample = async () => {
    for (const pid of await pids()) {
      const s = await cpuSeconds(pid);
      if (s !== null) last.set(pid, s);
    }
  };
  const timer = setInterval(() => void sample(), everyMs);
  return {
    total: () => [...last.values()].reduce((a, b) => a + b, 0),
    sample,
    stop: () => clearInterval(timer),
  };
}

/**
 * All the CPU a PostgreSQL server has used: every process under the postmaster (their own time) plus
 * the postmaster's own and its reaped children's (backends that have exited). Seconds.
 */
export async function serverCpuSeconds(postmasterPid: number): Promise<number> {
  const tree = await processTree(postmasterPid);
  let total = (await cpuSeconds(postmasterPid, true)) ?? 0;
  for (const pid of tree) if (pid !== postmasterPid) total += (await cpuSeconds(pid, false)) ?? 0;
  return total;
}

/** The postmaster's pid, from a backend's (its parent). */
export async function parentPid(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
