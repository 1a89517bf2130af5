// Small zod schemas for the shapes environment variables take: durations ("48h"), cron lines,
// mailboxes ("paperboy <paperboy@example.org>"), integers given as strings.
import cron from 'node-cron';
import validator from 'validator';
import { z } from 'zod';

/** An unset or blank variable is undefined, so `.default()` applies and optional stays optional. */
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export function intInRange(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "30s", "10m", "48h", "2d" or a bare number of seconds → milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}

export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 30s, 10m, 48h or 2d' });
    return z.NEVER;
  }
  return ms;
});

export const cronExpression = z.string().refine((v) => cron.validate(v), {
  message: 'must be a cron line such as "0 7 * * *" (minute hour day month weekday)',
});

export const httpUrl = z
  .string()
  .refine((v) => validator.isURL(v, { protocols: ['http', 'https'], require_protocol: true, require_tld: false }), {
    message: 'must be an http(s) URL such as https://papers.example.org',
  })
  .transform((v) => v.replace(/\/+$/, ''));

export const emailAddress = z.string().refine((v) => validator.isEmail(v, { allow_display_name: false, require_tld: false }), {
  message: 'must be an email address',
});

/** "Name <address>" or a bare address; no CR/LF (it goes into a header). */
export const mailbox = z.string().refine((v) => !/[\r\n]/.test(v) && validator.isEmail(v, { allow_display_name: true, require_tld: false }), {
  message: 'must be an address or "Name <address>"',
});

/** A token or key: the error names the variable already (ConfigError), so the message does not. */
export const secretString = z.string().min(16, 'must be at least 16 characters');

/** An IANA time zone name that this Node knows (Europe/Paris, UTC). */
export const timeZone = z.string().refine(
  (v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as UTC or Europe/Paris' },
);

/** A DNS name such as papers.example.org (letters, digits, hyphens; at least two labels). */
export const domainName = z
  .string()
  .transform((v) => v.toLowerCase().replace(/\.$/, ''))
  .refine((v) => validator.isFQDN(v, { require_tld: false }) && v.includes('.'), { message: 'must be a domain name such as papers.example.org' });
