// The dashboard's login: ADMIN_TOKEN once, then a session cookie (HttpOnly, SameSite=Strict, Path=/admin,
// Secure behind https), HMAC-signed with a key derived from ADMIN_TOKEN — every process that shares the
// token accepts it, and changing the token ends every session; logging out ends it in the database
// (db/admin-sessions.ts), where every process looks. Each form carries a CSRF token derived from the
// session (a synchronizer token without server state).
// A browser that logged in once also keeps a **device cookie** (Path=/admin/ui/login, 180 days): its
// wrong tokens are counted apart from its address's, so strangers guessing from the same address
// (everyone behind a proxy without TRUST_PROXY) never lock it out — OWASP's "device cookies".
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'paperboy_admin';
export const SESSION_TTL_MS = 12 * 3600_000;
export const DEVICE_COOKIE = 'paperboy_admin_device';
export const DEVICE_TTL_MS = 180 * 24 * 3600_000;

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
    return this.sign('session', now.getTime() + SESSION_TTL_MS);
  }

  /** The session of a cookie value, or null (missing, forged, expired). Ended sessions: the caller asks the database. */
  read(value: string | undefined, now: Date): Session | null {
    return this.verify('session', value, now);
  }

  /** A device cookie for a browser that just logged in. */
  issueDevice(now: Date): { value: string; device: Session } {
    const { value, session } = this.sign('device', now.getTime() + DEVICE_TTL_MS);
    return { value, device: session };
  }

  /** The device id of a device cookie value, or null. */
  readDevice(value: string | undefined, now: Date): string | null {
    return this.verify('device', value, now)?.nonce ?? null;
  }

  private sign(purpose: 'session' | 'device', expiresAt: number): { value: string; session: Session } {
    const session = { nonce: randomBytes(16).toString('base64url'), expiresAt };
    const body = `${session.expiresAt.toString(36)}.${session.nonce}`;
    return { value: `${body}.${this.mac(purpose, body)}`, session };
  }

  private verify(purpose: 'session' | 'device', value: string | undefined, now: Date): Session | null {
    if (!value || value.length > 200) return null;
    const parts = value.split('.');
    if (parts.length !== 3) return null;
    const [expiry, nonce, mac] = parts as [string, string, string];
    if (!same(mac, this.mac(purpose, `${expiry}.${nonce}`))) return null;
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
