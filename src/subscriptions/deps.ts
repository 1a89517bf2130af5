// What the subscription steps need, and the parts of the composition root's context they are cut
// from (declared here: the root, app/, hands its context in; subscriptions never import app/).
import type { Config } from '../config/config.ts';
import { PRODUCT_NAME } from '../config/product.ts';
import type { Database, Sql } from '../db/database.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { composeOptions, type ComposeOptions } from '../deliver/compose-message.ts';
import type { Mailer } from '../deliver/types.ts';
import type { Logger } from '../log/logger.ts';
import type { TokenSigner } from '../security/tokens.ts';

/** A confirmation link works for a week. */
const CONFIRM_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * A subscription mail is tried again on temporary errors for as long as a confirm link works: until
 * then (from when it was queued, or re-sent by an operator), then it is failed.
 */
export const mailRetryUntil = (now: Date): Date => new Date(now.getTime() + CONFIRM_TTL_MS);

export interface SubscriptionDeps {
  prisma: PrismaClient;
  /** the plain pool, for the reader's pages read most (archive, feedback) */
  sql: Sql;
  mailer: Mailer;
  tokens: TokenSigner;
  log: Logger;
  now: () => Date;
  /** BASE_URL: the links in the emails */
  baseUrl: string;
  productName: string;
  compose: ComposeOptions;
  confirmTtlMs: number;
  /** PREFERENCES_MAIL_DELAY: the "preferences updated" email waits this long, gathering later changes */
  preferencesMailDelayMs: number;
  /** the one-off emails' loop (mail-queue.ts), woken once a step has queued one */
  mailQueue?: { wake(): void };
}

/** The parts of the context the subscription steps are built from. */
export interface SubscriptionParts {
  config: Pick<Config, 'BASE_URL' | 'MAIL_FROM' | 'MAIL_REPLY_TO' | 'PREFERENCES_MAIL_DELAY'>;
  db: Pick<Database, 'prisma' | 'sql'>;
  mailer: Mailer;
  tokens: TokenSigner;
  log: Logger;
  now: () => Date;
}

export function subscriptionDeps(ctx: SubscriptionParts, overrides: Partial<SubscriptionDeps> = {}): SubscriptionDeps {
  return {
    prisma: ctx.db.prisma,
    sql: ctx.db.sql,
    mailer: ctx.mailer,
    tokens: ctx.tokens,
    log: ctx.log,
    now: ctx.now,
    baseUrl: ctx.config.BASE_URL,
    productName: PRODUCT_NAME,
    compose: composeOptions(ctx.config),
    confirmTtlMs: CONFIRM_TTL_MS,
    preferencesMailDelayMs: ctx.config.PREFERENCES_MAIL_DELAY,
    ...overrides,
  };
}
