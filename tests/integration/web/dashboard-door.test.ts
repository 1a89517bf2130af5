// The dashboard's door on a real PostgreSQL: logging out ends the session for every process (the
// cookie copied before logging out no longer opens anything), only wrong tokens count towards the
// lockout, a browser that logged in before is never locked out by strangers' wrong tokens from its
// address, and behind a proxy without TRUST_PROXY the lockout page and the overview say so.
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp } from '../../../src/web/app.ts';
import { LOCKOUT_ATTEMPTS } from '../../../src/web/dashboard/login.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';

const TOKEN = 'dashboard-door-admin-token-0123456789';

/** The value of a Set-Cookie of the answer ("name=value"), or undefined. */
const setCookie = (res: request.Response, name: string) =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];

describe('the dashboard login and logout (PostgreSQL)', () => {
  let app: TestApp;
  /** one app per process that shares the database: state lives in the database, never in a process */
  let web: Express;
  let other: Express;

  const login = (on: Express, token = TOKEN, headers: Record<string, string> = {}) =>
    request(on).post('/admin/ui/login').set(headers).type('form').send({ token });
  const csrfOf = async (on: Express, cookie: string) =>
    /name="_csrf" value="([^"]+)"/.exec((await request(on).get('/admin/ui').set('Cookie', cookie).expect(200)).text)![1]!;

  beforeAll(async () => {
    app = await startTestApp('postgres', { ADMIN_TOKEN: TOKEN });
    web = createWebApp(app.ctx, { requestLog: false });
    other = createWebApp(app.ctx, { requestLog: false });
  });
  afterAll(() => app?.close());

  it('logging out ends the session everywhere: a copy of its cookie opens nothing, in any process', async () => {
    const res = await login(web).expect(303);
    const session = setCookie(res, 'paperboy_admin')!;
    const csrf = await csrfOf(web, session);
    await request(other).get('/admin/ui').set('Cookie', session).expect(200); // another process takes it

    const out = await request(web).post('/admin/ui/logout').set('Cookie', session).type('form').send({ _csrf: csrf }).expect(303);
    expect(setCookie(out, 'paperboy_admin')).toBe('paperboy_admin='); // the browser forgets it …
    for (const on of [web, other]) {
      // … and a copy kept (another tab, a stolen cookie) is refused for the 12 hours it was signed for
      const page = await request(on).get('/admin/ui').set('Cookie', session).expect(303);
      expect(page.headers.location).toBe('/admin/ui/login');
      await request(on).post(`/admin/ui/subscribers/1/reactivate`).set('Cookie', session).type('form').send({ _csrf: csrf }).expect(401);
    }
    expect(await app.ctx.db.prisma.adminSessionEnd.count()).toBe(1);
    expect(app.captured.events('admin.logout')).toHaveLength(1);
    // a new login works as before
    await request(web)
      .get('/admin/ui')
      .set('Cookie', setCookie(await login(web).expect(303), 'paperboy_admin')!)
      .expect(200);
  });

  it('right tokens never count towards the lockout', async () => {
    const fresh = createWebApp(app.ctx, { requestLog: false });
    for (let i = 0; i < LOCKOUT_ATTEMPTS + 5; i++) await login(fresh).expect(303);
  });

  it('strangers behind the same proxy (TRUST_PROXY unset) lock the address out, not a browser that logged in before; both pages say why', async () => {
    const proxied = createWebApp(app.ctx, { requestLog: false });
    const operator = await login(proxied, TOKEN, { 'X-Forwarded-For': '203.0.113.7' }).expect(303);
    const device = setCookie(operator, 'paperboy_admin_device')!;
    expect(device).toMatch(/^paperboy_admin_device=\S+/);
    expect(([] as string[]).concat(operator.headers['set-cookie'] ?? []).find((c) => c.startsWith('paperboy_admin_device='))).toMatch(
      /Path=\/admin\/ui\/login; .*HttpOnly; SameSite=Strict/,
    );

    for (let i = 0; i < LOCKOUT_ATTEMPTS; i++) {
      const wrong = await login(proxied, `guess-${i}`, { 'X-Forwarded-For': `198.51.100.${i}` });
      expect(wrong.status).toBe(200); // the form again, with the error
      expect(wrong.text).toContain('That is not the admin token.');
    }
    const locked = await login(proxied, 'one-more-guess', { 'X-Forwarded-For': '198.51.100.99' }).expect(429);
    expect(locked.text).toContain('These requests come through a proxy, and TRUST_PROXY is unset.');
    expect(locked.text).toContain('TRUST_PROXY=1');
    // the right token from a browser without the device cookie: the address is locked out
    await login(proxied, TOKEN, { 'X-Forwarded-For': '192.0.2.1' }).expect(429);
    // the operator's own browser is counted apart: it gets in
    const back = await request(proxied)
      .post('/admin/ui/login')
      .set({ 'X-Forwarded-For': '203.0.113.7', Cookie: device })
      .type('form')
      .send({ token: TOKEN })
      .expect(303);
    const session = setCookie(back, 'paperboy_admin')!;
    const overview = await request(proxied).get('/admin/ui').set({ 'X-Forwarded-For': '203.0.113.7', Cookie: session }).expect(200);
    expect(overview.text).toMatch(/This page came through a proxy .* but <code>TRUST_PROXY<\/code> is unset/s);
    expect(app.captured.events('admin.login_locked').at(-1)).toMatchObject({ proxyWithoutTrustProxy: true, knownBrowser: false });
    expect(app.captured.events('http.proxy_untrusted')).toHaveLength(1); // said once per process, in the log
  });

  it('a forged or expired device cookie is no way around the lockout', async () => {
    const fresh = createWebApp(app.ctx, { requestLog: false });
    for (let i = 0; i < LOCKOUT_ATTEMPTS; i++) await login(fresh, `guess-${i}`).expect(200);
    await request(fresh).post('/admin/ui/login').set('Cookie', 'paperboy_admin_device=lzzzzzzz.forged.AAAA').type('form').send({ token: TOKEN }).expect(429);
  });

  it('with TRUST_PROXY set, the overview says nothing about it', async () => {
    const trusting = await startTestApp('postgres', { ADMIN_TOKEN: TOKEN, TRUST_PROXY: '1' });
    try {
      const on = createWebApp(trusting.ctx, { requestLog: false });
      const session = setCookie(await login(on, TOKEN, { 'X-Forwarded-For': '203.0.113.7' }).expect(303), 'paperboy_admin')!;
      const overview = await request(on).get('/admin/ui').set({ 'X-Forwarded-For': '203.0.113.7', Cookie: session }).expect(200);
      expect(overview.text).not.toContain('TRUST_PROXY');
      expect(trusting.captured.events('http.proxy_untrusted')).toHaveLength(0);
    } finally {
      await trusting.close();
    }
  });
});
