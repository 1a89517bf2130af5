// The environment variables of mail (the relay, the sender, DKIM, bounces) and of sending (pace,
// retries, backoff): the [[MAIL]] and [[SENDING]] groups of the table in variables.ts, which keeps
// their place in it (.env.example and the README list the groups in the table's order).
import { z } from 'zod';
import { domainName, duration, emailAddress, intInRange, mailbox, optionalString } from './parsers.ts';
import type { Variable } from './variable.ts';

export const mailVariables = {
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
    doc:
      'Sign every email with DKIM for this domain (d=), e.g. papers.example.org; needs DKIM_SELECTOR and a key. `paperboy dkim-record` prints the ' +
      'DNS TXT record to publish. Unset: no DKIM signature (the relay may sign).',
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
    doc:
      "Domain whose MX reaches paperboy's bounce receiver (or your provider): every delivery goes out with its own signed return path " +
      'bounces+TOKEN@BOUNCE_DOMAIN (VERP), and List-Unsubscribe gains mailto:unsubscribe+TOKEN@BOUNCE_DOMAIN. Unset: the return path is MAIL_FROM, ' +
      'no mailto.',
  },
  BOUNCE_SMTP_PORT: {
    group: 'MAIL',
    schema: intInRange(0, 65535).optional(),
    required: false,
    doc:
      'Port of the built-in SMTP receiver for bounces (RFC 3464), complaints (RFC 5965) and mailto unsubscribes, run by `serve` (25 for the MX of ' +
      'BOUNCE_DOMAIN, or a port your MTA forwards to). Unset: no receiver. Needs BOUNCE_DOMAIN.',
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
    doc:
      'How long the relay may take to answer the end of a message (RFC 5321 gives it 10 minutes). No reply in time: the outcome is unknown, never ' +
      'retried automatically.',
  },
  BOUNCE_LIMIT: {
    group: 'SENDING',
    schema: intInRange(1, 100).default(2),
    example: '2',
    required: false,
    doc: 'Permanent rejections (SMTP 5xx for the recipient) after which a subscriber becomes bounced.',
  },
} satisfies Record<string, Variable>;
