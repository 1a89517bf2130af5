// The one template type for markup, in the emails (render/) and the pages (web/pages/html.ts): a
// tagged template that escapes every interpolated value unless it is already Html (the result of
// another html`…`, of a filled email template, or of `trusted`). Arrays are joined; null, undefined
// and false render nothing. There is no other way to put a value into a page or an email's HTML.
// A line of markup too long for 160 columns breaks with a backslash at its end: a line continuation,
// so the markup gets no newline there.
import { escapeHtml } from './escape.ts';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

/** One value as markup: Html as it is, anything else escaped. */
export function renderHtml(value: Interpolation): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(renderHtml).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += renderHtml(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** A value known to be safe markup (a constant of this code, or compiled MJML; never input). */
export const trusted = (markup: string): Html => new Html(markup);

/** `name="value"` pairs for attributes that are there or not (`checked`, `aria-invalid`). */
export const when = (condition: boolean, markup: Html): Html => (condition ? markup : new Html(''));

/** Pieces of markup with a separator of markup between them. */
export const joinHtml = (parts: readonly Html[], separator: Html): Html => new Html(parts.map((p) => p.value).join(separator.value));
