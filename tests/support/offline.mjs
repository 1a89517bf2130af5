// Tests never reach the internet. Loaded into every test process (vitest setupFiles) and every child
// process a test starts (NODE_OPTIONS=--import, tests/support/cli.ts): every host name but localhost
// fails to resolve, as on a machine without a network. Addresses (127.0.0.1, ::1) are untouched, so
// local servers work; SNAPSHOT_SOURCE's default (the live API) fails as it does offline.
import dns from 'node:dns';
import net from 'node:net';

const local = (host) => typeof host !== 'string' || net.isIP(host) !== 0 || /^(.+\.)?localhost\.?$/i.test(host);
const refused = (host) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: host });

if (!dns.lookup.paperboyOffline) {
  const lookup = dns.lookup;
  const offline = function (host, options, callback) {
    const done = typeof options === 'function' ? options : callback;
    if (!local(host)) return void process.nextTick(() => done(refused(host)));
    return lookup.call(this, host, options, callback);
  };
  offline.paperboyOffline = true;
  dns.lookup = offline;
  const lookupPromise = dns.promises.lookup;
  dns.promises.lookup = (host, options) => (local(host) ? lookupPromise(host, options) : Promise.reject(refused(host)));
}
