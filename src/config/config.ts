// The configuration: parsed once from the environment, then passed down as plain values.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { redactUrl } from '../security/redact.ts';
import { variables, type VariableName } from './variables.ts';

/** Tokens and keys: a bad one is described by its length, never quoted. */
const SECRETS = new Set(['ADMIN_TOKEN', 'METRICS_TOKEN', 'SECRET_KEY', 'DKIM_PRIVATE_KEY']);

/** A bad value as an error message may show it: secrets by length, URLs without credentials or query. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (SECRETS.has(name)) return `${value.length} characters`;
  return JSON.stringify(redactUrl(value.trim()));
}

type Parsed<K extends VariableName> = z.output<(typeof variables)[K]['schema']>;
type RawConfig = { [K in VariableName]: Parsed<K> };

export interface Config extends Omit<RawConfig, 'BASE_URL' | 'DATA_DIR' | 'CRON_TZ' | 'DATABASE_URL'> {
  DATABASE_URL: string | undefined;
  /** absolute */
  DATA_DIR: string;
  BASE_URL: string;
  CRON_TZ: string;
  /**
   * SNAPSHOT_SOURCE was left unset (the live API): a new database also gets the bundled seeds once,
   * as history. A source the operator sets, even the same URL, gets nothing more.
   */
  bundledSeeds: boolean;
  /** DKIM signing, when DKIM_DOMAIN is set (the key checked at start-up) */
  dkim: DkimKey | undefined;
}

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: KeyObject;
}

/** A bad value: the message names the variable, on one line. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** resolve relative paths (DATA_DIR, SNAPSHOT_SOURCE) against this folder */
  cwd?: string;
}

export function loadConfig({ env = process.env, cwd = process.cwd() }: LoadConfigOptions = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables)) {
    const value = env[name]?.trim() ? env[name] : undefined; // blank is unset
    const result = variable.schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ConfigError(name, `${issue?.message ?? 'invalid value'} (got ${shown(name, env[name])})`);
    }
    out[name] = result.data;
  }
  const raw = out as RawConfig;
  checkTimeouts(raw);
  const dkim = checkDkim(raw, cwd);
  if (raw.BOUNCE_SMTP_PORT !== undefined && !raw.BOUNCE_DOMAIN) {
    throw new ConfigError('BOUNCE_SMTP_PORT', 'needs BOUNCE_DOMAIN (the domain whose MX reaches the receiver)');
  }
  const source = raw.SNAPSHOT_SOURCE;
  return {
    ...raw,
    DATA_DIR: path.resolve(cwd, raw.DATA_DIR),
    SNAPSHOT_SOURCE: /^https?:\/\//i.test(source) ? source : path.resolve(cwd, source),
    BASE_URL: raw.BASE_URL ?? `http://localhost:${raw.PORT}`,
    CRON_TZ: raw.CRON_TZ ?? raw.TZ ?? 'UTC',
    bundledSeeds: !env.SNAPSHOT_SOURCE?.trim(),
    dkim,
  };
}

/**
 * The timeouts must fit together: a send between two commands must be able to finish its step within
 * SHUTDOWN_TIMEOUT, and the final reply gets at least as long as any other step.
 */
function checkTimeouts(c: Pick<RawConfig, 'SMTP_TIMEOUT' | 'SMTP_REPLY_TIMEOUT' | 'SHUTDOWN_TIMEOUT'>): void {
  if (c.SMTP_TIMEOUT >= c.SHUTDOWN_TIMEOUT) {
    throw new ConfigError(
      'SMTP_TIMEOUT',
      `must be shorter than SHUTDOWN_TIMEOUT (${c.SMTP_TIMEOUT} ms ≥ ${c.SHUTDOWN_TIMEOUT} ms): a send could never finish a step while stopping`,
    );
  }
  if (c.SMTP_REPLY_TIMEOUT < c.SMTP_TIMEOUT) {
    throw new ConfigError('SMTP_REPLY_TIMEOUT', `must be at least SMTP_TIMEOUT (${c.SMTP_REPLY_TIMEOUT} ms < ${c.SMTP_TIMEOUT} ms)`);
  }
}

/** DKIM: all of domain, selector and one key, or none; the key must be an RSA private key of 1024+ bits. */
function checkDkim(c: Pick<RawConfig, 'DKIM_DOMAIN' | 'DKIM_SELECTOR' | 'DKIM_PRIVATE_KEY' | 'DKIM_PRIVATE_KEY_FILE'>, cwd: string): DkimKey | undefined {
  const keyVar = c.DKIM_PRIVATE_KEY_FILE ? 'DKIM_PRIVATE_KEY_FILE' : 'DKIM_PRIVATE_KEY';
  if (!c.DKIM_DOMAIN) {
    const stray = (['DKIM_SELECTOR', 'DKIM_PRIVATE_KEY', 'DKIM_PRIVATE_KEY_FILE'] as const).find((n) => c[n]);
    if (stray) throw new ConfigError('DKIM_DOMAIN', `is needed with ${stray} (the d= domain of the signature)`);
    return undefined;
  }
  if (!c.DKIM_SELECTOR) throw new ConfigError('DKIM_SELECTOR', 'is needed with DKIM_DOMAIN (the s= selector of the signature)');
  if (c.DKIM_PRIVATE_KEY && c.DKIM_PRIVATE_KEY_FILE) throw new ConfigError('DKIM_PRIVATE_KEY', 'set DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE, not both');
  let pem: string;
  if (c.DKIM_PRIVATE_KEY_FILE) {
    const file = path.resolve(cwd, c.DKIM_PRIVATE_KEY_FILE);
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError('DKIM_PRIVATE_KEY_FILE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else if (c.DKIM_PRIVATE_KEY) {
    pem = c.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n');
  } else {
    throw new ConfigError('DKIM_PRIVATE_KEY', 'is needed with DKIM_DOMAIN (or DKIM_PRIVATE_KEY_FILE)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigError(keyVar, 'is not a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa')
    throw new ConfigError(keyVar, `must be an RSA key (got ${key.asymmetricKeyType ?? 'unknown'}): receivers verify rsa-sha256`);
  if (bits < 1024) throw new ConfigError(keyVar, `is a ${bits}-bit RSA key: receivers ignore signatures by keys under 1024 bits (2048 advised)`);
  return { domain: c.DKIM_DOMAIN, selector: c.DKIM_SELECTOR, privateKey: key };
}

/** Loads ./.env into process.env (values already set in the environment win), if the file exists. */
export function loadDotEnv(cwd = process.cwd()): string | null {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return null;
  const before = { ...process.env };
  process.loadEnvFile(file);
  for (const [k, v] of Object.entries(before)) process.env[k] = v;
  return file;
}

/**
 * Started through npm (`npm start`, `npx paperboy …`): npm answers SIGTERM by exiting, and the shell
 * it runs a command in does not pass the signal on, so such a process watches for its parent to go.
 */
export function startedByNpm(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.npm_command || env.npm_lifecycle_event);
}
