// The render stage: MJML templates (emails/) compiled once per process, filled per recipient.
export type * from './types.ts';
export { compileDigest, type DigestRenderer } from './digest.ts';
export { renderConfirmation, renderPreferencesChanged, renderPreferencesLink } from './transactional.ts';
export { mjmlCompilations, type TemplateName } from './mjml.ts';
export { RenderError, type RenderErrorCode } from './errors.ts';
export { digestSubject } from './subject.ts';
