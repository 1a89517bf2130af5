// Refusals become HTTP statuses here, and only here: each stable code has a status and a
// page (views/message.ts). Anything unexpected is logged and answered with a plain 500 page: no
// stack trace, no SQL, nothing from the error's message reaches the reader.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../log/logger.ts';
import { TokenError } from '../../security/tokens.ts';
import { SubscriptionError } from '../../subscriptions/errors.ts';
import { clientStatus, HttpError } from '../http-errors.ts';
import type { Chrome } from './views/layout.ts';
import { MESSAGES, messagePage } from './views/message.ts';

const STATUS_OF: Record<string, number> = {
  TOKEN_MISSING: 400,
  TOKEN_MALFORMED: 400,
  TOKEN_FORGED: 400,
  TOKEN_WRONG_PURPOSE: 400,
  TOKEN_EXPIRED: 410,
  LINK_USED: 410,
  LINK_REPLACED: 410,
  LINK_SUBSCRIBER_GONE: 410,
  NOT_ACTIVE: 409,
  LINK_NOT_FOUND: 404,
  RATE_LIMITED: 429,
};

/** body-parser's error types, by what they mean for the reader */
const BODY_ERRORS: Record<string, [number, string]> = {
  'entity.too.large': [413, 'BODY_TOO_LARGE'],
  'parameters.too.many': [413, 'BODY_TOO_LARGE'],
  'charset.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE'],
  'encoding.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE'],
};

export function sendPage(res: Response, status: number, body: string, cache: 'no-store' | 'no-cache' = 'no-store'): void {
  res.status(status).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': cache }).send(body);
}

export function sendMessage(chrome: Chrome, res: Response, status: number, code: string): void {
  if (status === 503) res.set('Retry-After', '300');
  sendPage(res, status, messagePage(chrome, MESSAGES[code] ?? MESSAGES.BAD_REQUEST!));
}

const isApi = (req: Request): boolean => req.path.startsWith('/api/');

/** The status and code of an error, and whether it is ours to explain (else: logged as a 500). */
function classify(err: unknown): { status: number; code: string; expected: boolean } {
  if (err instanceof TokenError || err instanceof SubscriptionError) return { status: STATUS_OF[err.code] ?? 400, code: err.code, expected: true };
  if (err instanceof HttpError) return { status: err.status, code: err.code, expected: true };
  const e = err as { type?: unknown } | null;
  const known = typeof e?.type === 'string' ? BODY_ERRORS[e.type] : undefined;
  if (known) return { status: known[0], code: known[1], expected: true };
  const status = clientStatus(err);
  if (status !== undefined) return { status, code: 'BAD_REQUEST', expected: true };
  return { status: 500, code: 'INTERNAL', expected: false };
}

/** Set on every request that enters the pages router: its errors are ours to render. */
const PAGES = 'paperboyPagesRequest';
export const markPagesRequest: RequestHandler = (_req, res, next) => {
  res.locals[PAGES] = true;
  next();
};

export function pageErrorHandler(chrome: Chrome, log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // an error from a router mounted before the pages (/metrics …) goes on to the app's own handler
    if (res.headersSent || res.locals[PAGES] !== true) return next(err);
    const { status, code, expected } = classify(err);
    if (!expected) log.error({ event: 'http.error', method: req.method, path: req.path, err }, 'page request failed');
    else if (err instanceof TokenError || err instanceof SubscriptionError) {
      log.info({ event: 'link.refused', path: req.path, code }, `${req.method} ${req.path}: ${code}`);
    }
    if (isApi(req)) {
      // our own messages only (HttpError's are written here, in web/); never an unexpected error's
      const message = err instanceof HttpError ? err.message : (MESSAGES[code]?.heading ?? 'bad request');
      res.status(status).set('Cache-Control', 'no-store').json({ error: { code, message } });
      return;
    }
    sendMessage(chrome, res, status, MESSAGES[code] ? code : status === 500 ? 'INTERNAL' : 'BAD_REQUEST');
  };
}
