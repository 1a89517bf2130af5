// How every command runs: configuration parsed once (a bad value stops here, naming the variable),
// a logger, the context (database opened, migrations applied), the command, an exit status.
import { loadConfig, loadDotEnv, type Config } from '../config/config.ts';
import { createContext, type AppContext, type ContextOptions } from '../app/context.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { databaseErrorLine } from './database-error.ts';

export interface CliEnv {
  config: Config;
  log: Logger;
}

/** A failure the operator can act on: printed as one line, exit status `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The DATABASE_URL of this run, once parsed: a failure to reach it is explained by naming it. */
let databaseUrl: string | undefined;

export function cliEnv(): CliEnv {
  loadDotEnv();
  const config = loadConfig();
  databaseUrl = config.DATABASE_URL;
  const pretty = Boolean(process.stderr.isTTY) && config.NODE_ENV === 'development';
  return { config, log: createLogger({ level: config.LOG_LEVEL, pretty }) };
}

/** Runs `body` with a context and sets the exit status it returns. */
export async function withContext(body: (ctx: AppContext) => Promise<number>, options: ContextOptions = {}): Promise<void> {
  const { config, log } = cliEnv();
  const ctx = await createContext(config, log, options);
  try {
    process.exitCode = await body(ctx);
  } finally {
    await ctx.close();
  }
}

export function fail(err: unknown): never {
  process.stderr.write(`paperboy: ${databaseErrorLine(err, databaseUrl) ?? oneLine(err)}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}

/** The first meaningful line of an error, whatever threw it. */
function oneLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const lines = err.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const code = (err as { code?: unknown }).code;
  const text = lines.find((l) => !/^Invalid `.*` invocation/.test(l)) ?? lines[0];
  return text ?? (typeof code === 'string' ? code : err.name);
}
