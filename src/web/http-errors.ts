// Errors carry stable codes everywhere; only here do they become HTTP statuses.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../log/logger.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', `${what} not found`);

/** The 4xx status a library's error carries (body-parser: 400, 413, 415), if it carries one. */
export function clientStatus(err: unknown): number | undefined {
  const status: unknown = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** JSON errors for the API: `{ "error": { "code", "message" } }`; never a stack trace or SQL. */
export function jsonErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
      return;
    }
    const status = clientStatus(err) ?? 500;
    if (status === 500) log.error({ event: 'http.error', method: req.method, path: req.path, err }, 'request failed');
    const code =
      status === 413
        ? 'BODY_TOO_LARGE'
        : status === 400
          ? 'BAD_REQUEST'
          : status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : status === 500
              ? 'INTERNAL'
              : 'BAD_REQUEST';
    const message = status === 500 ? 'something went wrong on our side' : status === 413 ? 'the request body is too large' : 'the request could not be read';
    res.status(status).json({ error: { code, message } });
  };
}
