// The last line of security/capabilities.ts: every answer of the reader's pages (pages, feeds, the
// preview's JSON, redirects) is looked at before it leaves, and one that would hand out a link its
// request's own link may not (a change link on a page opened with a read link, any link on a page
// opened with none, another reader's link anywhere) is not sent: 500, and `link.withheld` logged with
// the purposes (never the tokens). So a page added later cannot forget the rule: it fails closed.
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../../log/logger.ts';
import { tokensWithheld } from '../../security/capabilities.ts';
import type { TokenSigner } from '../../security/tokens.ts';
import { HttpError } from '../http-errors.ts';

const textOf = (body: unknown): string => (typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('latin1') : '');

export function linkGuard(signer: TokenSigner, log: Logger): RequestHandler {
  return (req, res, next) => {
    const token = req.query.token;
    // the link the request was opened with, as signed (its route checks purpose and expiry itself)
    const opened = typeof token === 'string' ? signer.claimsOf(token) : null;
    const check = (text: string): void => {
      const withheld = tokensWithheld(signer, opened, text);
      if (withheld.length === 0) return;
      const purposes = [...new Set(withheld.map((c) => c.purpose))];
      log.error(
        {
          event: 'link.withheld',
          method: req.method,
          path: req.path,
          opened: opened?.purpose ?? null,
          withheld: purposes,
          otherReader: withheld.some((c) => c.subscriberId !== opened?.subscriberId),
        },
        `${req.method} ${req.path}: an answer opened with ${opened ? `a ${opened.purpose} link` : 'no link'} ` +
          `would have handed out ${purposes.join(', ')} links: not sent`,
      );
      throw new HttpError(500, 'LINK_WITHHELD', 'this answer would hand out a link its own link may not');
    };
    const send = res.send;
    res.send = function guardedSend(this: Response, body?: unknown) {
      check(`${textOf(body)}\n${String(this.get('Location') ?? '')}`);
      return send.call(this, body);
    };
    const redirect = res.redirect.bind(res) as (...a: unknown[]) => void;
    res.redirect = function guardedRedirect(...args: unknown[]) {
      check(String(args.find((a) => typeof a === 'string') ?? ''));
      redirect(...args);
    };
    next();
  };
}
