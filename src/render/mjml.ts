// Compiles the MJML templates of emails/ to HTML, once per template per process. Everything after
// this (digest data, each recipient) is string assembly on the cached HTML; the counter lets a test
// and the benchmark prove it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
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
    const { html, errors } = await inWorker({ source, filePath: fileURLToPath(file), includePath: fileURLToPath(EMAILS) });
    if (errors.length > 0) throw new Error(errors.join('; '));
    return compact(html);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RenderError('RENDER_TEMPLATE_INVALID', `emails/${name}.mjml does not compile: ${reason}`);
  }
}

/** mjml2html in a child process that ends with the compile (see mjml-worker.mjs). */
function inWorker(data: { source: string; filePath: string; includePath: string }): Promise<{ html: string; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./mjml-worker.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve(JSON.parse(out) as { html: string; errors: string[] });
      } catch {
        reject(new Error(`the mjml compiler stopped (exit ${code}): ${err.trim().split('\n')[0] ?? ''}`));
      }
    });
    child.stdin.end(JSON.stringify(data));
  });
}

/**
 * Fewer bytes per email, the same page: indentation dropped (a newline stays, so whitespace between
 * words stays whitespace) and inlined styles without blanks around ":" and ";". A digest repeats its
 * paper block for every paper, and Gmail clips messages over 102 KB.
 */
function compact(html: string): string {
  return html
    .replace(/\n[ \t]+/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .replace(/ style="([^"]*)"/g, (_, css: string) => ` style="${css.replace(/\s*([:;])\s*/g, '$1').replace(/;$/, '')}"`);
}
