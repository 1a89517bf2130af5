// Debian's nginx in front of `serve`, with the README's server block (TLS with a certificate made
// here, on a free port, as an unprivileged user with its own prefix): the links in the emails use
// BASE_URL, the rate limits see each client's own address through TRUST_PROXY (one made-up
// X-Forwarded-For does not help a client), and a digest's RFC 8058 one-click unsubscribe works
// through the proxy. Clients come from different loopback addresses (127.0.0.2, 127.0.0.3).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cli.ts';
import { freshDataDir, migratedPostgresUrl } from '../../support/databases.ts';
import { freePort } from '../../support/ports.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { SEEDS, startServe, type ServeChild } from '../serve/serve-child.ts';
import { parseJson, type Page } from '../../support/json-body.ts';

const NGINX = '/usr/sbin/nginx';
const skip = !existsSync(NGINX) && !process.env.PAPERBOY_REQUIRE_TOOLS; // .ci/run requires it: there, missing fails instead of skipping
const HOST = 'papers.example.org';
const TOKEN = 'a-long-enough-admin-token-for-tests';

/** The README's nginx block, pointed at this test's port, certificate and serve. */
function readmeBlock(port: number, dir: string, upstream: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- nginx:start -->\n```nginx\n([\s\S]*?)```\n<!-- nginx:end -->/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no nginx block between <!-- nginx:start --> and <!-- nginx:end -->');
  const replaced = block
    .replace('listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`)
    .replace(/ssl_certificate +\S+;/, `ssl_certificate ${dir}/cert.pem;`)
    .replace(/ssl_certificate_key +\S+;/, `ssl_certificate_key ${dir}/key.pem;`)
    .replace('proxy_pass http://127.0.0.1:3000;', `proxy_pass ${upstream};`);
  for (const [what, mark] of [
    ['port', String(port)],
    ['certificate', `${dir}/cert.pem`],
    ['upstream', upstream],
  ]) {
    if (!replaced.includes(mark!)) throw new Error(`the README's nginx block changed: cannot set its ${what}`);
  }
  return replaced;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe.skipIf(skip)('nginx in front of serve', () => {
  let dir: string;
  let nginx: ChildProcess;
  let nginxLog = '';
  let serve: ServeChild;
  let sink: SmtpSink;
  let port: number;
  let cert: Buffer;
  const base = () => `https://${HOST}:${port}`;

  /** One HTTPS request to nginx, from a loopback address of its own, as a browser for papers.example.org. */
  const call = (from: string, method: string, pathAndQuery: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          servername: HOST,
          ca: cert,
          localAddress: from,
          method,
          path: pathAndQuery,
          headers: {
            host: `${HOST}:${port}`,
            ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const subscribe = (from: string, email: string, headers: Record<string, string> = {}) =>
    call(from, 'POST', '/subscribe', new URLSearchParams({ email, topics: 'scaling laws', frequency: 'daily' }).toString(), headers);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-nginx-'));
    await chmod(dir, 0o755);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${HOST}`,
        '-addext',
        `subjectAltName=DNS:${HOST}`,
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(`${dir}/cert.pem`);
    port = await freePort();
    sink = await startSmtpSink();
    serve = await startServe({
      DATABASE_URL: await migratedPostgresUrl(),
      DATA_DIR: await freshDataDir(),
      SNAPSHOT_SOURCE: SEEDS,
      BASE_URL: `https://${HOST}:${port}`,
      TRUST_PROXY: '1',
      SMTP_URL: sink.url,
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    });
    await serve.waitForHealth((h) => h.lastIngest?.status === 'ok');

    const conf = `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 64; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${readmeBlock(port, dir, serve.url)}
}
`;
    writeFileSync(`${dir}/nginx.conf`, conf);
    mkdirSync(`${dir}/logs`);
    const root = process.getuid?.() === 0;
    if (root) for (const f of ['', '/logs', '/key.pem', '/cert.pem', '/nginx.conf']) chownSync(`${dir}${f}`, 65534, 65534);
    // unprivileged (nobody, as root), its own prefix and config, in the foreground
    nginx = spawn(NGINX, ['-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`, '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(root ? { uid: 65534, gid: 65534 } : {}),
    });
    nginx.stdout!.on('data', (d) => (nginxLog += d));
    nginx.stderr!.on('data', (d) => (nginxLog += d));
    let up = false;
    for (let i = 0; i < 100 && !up && nginx.exitCode === null; i++) {
      up = await call('127.0.0.1', 'GET', '/healthz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error(`nginx did not start: ${nginxLog}\n${readFileSync(`${dir}/error.log`, 'utf8').slice(-2000)}`);
  }, 120_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.on('close', r));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await serve?.stop();
    await sink?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the rate limits see each client through TRUST_PROXY; a made-up X-Forwarded-For does not help', async () => {
    // ten subscriptions an hour per client address
    for (let i = 0; i < 10; i++) expect((await subscribe('127.0.0.2', `reader${i}@example.org`)).status).toBe(303);
    expect((await subscribe('127.0.0.2', 'reader10@example.org')).status).toBe(429);
    expect((await subscribe('127.0.0.2', 'reader11@example.org', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(429);
    // another client, through the same proxy, is not limited by the first one's count
    expect((await subscribe('127.0.0.3', 'other@example.org')).status).toBe(303);
  }, 60_000);

  it('links use BASE_URL; the confirmation and a digest go through the proxy; one-click unsubscribe works through it', async () => {
    const confirmation = await waitForMail(sink, 'other@example.org');
    const link = /https:\/\/[^\s"<>]+\/confirm\?token=[\w.-]+/.exec(confirmation.parsed.text ?? '')?.[0];
    expect(link?.startsWith(`${base()}/confirm?token=`), confirmation.parsed.text).toBe(true);
    const target = new URL(link!);
    const page = await call('127.0.0.3', 'GET', `${target.pathname}${target.search}`);
    expect(page.status).toBe(200);
    expect((await call('127.0.0.3', 'POST', `${target.pathname}${target.search}`, '')).status).toBeLessThan(400);

    // a digest for the confirmed reader, built through the proxy by the admin API
    const built = await call('127.0.0.1', 'POST', '/admin/digest', '{}', {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'content-length': '2',
    });
    expect(built.status, built.body).toBe(200);
    expect(JSON.parse(built.body)).toMatchObject({ kind: 'built', deliveries: 1 });
    const digest = await waitForMail(sink, 'other@example.org', (m) => m.header('List-Unsubscribe-Post') !== undefined);
    expect(digest.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = /<(https:[^>]+)>/.exec(digest.header('List-Unsubscribe')!)![1]!;
    expect(unsubscribe.startsWith(`${base()}/unsubscribe?token=`)).toBe(true);
    for (const [, href] of (digest.parsed.html || '').matchAll(/href="(https?:\/\/[^"]+)"/g)) {
      if (href!.includes(HOST)) expect(href!.startsWith(base()), href).toBe(true);
    }

    // RFC 8058: what a mail provider's server posts, no cookie, no login
    const u = new URL(unsubscribe);
    const oneClick = await call('127.0.0.4', 'POST', `${u.pathname}${u.search}`, 'List-Unsubscribe=One-Click');
    expect(oneClick.status).toBe(200);
    const subscribers = await call('127.0.0.1', 'GET', '/admin/subscribers?status=unsubscribed', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(parseJson<Page<{ email: string }>>(subscribers.body).items.map((s) => s.email)).toEqual(['other@example.org']);
  }, 60_000);
});

async function waitForMail(sink: SmtpSink, to: string, matches: (m: SmtpSink['messages'][number]) => boolean = () => true) {
  for (let i = 0; i < 200; i++) {
    const found = sink.messagesTo(to).filter(matches).at(-1);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}`);
}
