// Who may hold a connection to the bounce receiver: one client never more than its share of
// sockets; when all are held, the one open the longest without a transaction makes room; busy
// ones are never closed for another.
import { describe, expect, it } from 'vitest';
import { admitConnection, ClientSockets, clientKey, type HeldConnection } from '../../../src/inbound/connection-gate.ts';

const held = (since: number, busy = false): HeldConnection => ({ since, busy });

describe('the connection gate', () => {
  it('lets a newcomer in while connections are free', () => {
    expect(admitConnection([], 4)).toEqual({ admit: true, evict: null });
    expect(admitConnection([held(1), held(2)], 4)).toEqual({ admit: true, evict: null });
  });

  it('when every connection is held, closes the idle one open the longest', () => {
    const all = [held(5), held(2, true), held(3), held(4)];
    expect(admitConnection(all, 4)).toEqual({ admit: true, evict: all[2] });
  });

  it('turns a newcomer away only when every connection is in a transaction', () => {
    expect(admitConnection([held(1, true), held(2, true), held(3, true), held(4, true)], 4)).toEqual({ admit: false });
  });

  it("counts a client's sockets: its share, then no, then room again as they close", () => {
    const sockets = new ClientSockets(2);
    expect([sockets.take('a'), sockets.take('a'), sockets.take('a'), sockets.take('b')]).toEqual([true, true, false, true]);
    sockets.release('a');
    expect(sockets.take('a')).toBe(true);
    sockets.release('a');
    sockets.release('a');
    sockets.release('b');
    expect(sockets.clients).toBe(0);
  });

  it('counts IPv6 clients by /56 (one host has a whole prefix), IPv4 by address, mapped IPv4 as IPv4', () => {
    expect(clientKey('2001:db8:1:200:aaaa::1')).toBe(clientKey('2001:db8:1:2ff:bbbb::2'));
    expect(clientKey('2001:db8:1:100::1')).not.toBe(clientKey('2001:db8:1:200::1'));
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('192.0.2.7')).not.toBe(clientKey('192.0.2.8'));
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey(undefined)).toBe('unknown');
  });
});
