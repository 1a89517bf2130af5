// The pages' one template helper: a tagged template that escapes every interpolated value unless it
// is already Html (the result of another html`…`). Arrays are joined; null, undefined and false
// render nothing. There is no other way to put a value into a page.
import { escapeHtml } from '../../render/escape.ts';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** A value known to be safe markup (a constant of this code, never input). */
export const trusted = (markup: string): Html => new Html(markup);

/** `name="value"` pairs for attributes that are there or not (`checked`, `aria-invalid`). */
export const when = (condition: boolean, markup: Html): Html => (condition ? markup : new Html(''));
