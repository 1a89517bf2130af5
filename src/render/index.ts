// The render stage: MJML templates (emails/) compiled once per process, filled per recipient.
export type * from './types.ts';
export { compileDigest, type DigestRenderer } from './digest.ts';
export { renderConfirmation, renderPreferencesChanged, renderPreferencesLink } from './transactional.ts';
export { mjmlCompilations } from './mjml.ts';
export { RenderError } from './errors.ts';
