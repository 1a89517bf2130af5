// One delivery's email: the rendered digest plus the headers a mail client needs (RFC 2369 / 8058
// unsubscribe, List-Id) and a Message-ID that names the delivery and its attempt. Pure.
import type { Config } from '../config/config.ts';
import { PRODUCT_NAME } from '../config/product.ts';
import type { RenderedEmail } from '../render/types.ts';
import { mailDomain, type SubscriberLinks } from './links.ts';
import type { OutgoingMessage } from './types.ts';

export interface ComposeOptions {
  from: string;
  replyTo?: string | undefined;
  domain: string;
  productName: string;
}

/** The From/List-Id/Message-ID settings of outgoing mail, from the configuration. */
export function composeOptions(config: Pick<Config, 'MAIL_FROM' | 'MAIL_REPLY_TO' | 'BASE_URL'>): ComposeOptions {
  return { from: config.MAIL_FROM, replyTo: config.MAIL_REPLY_TO, domain: mailDomain(config.BASE_URL), productName: PRODUCT_NAME };
}

/** With BOUNCE_DOMAIN: the delivery's signed return path (VERP) and the subscriber's mailto unsubscribe. */
export interface BounceAddresses {
  returnPath: string;
  unsubscribeMailto: string;
}

export function composeDigestMessage(
  options: ComposeOptions,
  delivery: { email: string; messageId: string },
  rendered: RenderedEmail,
  links: SubscriberLinks,
  bounce?: BounceAddresses,
): OutgoingMessage {
  const unsubscribe = bounce ? `<${links.unsubscribeUrl}>, <mailto:${bounce.unsubscribeMailto}?subject=unsubscribe>` : `<${links.unsubscribeUrl}>`;
  return {
    from: options.from,
    to: delivery.email,
    ...(options.replyTo ? { replyTo: options.replyTo } : {}),
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: delivery.messageId,
    ...(bounce ? { returnPath: bounce.returnPath } : {}),
    headers: {
      'List-Unsubscribe': unsubscribe,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `${options.productName} digest <digest.${options.domain}>`,
      'X-Auto-Response-Suppress': 'OOF, AutoReply',
    },
  };
}

/** A transactional email (confirmation, preferences): no list headers but unsubscribe when given. */
export function composeTransactionalMessage(
  options: ComposeOptions,
  to: string,
  messageId: string,
  rendered: RenderedEmail,
  unsubscribeUrl?: string,
): OutgoingMessage {
  return {
    from: options.from,
    to,
    ...(options.replyTo ? { replyTo: options.replyTo } : {}),
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId,
    headers: unsubscribeUrl ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
  };
}
