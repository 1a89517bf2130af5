// Who may hold a connection to the bounce receiver: one client never more than its share; when all
// are held, the one open the longest without a transaction makes room; busy ones are never closed.
import { describe, expect, it } from 'vitest';
import { admitConnection, clientKey, type HeldConnection } from '../../../src/inbound/connection-gate.ts';

const limits = { maxConnections: 4, maxPerClient: 2 };
const held = (client: string, since: number, busy = false): HeldConnection => ({ client, since, busy });

describe('the connection gate', () => {
  it('lets a client in while it and the receiver are under their limits', () => {
    expect(admitConnection([], 'a', limits)).toEqual({ admit: true, evict: null });
    expect(admitConnection([held('a', 1), held('b', 2)], 'a', limits)).toEqual({ admit: true, evict: null });
  });

  it('turns a client away at its own limit, even with room left and idle connections to close', () => {
    expect(admitConnection([held('a', 1), held('a', 2)], 'a', limits)).toEqual({ admit: false, reason: 'client_limit' });
    expect(admitConnection([held('a', 1), held('a', 2), held('b', 3), held('c', 4)], 'a', limits)).toEqual({ admit: false, reason: 'client_limit' });
  });

  it('when every connection is held, closes the idle one open the longest', () => {
    const all = [held('a', 5), held('b', 2, true), held('c', 3), held('d', 4)];
    expect(admitConnection(all, 'e', limits)).toEqual({ admit: true, evict: all[2] });
  });

  it('turns a newcomer away only when every connection is in a transaction', () => {
    const busy = [held('a', 1, true), held('b', 2, true), held('c', 3, true), held('d', 4, true)];
    expect(admitConnection(busy, 'e', limits)).toEqual({ admit: false, reason: 'full' });
  });

  it('counts IPv6 clients by /56 (one host has a whole prefix), IPv4 by address, mapped IPv4 as IPv4', () => {
    expect(clientKey('2001:db8:1:200:aaaa::1')).toBe(clientKey('2001:db8:1:2ff:bbbb::2'));
    expect(clientKey('2001:db8:1:100::1')).not.toBe(clientKey('2001:db8:1:200::1'));
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('192.0.2.7')).not.toBe(clientKey('192.0.2.8'));
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });
});
