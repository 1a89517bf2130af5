// Starts bench/support/sink-process.ts and talks to it.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface SinkStats {
  count: number;
  recipients: number;
  duplicates: number;
  spanMs: number;
}

export interface BenchSink {
  url: string;
  stats(): Promise<SinkStats>;
  reset(): Promise<void>;
  waitFor(count: number, timeoutMs: number): Promise<SinkStats>;
  close(): Promise<void>;
}

export async function startBenchSink(): Promise<BenchSink> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'sink-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(msg: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(msg);
    });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  const sink: BenchSink = {
    url: `smtp://127.0.0.1:${port}`,
    stats: () => ask<SinkStats>('stats'),
    reset: async () => {
      await ask('reset');
    },
    waitFor: async (count, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await sink.stats();
        if (s.count >= count || Date.now() > deadline) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: async () => {
      child.send('exit');
      await new Promise((r) => child.once('exit', r));
    },
  };
  return sink;
}

/** Samples a child's peak resident set size (VmHWM, Linux) until it exits; MB. */
export function watchPeakRss(pid: number): () => number {
  let peak = 0;
  const read = async () => {
    try {
      const status = await import('node:fs/promises').then((fs) => fs.readFile(`/proc/${pid}/status`, 'utf8'));
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, Math.round(kb / 1024));
    } catch {
      /* gone */
    }
  };
  const timer = setInterval(() => void read(), 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
