// The one-off emails of the subscription steps: rendered from the MJML templates (render/), composed
// with the From/Reply-To of every email, handed to the mailer. A failed send throws SendError.
import { randomBytes } from 'node:crypto';
import { composeTransactionalMessage } from '../deliver/compose-message.ts';
import { confirmUrl, subscriberLinks } from '../deliver/links.ts';
import type { SendReceipt } from '../deliver/types.ts';
import { renderConfirmation, renderPreferencesChanged, renderPreferencesLink, type RenderedEmail } from '../render/index.ts';
import type { FrequencyChoice } from '../render/frequency-line.ts';
import type { SubscriptionDeps } from './deps.ts';

type MailDeps = Pick<SubscriptionDeps, 'mailer' | 'tokens' | 'baseUrl' | 'productName' | 'compose' | 'now' | 'confirmTtlMs'>;

interface Recipient extends FrequencyChoice {
  id: number;
  email: string;
  topics: string[];
}

/** "confirm-12.9f2c…@papers.example.org": names the kind and the subscriber, unique per email. */
const messageId = (deps: MailDeps, kind: string, id: number): string => `${kind}-${id}.${randomBytes(6).toString('hex')}@${deps.compose.domain}`;

async function send(deps: MailDeps, kind: string, to: Recipient, rendered: RenderedEmail, unsubscribeUrl?: string): Promise<SendReceipt> {
  return deps.mailer.send(composeTransactionalMessage(deps.compose, to.email, messageId(deps, kind, to.id), rendered, unsubscribeUrl));
}

/** The double opt-in email: a signed link that carries the subscriber's current nonce and expires. */
export async function sendConfirmation(deps: MailDeps, to: Recipient, nonce: string): Promise<SendReceipt> {
  const expiresAt = new Date(deps.now().getTime() + deps.confirmTtlMs);
  const rendered = await renderConfirmation({
    productName: deps.productName,
    baseUrl: deps.baseUrl,
    email: to.email,
    topics: to.topics,
    frequency: to.frequency,
    weeklyDay: to.weeklyDay,
    confirmUrl: confirmUrl(deps.tokens, deps.baseUrl, to.id, nonce, expiresAt),
    expiresAt,
  });
  // No List-Unsubscribe: a pending address is on no list, and this is the only email it gets.
  return send(deps, 'confirm', to, rendered);
}

/** To an active address that asked to subscribe again: the way to its preferences. */
export async function sendPreferencesLink(deps: MailDeps, to: Recipient): Promise<SendReceipt> {
  const links = subscriberLinks(deps.tokens, deps.baseUrl, to.id);
  const rendered = await renderPreferencesLink({
    productName: deps.productName,
    baseUrl: deps.baseUrl,
    email: to.email,
    topics: to.topics,
    frequency: to.frequency,
    weeklyDay: to.weeklyDay,
    ...links,
  });
  return send(deps, 'preferences-link', to, rendered, links.unsubscribeUrl);
}

/** After a change on the preferences page: what they are now, and how to undo it. */
export async function sendPreferencesChanged(deps: MailDeps, to: Recipient & { paused: boolean; pausedUntil?: Date | null }): Promise<SendReceipt> {
  const links = subscriberLinks(deps.tokens, deps.baseUrl, to.id);
  const rendered = await renderPreferencesChanged({
    productName: deps.productName,
    baseUrl: deps.baseUrl,
    email: to.email,
    topics: to.topics,
    frequency: to.frequency,
    weeklyDay: to.weeklyDay,
    paused: to.paused,
    pausedUntil: to.paused ? (to.pausedUntil ?? null) : null,
    ...links,
  });
  return send(deps, 'preferences-changed', to, rendered, links.unsubscribeUrl);
}
