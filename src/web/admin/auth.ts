// Bearer ADMIN_TOKEN, compared in constant time (both sides hashed to the same length first).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from '../http-errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function bearerAuth(token: string, realm: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      res.set('WWW-Authenticate', `Bearer realm="${realm}"`);
      next(new HttpError(401, 'UNAUTHORIZED', match ? 'wrong token' : 'missing bearer token'));
      return;
    }
    next();
  };
}
