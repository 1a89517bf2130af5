// A router as a table: each route is a row — method, path, who may call it (auth) with any limit
// in front of it, and a small handler over the router's dependencies. mountRoutes() puts the rows
// on an express Router, a gate at a time (the gate's middleware first, then its routes, in table
// order), so a gate such as "a session and its CSRF token" stands in front of every route after it,
// as router.use() does.
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

type Method = 'get' | 'post' | 'delete';

export interface Route<D, Auth extends string, R extends Request = Request> {
  method: Method;
  path: string;
  auth: Auth;
  /** middleware in front of this route alone (a rate limit) */
  limit?: RequestHandler;
  handler: (deps: D, req: R, res: Response, next: NextFunction) => unknown;
}

/** "POST /digest" for each method and path that two rows share (none in a sound table). */
export function duplicateRoutes(routes: ReadonlyArray<{ method: Method; path: string }>): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const { method, path } of routes) {
    const key = `${method.toUpperCase()} ${path}`;
    if (seen.has(key)) twice.add(key);
    seen.add(key);
  }
  return [...twice];
}

/**
 * Mounts the table on `router`: for each gate in the order given, its middleware, then the routes
 * that name it. A row whose gate is not given, or a method and path defined twice, is refused.
 */
export function mountRoutes<D, Auth extends string, R extends Request>(
  router: Router,
  deps: D,
  routes: ReadonlyArray<Route<D, Auth, R>>,
  gates: ReadonlyArray<readonly [Auth, RequestHandler[]]>,
): void {
  const twice = duplicateRoutes(routes);
  if (twice.length) throw new Error(`routes defined twice: ${twice.join(', ')}`);
  const ungated = routes.filter((r) => !gates.some(([auth]) => auth === r.auth));
  if (ungated.length) throw new Error(`routes without a gate: ${ungated.map((r) => `${r.method.toUpperCase()} ${r.path} (${r.auth})`).join(', ')}`);
  for (const [auth, middleware] of gates) {
    if (middleware.length) router.use(...middleware);
    for (const route of routes.filter((r) => r.auth === auth)) {
      const handler: RequestHandler = (req, res, next) => route.handler(deps, req as R, res, next);
      router[route.method](route.path, ...(route.limit ? [route.limit] : []), handler);
    }
  }
}
