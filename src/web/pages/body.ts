// Reading the forms: only application/x-www-form-urlencoded (and, for the one-click unsubscribe,
// multipart/form-data), at most 16 kB. Another declared type is 415, a larger body 413 (the error
// handler renders both). A request without a body reads as an empty form.
import express, { type Request, type RequestHandler } from 'express';
import { HttpError } from '../http-errors.ts';
import { multipartFields } from './one-click-body.ts';

const BODY_LIMIT = '16kb';
const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

const mimeOf = (req: Request): string | null => {
  const header = req.headers['content-type'];
  return header === undefined ? null : (header.split(';')[0] ?? '').trim().toLowerCase();
};

export function formBody(options: { multipart?: boolean } = {}): RequestHandler[] {
  const accepted = options.multipart ? [FORM, MULTIPART] : [FORM];
  const checkType: RequestHandler = (req, _res, next) => {
    const mime = mimeOf(req);
    if (mime !== null && !accepted.includes(mime)) {
      next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `expected ${accepted.join(' or ')}, got ${mime || 'an empty type'}`));
      return;
    }
    next();
  };
  const handlers: RequestHandler[] = [checkType, express.urlencoded({ limit: BODY_LIMIT, extended: false, parameterLimit: 50 })];
  if (options.multipart) {
    handlers.push(express.raw({ type: MULTIPART, limit: BODY_LIMIT }), (req, _res, next) => {
      if (mimeOf(req) !== MULTIPART) return next();
      const fields = Buffer.isBuffer(req.body) ? multipartFields(String(req.headers['content-type']), req.body) : {};
      if (fields === null) return next(new HttpError(400, 'BAD_REQUEST', 'the multipart body has no boundary'));
      req.body = fields;
      next();
    });
  }
  return handlers;
}

/** One form field as it came (a string, an array when repeated), for a schema to parse; no form: undefined. */
export function formValue(req: Request, name: string): unknown {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}

/** One form field as a string; absent, repeated (an array) or anything else: undefined. */
export function field(req: Request, name: string): string | undefined {
  const value = formValue(req, name);
  return typeof value === 'string' ? value : undefined;
}

/** The `token` of the query string, as the links carry it; a repeated one reads as damaged. */
export function tokenParam(req: Request): string | undefined {
  const value = req.query.token;
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : '?';
}
