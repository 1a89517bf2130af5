// GET /healthz: is the database there, and which one. 503 when it is not.
import type { RequestHandler } from 'express';
import type { AppContext } from '../app/context.ts';

export function healthRoute(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const started = performance.now();
    try {
      await ctx.db.prisma.$queryRaw`SELECT 1`;
    } catch {
      res.status(503).json({ status: 'down', database: { kind: ctx.db.kind, ok: false } });
      return;
    }
    res.json({ status: 'ok', database: { kind: ctx.db.kind, ok: true, ms: Math.round(performance.now() - started) } });
  };
}
