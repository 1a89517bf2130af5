// Ids and cursors in the admin API that no row can have (above PostgreSQL's integer, 2^31 - 1):
// a clear 400 naming the field, never a 500 from the database.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp } from '../../../src/web/app.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';

const TOKEN = 'admin-token-for-the-ids-test';

describe('admin API ids beyond 2^31 (PostgreSQL)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('postgres', { ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => app?.close());

  it.each([
    ['GET', '/admin/digests/99999999999', 'id: must be at most 2147483647'],
    ['GET', '/admin/digests/99999999999/deliveries', 'id: must be at most 2147483647'],
    ['GET', '/admin/digests/1/deliveries?after=99999999999', 'after: must be at most 2147483647'],
    ['GET', '/admin/digests?before=99999999999', 'before: must be at most 2147483647'],
    ['GET', '/admin/subscribers?after=99999999999', 'after: must be at most 2147483647'],
    ['POST', '/admin/subscribers/99999999999/reactivate', 'id: must be at most 2147483647'],
    ['POST', '/admin/digests/99999999999/resume', 'id: must be at most 2147483647'],
    ['POST', '/admin/digests/99999999999/resend', 'id: must be at most 2147483647'],
    ['GET', '/admin/deliveries/unknown?digest=99999999999', 'digest: must be at most 2147483647'],
  ])('%s %s: 400', async (method, route, message) => {
    const http = createWebApp(app.ctx, { requestLog: false });
    const call = method === 'GET' ? request(http).get(route) : request(http).post(route).send({ onlyFailed: true });
    const res = await call.set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message } });
  });

  it('the largest id a row can have is a plain 404 or an empty page', async () => {
    const http = createWebApp(app.ctx, { requestLog: false });
    const res = await request(http).get('/admin/digests/2147483647').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(404);
    expect((await request(http).get('/admin/subscribers?after=2147483647').set('Authorization', `Bearer ${TOKEN}`)).body).toEqual({ items: [], next: null });
  });
});
