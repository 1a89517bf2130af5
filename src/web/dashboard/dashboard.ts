// What every handler of the dashboard gets: the operator's context, the hooks of `serve`, the
// session signer and the view (how it answers). The routes and their gates: router.ts.
import type { Request, Response } from 'express';
import type { ActionHooks } from '../admin/actions.ts';
import type { MailHooks } from '../admin/mail-actions.ts';
import type { OperatorContext } from '../context.ts';
import type { Session, SessionSigner } from './session.ts';
import type { Frame } from './views.ts';

export interface Authed extends Request {
  session?: Session;
}

/** How the dashboard answers: the page's frame (CSRF token, product name), a page, a redirect back with a notice. */
export interface DashboardView {
  frame(req: Request): Frame;
  send(res: Response, status: number, body: string): void;
  /** where a form goes back to: its `back` field when it is a dashboard page, else the overview */
  back(req: Request): string;
  /** redirects back (or to `to`, a dashboard page) with the notice `text` */
  done(req: Request, res: Response, text: string, to?: string): void;
  /** the notice a redirect brought (?done=) */
  notice(req: Request): { kind: 'ok'; text: string } | undefined;
  secure: boolean;
}

export interface Dashboard {
  ctx: OperatorContext;
  hooks: ActionHooks & MailHooks;
  signer: SessionSigner;
  view: DashboardView;
}

export type Handler = (d: Dashboard, req: Authed, res: Response) => Promise<void> | void;
