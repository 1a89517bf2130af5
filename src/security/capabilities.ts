// A token is a capability: what each purpose may reach is decided here. Read links (feed, archive:
// the archive and the web view of each digest) live outside the reader's mailbox — in feed readers, in a forwarded "View in your
// browser" — so they reach only pages that read, and those pages hand out read links only. Change
// links (confirm, preferences, unsubscribe, feedback) come only from the reader's own mailbox.
// Which route takes which purpose is each route's own check (readLink); what a page opened with a
// purpose may hand out is this table, enforced twice: by the link helpers a page builds its links
// with (web/pages/page-links.ts) and by a guard on every answer (web/pages/link-guard.ts).
// Erasing the reader's data (GET|POST /preferences/delete) takes a preferences link: a change link,
// from the reader's own mailbox, never a read link.
// CONTEXT.md "Links and what they may reach" is this file in words.
import type { TokenClaims, TokenPurpose, TokenSigner } from './tokens.ts';

export const READ_PURPOSES = ['archive', 'feed'] as const satisfies readonly TokenPurpose[];
export type ReadPurpose = (typeof READ_PURPOSES)[number];

export const isReadPurpose = (purpose: TokenPurpose): purpose is ReadPurpose => (READ_PURPOSES as readonly TokenPurpose[]).includes(purpose);

/**
 * The links (tokens, in links, forms, headers) an answer to a request opened with a token of each
 * purpose may carry — always the same reader's. A read link hands out read links only; a change
 * link may hand out what its own email holds beside it. No token: no links at all.
 */
export const HANDS_OUT = {
  confirm: ['confirm', 'preferences'],
  preferences: ['preferences', 'unsubscribe', 'archive', 'feed'],
  unsubscribe: ['unsubscribe', 'preferences'],
  feedback: ['feedback', 'preferences', 'archive'],
  archive: ['archive'],
  feed: ['feed'],
} as const satisfies Record<TokenPurpose, readonly TokenPurpose[]>;

/** The purposes whose pages may hand out a `T` link: `Opener<'preferences'>` is confirm | preferences | unsubscribe | feedback. */
export type Opener<T extends TokenPurpose> = { [P in TokenPurpose]: T extends (typeof HANDS_OUT)[P][number] ? P : never }[TokenPurpose];

export function mayHandOut(opened: TokenPurpose, purpose: TokenPurpose): boolean {
  return (HANDS_OUT[opened] as readonly TokenPurpose[]).includes(purpose);
}

/** A token as signed by tokens.ts: purpose.subscriber.expiry.nonce.mac (the mac: 43 base64url characters). */
const TOKEN = /(?<![\w.-])[a-z]\.[0-9a-z]+\.[0-9a-z]*\.[\w-]*\.[\w-]{43}(?![\w-])/g;

/**
 * The tokens in `text` (an answer's body and headers) that an answer opened with `opened` (null: no
 * valid token) must not carry: another reader's, or a purpose it may not hand out. Only what we
 * signed counts; a token-shaped string that is not ours is nobody's capability.
 */
export function tokensWithheld(signer: TokenSigner, opened: Pick<TokenClaims, 'purpose' | 'subscriberId'> | null, text: string): TokenClaims[] {
  const withheld: TokenClaims[] = [];
  const seen = new Set<string>();
  for (const [token] of text.replace(/%2e/gi, '.').matchAll(TOKEN)) {
    if (seen.has(token)) continue;
    seen.add(token);
    const claims = signer.claimsOf(token);
    if (!claims) continue;
    if (!opened || claims.subscriberId !== opened.subscriberId || !mayHandOut(opened.purpose, claims.purpose)) withheld.push(claims);
  }
  return withheld;
}
