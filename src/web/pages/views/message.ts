// Pages that only say something: a link that does not work, too many requests, a body that is too
// large, the mail server down, an error on our side. Never a stack trace, never SQL.
import { html, type Html } from '../html.ts';
import { card, layout, type Chrome } from './layout.ts';

export interface Message {
  title: string;
  heading: string;
  body: Html;
  tone?: 'info' | 'error';
}

export function messagePage(chrome: Chrome, message: Message): string {
  return layout(chrome, { title: message.title, main: card({ tone: message.tone ?? 'error', heading: message.heading, body: message.body }), noindex: true });
}

const home = html`<p><a class="button button-secondary" href="/">Go to the subscribe page</a></p>`;

/** What each refusal says to the reader, by stable code (statuses are chosen in errors.ts). */
export const MESSAGES: Record<string, Message> = {
  TOKEN_MISSING: {
    title: 'Link incomplete',
    heading: 'This link is incomplete',
    body: html`<p>The address is missing its key. Open the link straight from the email, or copy the whole address into your browser.</p>`,
  },
  TOKEN_MALFORMED: {
    title: 'Link incomplete',
    heading: 'This link is incomplete',
    body: html`<p>Part of the address seems to be missing, as can happen when a long link is copied or wrapped. \
Open the link straight from the email, or copy the whole address into your browser.</p>`,
  },
  TOKEN_FORGED: {
    title: 'Link not recognised',
    heading: "We didn't send this link",
    body: html`<p>This link does not carry our signature, so it was changed or made up. Use the link exactly as it came in our email.</p>${home}`,
  },
  TOKEN_WRONG_PURPOSE: {
    title: 'Wrong page',
    heading: 'This link belongs to another page',
    body: html`<p>The key in this address is for a different page (for example, a confirmation link used to unsubscribe). \
Use the link in the email for what you want to do.</p>`,
  },
  TOKEN_EXPIRED: {
    title: 'Link expired',
    heading: 'This link has expired',
    body: html`<p>Confirmation links work for 7 days. Subscribe again and we'll send a fresh one.</p>${home}`,
  },
  LINK_USED: {
    title: 'Link already used',
    heading: 'This link was already used',
    body: html`<p>This subscription was already confirmed with it. \
Every email we send has a link to your preferences; to start over, subscribe again.</p>${home}`,
  },
  LINK_REPLACED: {
    title: 'Link replaced',
    heading: 'A newer email replaced this link',
    body: html`<p>We sent another confirmation email since this one, and only its link works. \
Look for the latest email from us, or subscribe again for a fresh link.</p>${home}`,
  },
  LINK_SUBSCRIBER_GONE: {
    title: 'Subscription not found',
    heading: 'This subscription no longer exists',
    body: html`<p>There is nothing to change for this link any more. You can subscribe again at any time.</p>${home}`,
  },
  LINK_NOT_FOUND: {
    title: 'Not found',
    heading: 'Nothing to find here',
    body: html`<p>This link points to a digest, a paper or a topic that is not yours, or no longer there. Use the links in your latest email.</p>${home}`,
  },
  FEED_GONE: {
    title: 'Feed ended',
    heading: 'This feed has ended',
    body: html`<p>The subscription behind this feed is no longer active, so the feed stopped. You can subscribe again at any time.</p>${home}`,
  },
  NOT_ACTIVE: {
    title: 'Not active',
    heading: 'This subscription is not active',
    body: html`<p>Preferences can only change while the subscription is active. Nothing was saved.</p>${home}`,
  },
  RATE_LIMITED: {
    title: 'Too many requests',
    heading: 'Slow down a little',
    body: html`<p>We got many requests from you or for this address in a short time. Please wait a while and try again.</p>${home}`,
  },
  BODY_TOO_LARGE: {
    title: 'Too much text',
    heading: 'That was too much text',
    body: html`<p>The form sent more than we accept (16 kB). Shorten your topics and try again.</p>${home}`,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    title: 'Unsupported request',
    heading: "We couldn't read that request",
    body: html`<p>This page accepts an ordinary HTML form (application/x-www-form-urlencoded, UTF-8).</p>${home}`,
  },
  BAD_REQUEST: {
    title: 'Bad request',
    heading: "We couldn't read that request",
    body: html`<p>Something in the request was not as expected. Please go back and try again.</p>${home}`,
  },
  NOT_FOUND: {
    title: 'Not found',
    heading: 'Page not found',
    body: html`<p>There is no page at this address.</p>${home}`,
  },
  INTERNAL: {
    title: 'Something went wrong',
    heading: 'Something went wrong on our side',
    body: html`<p>The error is logged and nothing was lost on your side. Please try again in a minute.</p>${home}`,
  },
};
