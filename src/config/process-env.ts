// The two places paperboy passes the process environment on rather than reading settings from it:
// the environment of the embedded PostgreSQL's processes, and NODE_OPTIONS, which V8 settings
// made at run time must not override (src/cli/memory.ts).

/** initdb's and postgres's environment: PATH and TZ, none of the caller's PG* variables, messages in English. */
export function serverProcessEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, LC_ALL: 'C', ...(process.env.TZ ? { TZ: process.env.TZ } : {}) };
}

/** The Node options this process was started with (NODE_OPTIONS and the command line). */
export function nodeOptionsGiven(): string {
  return `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
}
