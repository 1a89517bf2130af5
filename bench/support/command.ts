// A real `paperboy` command in a process of its own, as the ingest benchmarks run it: its wall time
// (start-up included), its peak RSS, and on the embedded database the peak PSS of the server it uses
// (the postmaster and every process under it).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { watchPeakPss } from './memory.ts';
import { watchPeakRss } from './sink.ts';

const root = path.resolve(import.meta.dirname, '../..');

export async function paperboyCommand(args: string[], env: NodeJS.ProcessEnv, embeddedDataDir: string | null) {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin/paperboy.js'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const peak = watchPeakRss(child.pid!);
  // the embedded server the command starts (and stops when it exits): its postmaster's tree
  const server = embeddedDataDir ? watchPeakPss(() => postmaster(embeddedDataDir), 100) : null;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, ms: Math.round(performance.now() - started), peakRssMb: peak(), serverPeakPssMb: server ? server() : null, stdout, stderr };
}

function postmaster(dataDir: string): number[] {
  const file = path.join(dataDir, 'postgres/postmaster.pid');
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : 0;
  return pid > 0 ? [pid] : [];
}
