// Every environment variable paperboy reads, in one table: group, default, meaning. `.env.example` and
// the README's table are generated from it (`npm run env:example`). Nothing outside src/config/ reads process.env.
import { z } from 'zod';
import { mailVariables } from './mail-variables.ts';
import { cronExpression, duration, httpUrl, intInRange, optionalString, secretString, timeZone } from './parsers.ts';
import type { Variable } from './variable.ts';

/** The Hugging Face Daily Papers API: the live listing, SNAPSHOT_SOURCE's default. */
const DAILY_PAPERS_API = 'https://huggingface.co/api/daily_papers';

export const variables = {
  // [[DATABASE]]
  DATABASE_URL: {
    group: 'DATABASE',
    schema: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
        .optional(),
    ),
    required: false,
    doc: 'PostgreSQL connection URL. Unset: an embedded PostgreSQL in DATA_DIR/postgres, started and stopped by paperboy itself.',
  },
  DATA_DIR: {
    group: 'DATABASE',
    schema: z.string().min(1).default('./data'),
    example: './data',
    required: false,
    doc: 'Folder for the embedded database, the outbox (.eml files when SMTP_URL is unset) and the generated SECRET_KEY.',
  },
  // [[WEB]]
  PORT: {
    group: 'WEB',
    schema: intInRange(0, 65535).default(3000),
    example: '3000',
    required: false,
    doc: 'HTTP port of `paperboy serve` (pages, /healthz, /metrics, /admin).',
  },
  HOST: {
    group: 'WEB',
    schema: z.string().min(1).default('0.0.0.0'),
    example: '0.0.0.0',
    required: false,
    doc: 'Address the HTTP server binds to (127.0.0.1 to keep it local behind a proxy).',
  },
  BASE_URL: {
    group: 'WEB',
    schema: optionalString.pipe(httpUrl.optional()),
    example: 'http://localhost:3000',
    required: false,
    doc: 'Public URL of the pages, used for the links in emails. Default: http://localhost:PORT.',
  },
  TRUST_PROXY: {
    group: 'WEB',
    schema: optionalString.pipe(z.string().optional()),
    required: false,
    doc:
      'Express "trust proxy" setting when behind a reverse proxy (e.g. 1, loopback), so rate limits and the dashboard login lockout see the ' +
      'client address. Unset behind a proxy: every client has the proxy address, and 20 wrong admin tokens from anyone lock the login for ' +
      'everyone.',
  },
  ...mailVariables,
  // [[SECURITY]]
  ADMIN_TOKEN: {
    group: 'SECURITY',
    schema: optionalString.pipe(secretString.optional()),
    required: false,
    doc: 'Bearer token of the admin API (/admin). Unset: the admin API is off (404).',
  },
  SECRET_KEY: {
    group: 'SECURITY',
    schema: optionalString.pipe(secretString.optional()),
    required: false,
    doc:
      'Signs the links in emails (confirm, preferences, unsubscribe). Unset: generated once and kept in DATA_DIR/secret.key. Back it up: without ' +
      'it every link in every email already sent breaks.',
  },
  METRICS_TOKEN: {
    group: 'SECURITY',
    schema: optionalString.pipe(secretString.optional()),
    required: false,
    doc: 'Bearer token required by /metrics. Unset: /metrics is open.',
  },
  // [[SCHEDULE]]
  SNAPSHOT_SOURCE: {
    group: 'SCHEDULE',
    schema: z.string().min(1).default(DAILY_PAPERS_API),
    example: DAILY_PAPERS_API,
    required: false,
    doc:
      'Where new snapshots come from: the Hugging Face Daily Papers API (the live listing), another http(s) URL, a file or a folder (new files ' +
      'ingested once, in name order). Left unset, a new database also gets the bundled seeds once, as history (never mailed), so the page has ' +
      'papers to preview offline; `paperboy ingest --since YYYY-MM-DD` backfills earlier days from the API.',
  },
  INGEST_CRON: {
    group: 'SCHEDULE',
    schema: cronExpression.default('*/30 * * * *'),
    example: '*/30 * * * *',
    required: false,
    doc: 'When `serve` ingests SNAPSHOT_SOURCE (cron syntax, CRON_TZ).',
  },
  DIGEST_CRON: {
    group: 'SCHEDULE',
    schema: cronExpression.default('0 7 * * *'),
    example: '0 7 * * *',
    required: false,
    doc: 'When `serve` builds the digest of the newest snapshot and sends it.',
  },
  DIGEST_BATCH_SIZE: {
    group: 'SCHEDULE',
    schema: intInRange(1, 100_000).default(1000),
    example: '1000',
    required: false,
    doc:
      'Readers per committed chunk of a digest build (the digest stays `building`, never sent, until the last chunk; ' +
      'a build cut off goes on after its last chunk).',
  },
  RETENTION_CRON: {
    group: 'SCHEDULE',
    schema: cronExpression.default('30 3 * * *'),
    example: '30 3 * * *',
    required: false,
    doc:
      "When `serve` runs the retention job (DELIVERY_RETENTION): creates the coming months' partitions, drops what is older than the retention. " +
      '`paperboy retention` runs it by hand.',
  },
  DELIVERY_RETENTION: {
    group: 'SCHEDULE',
    schema: duration.prefault('365d').pipe(z.number().min(31 * 86_400_000, 'must be at least 31d (a month: the retention drops whole months)')),
    example: '365d',
    required: false,
    doc:
      'How long deliveries and their mailed papers are kept (the archive lists what is kept). Older ones are dropped a month at a time, ' +
      'except deliveries still on their way; the papers each reader was mailed are kept, compactly, so none is mailed to them twice.',
  },
  CRON_TZ: {
    group: 'SCHEDULE',
    schema: optionalString.pipe(timeZone.optional()),
    example: 'UTC',
    required: false,
    doc: 'Time zone of the cron lines (IANA name, e.g. Europe/Paris). Default: TZ, else UTC.',
  },
  SOURCE_TIMEOUT: {
    group: 'SCHEDULE',
    schema: duration.prefault('30s'),
    example: '30s',
    required: false,
    doc: 'Timeout of fetching a URL source.',
  },
  SOURCE_MAX_BYTES: {
    group: 'SCHEDULE',
    schema: intInRange(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
    example: '20971520',
    required: false,
    doc: 'Largest snapshot accepted from a URL or file, in bytes.',
  },
  SOURCE_MAX_ENTRIES: {
    group: 'SCHEDULE',
    schema: intInRange(1, 1_000_000).default(50_000),
    example: '50000',
    required: false,
    doc:
      'Largest snapshot accepted, in entries (papers): a larger one is refused before anything is stored. A real listing has about 50; 50,000 ' +
      'ingest in seconds (bench/README.md).',
  },
  SOURCE_STALE_AFTER: {
    group: 'SCHEDULE',
    schema: duration.prefault('4d'),
    example: '4d',
    required: false,
    doc:
      'A source that has produced no new snapshot for this long is reported stale. Empty listings (weekends, holidays) are quiet checks, not ' +
      'failures: the default covers a long weekend.',
  },
  // [[OPERATIONS]]
  LOG_LEVEL: {
    group: 'OPERATIONS',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    example: 'info',
    required: false,
    doc: 'fatal, error, warn, info, debug, trace or silent. Logs are JSON lines on stderr.',
  },
  SHUTDOWN_TIMEOUT: {
    group: 'OPERATIONS',
    schema: duration.prefault('25s'),
    example: '25s',
    required: false,
    doc:
      'On SIGTERM/SIGINT, how long the sends in flight (and the digest build chunk in flight) may take; ' +
      'one still waiting for its final reply near the end is cut (recorded unknown). ' +
      'Give the supervisor a few seconds more (Docker --stop-timeout, systemd TimeoutStopSec).',
  },
  NODE_ENV: {
    group: 'OPERATIONS',
    schema: z.enum(['development', 'production', 'test']).default('development'),
    example: 'development',
    required: false,
    doc: 'production: logs are always JSON lines, even on a terminal (development prints them readably on a terminal).',
  },
  TZ: {
    group: 'OPERATIONS',
    schema: optionalString.pipe(timeZone.optional()),
    required: false,
    doc: 'Process time zone; also the default of CRON_TZ.',
  },
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof variables;
