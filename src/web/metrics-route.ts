// GET /metrics: Prometheus text format (prom-client), optionally behind METRICS_TOKEN.
import { Router } from 'express';
import type { Metrics } from '../observe/metrics.ts';
import { bearerAuth } from './admin/auth.ts';

export function metricsRouter(metrics: Metrics, token: string | undefined): Router {
  const router = Router();
  const handlers = token ? [bearerAuth(token, 'paperboy metrics')] : [];
  router.get('/metrics', ...handlers, async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
