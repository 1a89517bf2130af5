// Who may hold a connection to the bounce receiver. Its address is public (the MX of BOUNCE_DOMAIN),
// so no one client, and no crowd of idle ones, may take the connections a real sender needs:
//   - at TCP accept (ClientSockets), one client — an IPv4 address, or an IPv6 /56 as
//     express-rate-limit groups them — holds at most `maxPerClient` sockets; the next is answered
//     421 and closed at once, before smtp-server's 100 ms early-talker wait would count it against
//     everyone's limit;
//   - at the greeting (admitConnection, pure), when all `maxConnections` are held, the connection
//     open the longest without a mail transaction under way (connected and silent, or between
//     messages) is closed to make room; a connection in a transaction is never closed for another
//     (the idle timeout and the session deadline bound those), and a newcomer is turned away (421,
//     try again later) only when every connection is busy.
import { ipKeyGenerator } from 'express-rate-limit';

export interface HeldConnection {
  /** a mail transaction is under way (MAIL FROM given, its message not yet answered) */
  busy: boolean;
  /** when it was let in (ms) */
  since: number;
}

export type GateDecision<C extends HeldConnection> = { admit: true; evict: C | null } | { admit: false };

/** The key a client's connections are counted under: its IPv4 address, or its IPv6 /56. */
export function clientKey(remoteAddress: string | undefined): string {
  return ipKeyGenerator(remoteAddress || 'unknown');
}

export function admitConnection<C extends HeldConnection>(held: readonly C[], maxConnections: number): GateDecision<C> {
  if (held.length < maxConnections) return { admit: true, evict: null };
  let oldest: C | null = null;
  for (const c of held) if (!c.busy && (!oldest || c.since < oldest.since)) oldest = c;
  return oldest ? { admit: true, evict: oldest } : { admit: false };
}

/** Sockets open per client, counted from accept to close. */
export class ClientSockets {
  private readonly open = new Map<string, number>();

  constructor(readonly maxPerClient: number) {}

  /** counts one more socket of this client, or says no (it holds its share already) */
  take(client: string): boolean {
    const n = this.open.get(client) ?? 0;
    if (n >= this.maxPerClient) return false;
    this.open.set(client, n + 1);
    return true;
  }

  release(client: string): void {
    const n = (this.open.get(client) ?? 1) - 1;
    if (n > 0) this.open.set(client, n);
    else this.open.delete(client);
  }

  /** clients with at least one socket open */
  get clients(): number {
    return this.open.size;
  }
}
