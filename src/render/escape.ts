// Untrusted text into HTML, URLs into href attributes, anything into a one-line header.
import { cleanText } from '../ingest/clean-text.ts';
import { RenderError } from './errors.ts';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/** Text for an HTML element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ENTITIES[c] ?? c) : text;
}

/** The URL, normalised (a `"` becomes %22), when it is absolute http(s); otherwise null. */
export function httpUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** One of our own links (confirm, preferences, unsubscribe): it must be http(s). */
export function ownUrl(raw: string, what: string): string {
  const url = httpUrl(raw);
  if (url === null) throw new RenderError('RENDER_BAD_URL', `the ${what} link is not an http(s) URL`);
  return url;
}

/**
 * Text on one line (subjects, plain-text lines, topics anywhere): no CR, LF or other control
 * characters, and none of the invisible ones that hide or reorder text (bidi overrides, zero-width
 * spaces) — the cleaning stored titles get (cleanText), so a topic stored before topics were
 * cleaned on the way in still reads as what it says.
 */
export function oneLine(text: string): string {
  return cleanText(text);
}
