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
// heap), so setting them at run time takes effect. Either is left alone when given on the node
// command line (e.g. `node --no-liftoff-only bin/paperboy.js serve`; V8 flags are not allowed in
// NODE_OPTIONS).
import v8 from 'node:v8';
import { nodeOptionsGiven } from '../config/process-env.ts';

const MEMORY_FLAGS = ['--liftoff-only', '--heap-growing-percent=50'];

const given = nodeOptionsGiven();
for (const flag of MEMORY_FLAGS) {
  const bare = flag.split('=')[0]!.replace(/^--/, ''); // also matches --no-liftoff-only, --heap_growing_percent=…
  if (!given.includes(bare) && !given.includes(bare.replace(/-/g, '_'))) v8.setFlagsFromString(flag);
}
