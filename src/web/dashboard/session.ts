// The dashboard's login: ADMIN_TOKEN once, then a session cookie (HttpOnly, SameSite=Strict, Path=/admin,
// Secure behind https), stateless and HMAC-signed with a key derived from ADMIN_TOKEN — every process
// that shares the token accepts it, and changing the token ends every session. Each form carries a
// CSRF token derived from the session (a synchronizer token without server state).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'paperboy_admin';
export const SESSION_TTL_MS = 12 * 3600_000;

export interface Session {
  nonce: string;
  expiresAt: number;
}

const same = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

export class SessionSigner {
  private readonly key: Buffer;

  constructor(private readonly adminToken: string) {
    this.key = createHash('sha256').update(`paperboy.admin-session.v1\0${adminToken}`).digest();
  }

  /** The token typed at the login form, compared in constant time. */
  tokenMatches(typed: string): boolean {
    return same(typed.trim(), this.adminToken);
  }

  issue(now: Date): { value: string; session: Session } {
    const session = { nonce: randomBytes(16).toString('base64url'), expiresAt: now.getTime() + SESSION_TTL_MS };
    const body = `${session.expiresAt.toString(36)}.${session.nonce}`;
    return { value: `${body}.${this.mac('session', body)}`, session };
  }

  /** The session of a cookie value, or null (missing, forged, expired). */
  read(value: string | undefined, now: Date): Session | null {
    if (!value || value.length > 200) return null;
    const parts = value.split('.');
    if (parts.length !== 3) return null;
    const [expiry, nonce, mac] = parts as [string, string, string];
    if (!same(mac, this.mac('session', `${expiry}.${nonce}`))) return null;
    const expiresAt = parseInt(expiry, 36);
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= now.getTime()) return null;
    return { nonce, expiresAt };
  }

  csrfToken(session: Session): string {
    return this.mac('csrf', session.nonce);
  }

  csrfMatches(session: Session, given: unknown): boolean {
    return typeof given === 'string' && given.length > 0 && same(given, this.csrfToken(session));
  }

  private mac(purpose: string, body: string): string {
    return createHmac('sha256', this.key).update(`${purpose}.${body}`).digest('base64url');
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
