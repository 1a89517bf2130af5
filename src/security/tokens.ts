// Signed tokens in the links of emails (confirm, preferences, unsubscribe; the reader's space: archive
// and web views, feeds, feedback). A token says what it
// is for, whom, and until when; it is HMAC-SHA256 signed with SECRET_KEY and checked in constant
// time. A confirm token cannot unsubscribe and an unsubscribe token cannot confirm. Which purpose
// reaches which page, and which links each page may hand out: capabilities.ts.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose =
  | 'confirm'
  | 'preferences'
  | 'unsubscribe'
  /** reads the reader's archive and the web view of each digest they were sent */
  | 'archive'
  /** reads the reader's Atom and JSON feeds (a URL that goes into a feed reader: it reads, nothing more) */
  | 'feed'
  /** the feedback pages of the links in a digest (more like this, not relevant, mute a topic) */
  | 'feedback';

export interface TokenClaims {
  purpose: TokenPurpose;
  subscriberId: number;
  /** confirm tokens carry the subscriber's current nonce: a newer confirmation email voids older links */
  nonce?: string;
  /** seconds since the epoch; absent = does not expire */
  expiresAt?: number;
}

export type TokenErrorCode = 'TOKEN_MISSING' | 'TOKEN_MALFORMED' | 'TOKEN_FORGED' | 'TOKEN_EXPIRED' | 'TOKEN_WRONG_PURPOSE';

export class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

const CODES: Record<TokenPurpose, string> = { confirm: 'c', preferences: 'p', unsubscribe: 'u', archive: 'a', feed: 'f', feedback: 'k' };
const PURPOSES = new Map<string, TokenPurpose>(Object.entries(CODES).map(([purpose, code]) => [code, purpose as TokenPurpose]));

export class TokenSigner {
  constructor(private readonly key: Buffer) {
    if (key.length < 16) throw new Error('the signing key must be at least 16 bytes');
  }

  sign(claims: TokenClaims): string {
    // purpose.subscriber.expiry.nonce — short, URL-safe, readable when debugging
    const body = [CODES[claims.purpose], claims.subscriberId.toString(36), claims.expiresAt?.toString(36) ?? '', claims.nonce ?? ''].join('.');
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a valid token for `purpose`, or a TokenError saying what is wrong with it. */
  verify(token: string | undefined | null, purpose: TokenPurpose, now: Date): TokenClaims {
    if (!token) throw new TokenError('TOKEN_MISSING', 'the link has no token');
    const claims = this.read(token);
    if (claims.purpose !== purpose) throw new TokenError('TOKEN_WRONG_PURPOSE', `this link is for another page (${claims.purpose})`);
    if (claims.expiresAt !== undefined && claims.expiresAt * 1000 <= now.getTime()) throw new TokenError('TOKEN_EXPIRED', 'the link has expired');
    return claims;
  }

  /**
   * What a token we signed says, whatever its purpose and expiry; null for anything we did not sign.
   * For looking at links (what a page hands out: web/pages/link-guard.ts), never for letting one in.
   */
  claimsOf(token: string): TokenClaims | null {
    try {
      return this.read(token);
    } catch {
      return null;
    }
  }

  /** The claims of a token whose signature checks, before its purpose and expiry are looked at. */
  private read(token: string): TokenClaims {
    const parts = token.split('.');
    if (parts.length !== 5 || token.length > 200) throw new TokenError('TOKEN_MALFORMED', 'the link is incomplete or damaged');
    const [code, id, expiry, nonce, mac] = parts as [string, string, string, string, string];
    const expected = Buffer.from(this.mac(parts.slice(0, 4).join('.')));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new TokenError('TOKEN_FORGED', 'the link is not one we sent');
    }
    const claimed = PURPOSES.get(code);
    const subscriberId = parseInt(id, 36);
    if (!claimed || !Number.isSafeInteger(subscriberId)) throw new TokenError('TOKEN_MALFORMED', 'the link is incomplete or damaged');
    const claims: TokenClaims = { purpose: claimed, subscriberId };
    if (expiry) claims.expiresAt = parseInt(expiry, 36);
    if (nonce) claims.nonce = nonce;
    return claims;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`paperboy.v1.${body}`).digest('base64url');
  }
}
