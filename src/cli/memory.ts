// Memory settings of every paperboy process, applied before anything else is loaded (the first
// import of cli/main.ts), so what a user gets from `npm start` or `npx paperboy …` stays small
// without any NODE_OPTIONS:
//   --liftoff-only         Prisma's query compiler is WebAssembly; V8's optimising compiler
//                          (TurboFan) compiling it kept ~60 MB resident for the life of the
//                          process (compiler memory the allocator never returns). Liftoff, the
//                          baseline compiler, is enough: the hot paths are plain SQL.
//   --heap-growing-percent V8 lets its heap grow to several times the live size when memory looks
//                          plentiful (360–400 MB for a live heap of ~60 MB while 100,000 digests
//                          were sent). Growing by at most this much before the next full collection
//                          bounds it, with no limit that could crash a large ingest (unlike
//                          --max-old-space-size).
// Both flags are read when they are used (a WebAssembly module's compilation, each resizing of the
// heap), so setting them at run time takes effect; NODE_OPTIONS still overrides them if needed.
import v8 from 'node:v8';
import { nodeOptionsGiven } from '../config/process-env.ts';

export const MEMORY_FLAGS = ['--liftoff-only', '--heap-growing-percent=50'];

const given = nodeOptionsGiven();
for (const flag of MEMORY_FLAGS) {
  const name = flag.split('=')[0]!;
  if (!given.includes(name.replace(/^--/, '').replace(/-/g, '_')) && !given.includes(name)) v8.setFlagsFromString(flag);
}
