// Picks the Mailer from the configuration: SMTP when SMTP_URL is set, otherwise the outbox of .eml
// files under DATA_DIR/outbox. Called once by the composition root; nothing connects until a send.
import type { Logger } from '../log/logger.ts';
import type { DkimSign } from './dkim.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';
import type { Mailer } from './types.ts';

export interface MailerOptions {
  /** SMTP_URL; unset or empty: the outbox */
  smtpUrl?: string | undefined;
  /** DATA_DIR/outbox */
  outboxDir: string;
  /** SEND_CONCURRENCY: pooled SMTP connections */
  concurrency: number;
  /** SMTP_TIMEOUT in ms */
  timeoutMs: number;
  /** SMTP_REPLY_TIMEOUT in ms */
  replyTimeoutMs?: number;
  /** DKIM_DOMAIN set: every message is signed */
  dkim?: DkimSign | undefined;
  log?: Logger;
}

export function createMailer({ smtpUrl, outboxDir, concurrency, timeoutMs, replyTimeoutMs, dkim, log }: MailerOptions): Mailer {
  if (smtpUrl) return createSmtpMailer({ url: smtpUrl, concurrency, timeoutMs, dkim, ...(replyTimeoutMs ? { replyTimeoutMs } : {}), ...(log ? { log } : {}) });
  return createOutboxMailer({ dir: outboxDir, dkim });
}
