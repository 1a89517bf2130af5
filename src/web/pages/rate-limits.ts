// Rate limits (express-rate-limit, in-memory: per process; several `serve` processes behind a load
// balancer each count on their own). Subscribe is limited per client address AND per email address
// (so nobody can flood one inbox with confirmations from many IPs), the preview per client address.
// The unsubscribe POST is deliberately not limited: RFC 8058 one-click POSTs arrive from a mail
// provider's few servers on behalf of all its users.
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { emailKey } from '../../db/subscribers.ts';
import { parseEmail } from '../../subscriptions/input.ts';
import { field } from './body.ts';

interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface RateLimitSettings {
  subscribePerIp: RateLimit;
  subscribePerAddress: RateLimit;
  preview: RateLimit;
  /** POST /preferences, per client address (each change mails the owner a notice) */
  preferences: RateLimit;
  /** POST /preferences-link, per client address ("email me my preferences link"; per address: PREFERENCES_LINK_LIMIT) */
  preferencesLink: RateLimit;
}

const HOUR = 3600_000;
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  subscribePerIp: { limit: 10, windowMs: HOUR },
  subscribePerAddress: { limit: 3, windowMs: HOUR },
  preview: { limit: 600, windowMs: 60_000 },
  preferences: { limit: 30, windowMs: HOUR },
  preferencesLink: { limit: 10, windowMs: HOUR },
};

export interface RateLimiters {
  subscribePerIp: RequestHandler;
  subscribePerAddress: RequestHandler;
  preview: RequestHandler;
  preferences: RequestHandler;
  preferencesLink: RequestHandler;
}

/** `limited(req, res)` answers a refused request: the friendly page, or JSON for the preview. */
export function rateLimiters(settings: RateLimitSettings, limited: (req: Request, res: Response) => void): RateLimiters {
  const common = { handler: (req: Request, res: Response) => limited(req, res), legacyHeaders: false } as const;
  return {
    // Only requests that got through (2xx) count against subscribe: a reader correcting a typo is not
    // punished, and a refused form sends no email and writes nothing.
    subscribePerIp: rateLimit({ ...settings.subscribePerIp, ...common, skipFailedRequests: true, standardHeaders: 'draft-8', identifier: 'subscribe-ip' }),
    subscribePerAddress: rateLimit({
      ...settings.subscribePerAddress,
      ...common,
      skipFailedRequests: true,
      // no RateLimit headers: they would tell anyone how often an address was subscribed lately
      standardHeaders: false,
      skip: (req) => !parseEmail(field(req, 'email')).ok,
      keyGenerator: (req) =>
        `address:${createHash('sha256')
          .update(emailKey(field(req, 'email') ?? ''))
          .digest('base64url')}`,
    }),
    preview: rateLimit({ ...settings.preview, ...common, standardHeaders: 'draft-8', identifier: 'preview' }),
    preferences: rateLimit({ ...settings.preferences, ...common, standardHeaders: 'draft-8', identifier: 'preferences' }),
    preferencesLink: rateLimit({ ...settings.preferencesLink, ...common, standardHeaders: 'draft-8', identifier: 'preferences-link' }),
  };
}
