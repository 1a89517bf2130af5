// Errors of the render stage, with stable codes callers can branch on and store on a failed row.

export type RenderErrorCode =
  /** a template in emails/ does not compile, or lacks a slot or block the code fills */
  | 'RENDER_TEMPLATE_INVALID'
  /** a recipient view names a paper the digest view does not have */
  | 'RENDER_UNKNOWN_PAPER'
  /** a link of our own (confirm, preferences, unsubscribe) is not an http(s) URL */
  | 'RENDER_BAD_URL';

export class RenderError extends Error {
  constructor(
    readonly code: RenderErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}
