// Who may hold a connection to the bounce receiver — pure: the connections held, the newcomer and
// the limits in, a decision out. The receiver is reachable by anyone (its MX is public), so:
//   - one client (an IPv4 address, or an IPv6 /56 as express-rate-limit groups them) holds at most
//     `maxPerClient` connections: one host cannot take them all;
//   - when all `maxConnections` are held, the connection that has been open the longest without a
//     mail transaction under way (connected and idle, or between messages) is closed to make room:
//     many idle clients cannot lock a real sender out. A connection in a transaction is never
//     closed for another (the idle timeout and the session deadline bound those);
//   - a newcomer is turned away (421, "try again later") only when every connection is busy.
import { ipKeyGenerator } from 'express-rate-limit';

export interface HeldConnection {
  /** the client it comes from (clientKey) */
  client: string;
  /** a mail transaction is under way (MAIL FROM given, its message not yet answered) */
  busy: boolean;
  /** when it was let in (ms) */
  since: number;
}

export interface GateLimits {
  maxConnections: number;
  maxPerClient: number;
}

export type GateDecision<C extends HeldConnection> =
  | { admit: true; evict: C | null }
  | { admit: false; reason: 'client_limit' | 'full' };

/** The key a client's connections are counted under: its IPv4 address, or its IPv6 /56. */
export function clientKey(remoteAddress: string): string {
  return ipKeyGenerator(remoteAddress || 'unknown');
}

export function admitConnection<C extends HeldConnection>(held: readonly C[], client: string, limits: GateLimits): GateDecision<C> {
  if (held.filter((c) => c.client === client).length >= limits.maxPerClient) return { admit: false, reason: 'client_limit' };
  if (held.length < limits.maxConnections) return { admit: true, evict: null };
  let oldest: C | null = null;
  for (const c of held) if (!c.busy && (!oldest || c.since < oldest.since)) oldest = c;
  return oldest ? { admit: true, evict: oldest } : { admit: false, reason: 'full' };
}
