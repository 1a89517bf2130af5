// Every environment variable paperboy reads, in one table: group, default, meaning. `.env.example` and
// the README's table are generated from it (`npm run env:example`). Nothing outside src/config/ reads process.env.
import { z } from 'zod';
import { cronExpression, domainName, duration, emailAddress, httpUrl, intInRange, mailbox, optionalString, secretString, timeZone } from './parsers.ts';

/** The Hugging Face Daily Papers API: the live listing, SNAPSHOT_SOURCE's default. */
const DAILY_PAPERS_API = 'https://huggingface.co/api/daily_papers';

export interface Variable {
  group: 'DATABASE' | 'WEB' | 'MAIL' | 'SENDING' | 'SECURITY' | 'SCHEDULE' | 'OPERATIONS';
  schema: z.ZodType;
  /** shown in .env.example; undefined means "unset" */
  example?: string;
  required: false;
  doc: string;
}

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
    doc: 'Express "trust proxy" setting when behind a reverse proxy (e.g. 1, loopback), so rate limits and the dashboard login lockout see the client address. Unset behind a proxy: every client has the proxy address, and 20 wrong admin tokens from anyone lock the login for everyone.',
  },
  // [[MAIL]]
  SMTP_URL: {
    group: 'MAIL',
    schema: optionalString.pipe(
      z
        .string()
        .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
        .optional(),
    ),
    required: false,
    doc: 'SMTP relay, e.g. smtp://user:pass@relay:587. Unset: every message is written as an .eml file under DATA_DIR/outbox.',
  },
  MAIL_FROM: {
    group: 'MAIL',
    schema: mailbox.default('paperboy <paperboy@localhost>'),
    example: 'paperboy <paperboy@localhost>',
    required: false,
    doc: 'From: of every email.',
  },
  MAIL_REPLY_TO: {
    group: 'MAIL',
    schema: optionalString.pipe(emailAddress.optional()),
    required: false,
    doc: 'Reply-To: of every email (optional).',
  },
  DKIM_DOMAIN: {
    group: 'MAIL',
    schema: optionalString.pipe(domainName.optional()),
    required: false,
    doc: 'Sign every email with DKIM for this domain (d=), e.g. papers.example.org; needs DKIM_SELECTOR and a key. `paperboy dkim-record` prints the DNS TXT record to publish. Unset: no DKIM signature (the relay may sign).',
  },
  DKIM_SELECTOR: {
    group: 'MAIL',
    schema: optionalString.pipe(
      z
        .string()
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a DNS label such as paperboy2026')
        .optional(),
    ),
    required: false,
    doc: 'DKIM selector (s=): the key is published in DNS at SELECTOR._domainkey.DKIM_DOMAIN.',
  },
  DKIM_PRIVATE_KEY: {
    group: 'MAIL',
    schema: optionalString,
    required: false,
    doc: 'The DKIM private key, PEM (RSA, at least 1024 bits; 2048 advised); "\\n" stands for a line break. Or DKIM_PRIVATE_KEY_FILE.',
  },
  DKIM_PRIVATE_KEY_FILE: {
    group: 'MAIL',
    schema: optionalString,
    required: false,
    doc: 'A file holding the DKIM private key (PEM), instead of DKIM_PRIVATE_KEY.',
  },
  BOUNCE_DOMAIN: {
    group: 'MAIL',
    schema: optionalString.pipe(domainName.optional()),
    required: false,
    doc: "Domain whose MX reaches paperboy's bounce receiver (or your provider): every delivery goes out with its own signed return path bounces+TOKEN@BOUNCE_DOMAIN (VERP), and List-Unsubscribe gains mailto:unsubscribe+TOKEN@BOUNCE_DOMAIN. Unset: the return path is MAIL_FROM, no mailto.",
  },
  BOUNCE_SMTP_PORT: {
    group: 'MAIL',
    schema: intInRange(0, 65535).optional(),
    required: false,
    doc: 'Port of the built-in SMTP receiver for bounces (RFC 3464), complaints (RFC 5965) and mailto unsubscribes, run by `serve` (25 for the MX of BOUNCE_DOMAIN, or a port your MTA forwards to). Unset: no receiver. Needs BOUNCE_DOMAIN.',
  },
  BOUNCE_SMTP_HOST: {
    group: 'MAIL',
    schema: z.string().min(1).default('0.0.0.0'),
    example: '0.0.0.0',
    required: false,
    doc: 'Address the bounce receiver binds to.',
  },
  PREFERENCES_MAIL_DELAY: {
    group: 'MAIL',
    schema: duration.prefault('2m'),
    example: '2m',
    required: false,
    doc: 'How long the "preferences updated" email waits for further changes: every save within it is told in that one email (0: at once).',
  },
  SES_SNS_TOPIC_ARN: {
    group: 'MAIL',
    schema: optionalString.pipe(
      z
        .string()
        .regex(
          /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
          'must be an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:ses-feedback',
        )
        .optional(),
    ),
    required: false,
    doc: 'Amazon SES bounce and complaint notifications via SNS: POST /webhooks/ses accepts signed notifications of this topic only. Unset: no webhook.',
  },
  // [[SENDING]]
  SEND_CONCURRENCY: {
    group: 'SENDING',
    schema: intInRange(1, 100).default(4),
    example: '4',
    required: false,
    doc: 'Parallel sends per process (and pooled SMTP connections).',
  },
  SEND_RATE_LIMIT: {
    group: 'SENDING',
    schema: intInRange(0, 100_000).default(0),
    example: '0',
    required: false,
    doc: 'At most this many messages per second per process; 0 means no limit.',
  },
  SEND_MAX_ERRORS: {
    group: 'SENDING',
    schema: intInRange(1, 1_000_000).default(50),
    example: '50',
    required: false,
    doc: 'Consecutive failed deliveries after which a digest is paused instead of mailing everyone badly.',
  },
  SEND_MAX_TRIES: {
    group: 'SENDING',
    schema: intInRange(1, 20).default(4),
    example: '4',
    required: false,
    doc: 'Tries of one delivery on temporary errors (SMTP 4xx, connection) before it is failed.',
  },
  SEND_RETRY_DELAY: {
    group: 'SENDING',
    schema: duration.prefault('2s'),
    example: '2s',
    required: false,
    doc: 'First retry delay after a temporary error; doubled on each further try.',
  },
  SMTP_TIMEOUT: {
    group: 'SENDING',
    schema: duration.prefault('15s'),
    example: '15s',
    required: false,
    doc: 'Timeout of each SMTP step before the final reply (connect, greeting, each command, the message data). Must be shorter than SHUTDOWN_TIMEOUT.',
  },
  SMTP_REPLY_TIMEOUT: {
    group: 'SENDING',
    schema: duration.prefault('10m'),
    example: '10m',
    required: false,
    doc: 'How long the relay may take to answer the end of a message (RFC 5321 gives it 10 minutes). No reply in time: the outcome is unknown, never retried automatically.',
  },
  BOUNCE_LIMIT: {
    group: 'SENDING',
    schema: intInRange(1, 100).default(2),
    example: '2',
    required: false,
    doc: 'Permanent rejections (SMTP 5xx for the recipient) after which a subscriber becomes bounced.',
  },
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
    doc: 'Signs the links in emails (confirm, preferences, unsubscribe). Unset: generated once and kept in DATA_DIR/secret.key. Back it up: without it every link in every email already sent breaks.',
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
    doc: 'Where new snapshots come from: the Hugging Face Daily Papers API (the live listing), another http(s) URL, a file or a folder (new files ingested once, in name order). Left unset, a new database also gets the bundled seeds once, as history (never mailed), so the page has papers to preview offline; `paperboy ingest --since YYYY-MM-DD` backfills earlier days from the API.',
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
    doc: 'Readers per committed chunk of a digest build (the digest stays `building`, never sent, until the last chunk; a build cut off goes on after its last chunk).',
  },
  RETENTION_CRON: {
    group: 'SCHEDULE',
    schema: cronExpression.default('30 3 * * *'),
    example: '30 3 * * *',
    required: false,
    doc: "When `serve` runs the retention job (DELIVERY_RETENTION): creates the coming months' partitions, drops what is older than the retention. `paperboy retention` runs it by hand.",
  },
  DELIVERY_RETENTION: {
    group: 'SCHEDULE',
    schema: duration.prefault('365d').pipe(z.number().min(31 * 86_400_000, 'must be at least 31d (a month: the retention drops whole months)')),
    example: '365d',
    required: false,
    doc: 'How long deliveries and their mailed papers are kept (the archive lists what is kept). Older ones are dropped a month at a time, except deliveries still on their way; the papers each reader was mailed are kept, compactly, so none is mailed to them twice.',
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
    doc: 'Largest snapshot accepted, in entries (papers): a larger one is refused before anything is stored. A real listing has about 50; 50,000 ingest in seconds (bench/README.md).',
  },
  SOURCE_STALE_AFTER: {
    group: 'SCHEDULE',
    schema: duration.prefault('4d'),
    example: '4d',
    required: false,
    doc: 'A source that has produced no new snapshot for this long is reported stale. Empty listings (weekends, holidays) are quiet checks, not failures: the default covers a long weekend.',
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
    doc: 'On SIGTERM/SIGINT, how long the sends in flight may take; one still waiting for its final reply near the end is cut (recorded unknown). Give the supervisor a few seconds more (Docker --stop-timeout, systemd TimeoutStopSec).',
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
