// One JSON line per HTTP request (pino-http, event `http.request`) with a request id (echoed in
// X-Request-Id), and request counts and durations by route for /metrics. The logged URL has no
// query string: links carry tokens, and a token must not end up in a log file.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../observe/metrics.ts';

export function requestLogging(log: Logger): RequestHandler {
  return pinoHttp({
    logger: log,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: () => ({ event: 'http.request' }),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    customSuccessMessage: (req, res) => `${req.method} ${pathOnly(req.url)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${pathOnly(req.url)} ${res.statusCode}`,
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: pathOnly(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    quietReqLogger: true,
  });
}

export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      // the route pattern (/admin/digests/:id), never the raw path: bounded label values
      const pattern = (req.route as { path?: string | RegExp } | undefined)?.path;
      const route = pattern ? `${req.baseUrl}${String(pattern)}` : res.statusCode === 404 ? 'unmatched' : req.baseUrl || req.path;
      metrics.httpRequest(route, req.method, res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  };
}

function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}
