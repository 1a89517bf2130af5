// The pure parts of the embedded database and of the PGlite import: where the socket goes, how a
// connection error reads as the server's state, which table is copied before which.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parentsFirst } from '../../../src/db/copy-rows.ts';
import { embeddedLayout, serverSettings } from '../../../src/db/embedded/layout.ts';
import { stateOf } from '../../../src/db/embedded/server.ts';

describe('embeddedLayout', () => {
  it('keeps the cluster, its log and its socket under DATA_DIR', () => {
    const layout = embeddedLayout('./data');
    expect(layout.pgdata).toBe(path.resolve('data/postgres'));
    expect(layout.socketDir).toBe(layout.pgdata);
    expect(layout.log).toBe(path.resolve('data/postgres.log'));
    expect(layout.pglite).toBe(path.resolve('data/pglite'));
  });

  it('puts the socket in a short folder of the temp dir, one per cluster, when its path would not fit', () => {
    const deep = `/srv/${'x'.repeat(90)}/data`;
    const a = embeddedLayout(deep);
    expect(a.socketDir.startsWith(os.tmpdir())).toBe(true);
    expect(Buffer.byteLength(path.join(a.socketDir, '.s.PGSQL.5432'))).toBeLessThanOrEqual(100);
    expect(embeddedLayout(deep).socketDir).toBe(a.socketDir);
    expect(embeddedLayout(`${deep}2`).socketDir).not.toBe(a.socketDir);
  });

  it('listens on no TCP address, on the socket folder it chose', () => {
    const layout = embeddedLayout('/srv/paperboy');
    expect(serverSettings(layout)).toMatchObject({ listen_addresses: '', unix_socket_directories: layout.socketDir, port: '5432' });
  });
});

describe('stateOf (a connection error as the server state)', () => {
  const error = (code: string, message = '') => Object.assign(new Error(message), { code });
  it('reads no socket or a refused connection as absent, 57P03 as starting or stopping, a terminated session as stopping', () => {
    expect(stateOf(error('ENOENT'))).toBe('absent');
    expect(stateOf(error('ECONNREFUSED'))).toBe('absent');
    expect(stateOf(error('57P03', 'the database system is starting up'))).toBe('starting');
    expect(stateOf(error('57P03', 'the database system is shutting down'))).toBe('stopping');
    expect(stateOf(error('57P01', 'terminating connection due to administrator command'))).toBe('stopping');
    expect(stateOf(new Error('Connection terminated unexpectedly'))).toBe('stopping');
  });

  it('throws anything else as it is', () => {
    const denied = error('EACCES', 'connect EACCES /srv/data/postgres/.s.PGSQL.5432');
    expect(() => stateOf(denied)).toThrow(denied);
    expect(() => stateOf(error('28P01', 'password authentication failed'))).toThrow(/password/);
  });
});

describe('parentsFirst', () => {
  it('orders every table after the tables it references, whatever the input order', () => {
    const keys = [
      { child: 'delivery', parent: 'digest' },
      { child: 'delivery', parent: 'subscriber' },
      { child: 'digest', parent: 'snapshot' },
      { child: 'delivery_attempt', parent: 'delivery' },
      { child: 'paper', parent: 'paper' }, // a table that references itself
    ];
    const tables = ['delivery_attempt', 'delivery', 'paper', 'digest', 'subscriber', 'snapshot', 'worker'];
    const order = parentsFirst(tables, keys);
    expect([...order].sort()).toEqual([...tables].sort());
    for (const { child, parent } of keys) if (child !== parent) expect(order.indexOf(parent)).toBeLessThan(order.indexOf(child));
    expect(parentsFirst([...tables].reverse(), keys)).toEqual(order);
  });
});
