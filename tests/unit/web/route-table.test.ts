import express from 'express';
import { describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../../src/web/admin/router.ts';
import { dashboardRoutes } from '../../../src/web/dashboard/router.ts';
import { duplicateRoutes, mountRoutes } from '../../../src/web/route-table.ts';

const noLimit: express.RequestHandler = (_req, _res, next) => next();

describe('route tables', () => {
  it('finds a method and path that two rows share, and only those', () => {
    const routes = [
      { method: 'get', path: '/a' },
      { method: 'post', path: '/a' },
      { method: 'get', path: '/a' },
      { method: 'get', path: '/b' },
    ] as const;
    expect(duplicateRoutes(routes)).toEqual(['GET /a']);
    expect(duplicateRoutes(routes.slice(1))).toEqual([]);
  });

  it('the admin API and the dashboard define each method and path once', () => {
    expect(duplicateRoutes(ADMIN_ROUTES)).toEqual([]);
    expect(duplicateRoutes(dashboardRoutes({ login: noLimit }))).toEqual([]);
  });

  it('every dashboard POST but the login stands behind the session gate (which checks the CSRF token)', () => {
    const open = dashboardRoutes({ login: noLimit }).filter((r) => r.method === 'post' && r.auth !== 'session');
    expect(open.map((r) => r.path)).toEqual(['/login']);
    expect(dashboardRoutes({ login: noLimit }).find((r) => r.path === '/login' && r.method === 'post')?.limit).toBe(noLimit);
  });

  it('refuses a table with a row defined twice, or a row whose gate is not given', () => {
    const handler = () => undefined;
    const twice = [
      { method: 'get', path: '/x', auth: 'open', handler },
      { method: 'get', path: '/x', auth: 'open', handler },
    ] as const;
    expect(() => mountRoutes(express.Router(), null, twice, [['open', []]])).toThrow('routes defined twice: GET /x');
    expect(() => mountRoutes(express.Router(), null, [{ method: 'post', path: '/y', auth: 'session', handler }], [['open', []]])).toThrow(
      'routes without a gate: POST /y (session)',
    );
  });
});
