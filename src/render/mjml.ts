// Compiles the MJML templates of emails/ to HTML, once per template per process. Everything after
// this (digest data, each recipient) is string assembly on the cached HTML; the counter lets a test
// and the benchmark prove it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import mjml2html from 'mjml';
import { RenderError } from './errors.ts';

export type TemplateName = 'digest' | 'confirmation' | 'preferences-changed' | 'preferences-link';

const EMAILS = new URL('../../emails/', import.meta.url);

const compiled = new Map<TemplateName, Promise<string>>();
const compilations = new Map<TemplateName, number>();

/** How many times mjml ran, for one template or for all of them, since the process started. */
export function mjmlCompilations(name?: TemplateName): number {
  if (name) return compilations.get(name) ?? 0;
  let total = 0;
  for (const n of compilations.values()) total += n;
  return total;
}

/** The compiled HTML of emails/<name>.mjml, slots and block markers still in it. */
export function compiledTemplate(name: TemplateName): Promise<string> {
  let html = compiled.get(name);
  if (!html) {
    html = compile(name);
    compiled.set(name, html);
    // a template that failed to compile (being edited?) is tried again next time
    html.catch(() => compiled.delete(name));
  }
  return html;
}

async function compile(name: TemplateName): Promise<string> {
  const file = new URL(`${name}.mjml`, EMAILS);
  const source = await readFile(file, 'utf8');
  compilations.set(name, (compilations.get(name) ?? 0) + 1);
  try {
    const { html, errors } = await mjml2html(source, {
      fonts: {}, // system fonts only: no <link> to a font CDN
      keepComments: true, // the block markers are comments
      validationLevel: 'strict',
      filePath: fileURLToPath(file),
      ignoreIncludes: false, // emails/partials: the look and the header every email shares
      includePath: fileURLToPath(EMAILS),
    });
    if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('; '));
    return compact(html);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RenderError('RENDER_TEMPLATE_INVALID', `emails/${name}.mjml does not compile: ${reason}`);
  }
}

/**
 * Fewer bytes per email, the same page: indentation dropped (a newline stays, so whitespace between
 * words stays whitespace) and inlined styles without blanks around ":" and ";". A digest repeats its
 * paper block for every paper, and Gmail clips messages over 102 KB.
 */
export function compact(html: string): string {
  return html
    .replace(/\n[ \t]+/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .replace(/ style="([^"]*)"/g, (_, css: string) => ` style="${css.replace(/\s*([:;])\s*/g, '$1').replace(/;$/, '')}"`);
}
