// A crawler for the reader's pages, as someone holding one link would go: from a start URL, fetch
// every page, follow every link (in pages, in feeds, in redirects) and submit every form of every
// page (as it comes, and once more with every text field changed), within the site only. What it
// collects: every request it made with its answer, and every signed token anywhere in what it read.
import { load } from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import type { TokenClaims, TokenPurpose, TokenSigner } from '../../../src/security/tokens.ts';

export interface Step {
  method: 'GET' | 'POST';
  /** path and query, as requested */
  url: string;
  body?: string;
  status: number;
  /** where this step was found: the start, or the url of the page that linked to it */
  from: string;
}

export interface Crawl {
  steps: Step[];
  /** every validly signed token met, with where it was met */
  tokens: Array<{ claims: TokenClaims; token: string; in: string }>;
}

/** A token as signed by security/tokens.ts: purpose.subscriber.expiry.nonce.mac (the mac: 43 base64url characters). */
const TOKEN = /(?<![\w.-])[a-z]\.[0-9a-z]+\.[0-9a-z]*\.[\w-]*\.[\w-]{43}(?![\w-])/g;

const PURPOSE_OF: Record<string, TokenPurpose> = { c: 'confirm', p: 'preferences', u: 'unsubscribe', a: 'archive', f: 'feed', k: 'feedback' };

/** Every signed token in a text (links, forms, headers, feeds), checked by the signer. */
export function tokensIn(text: string, signer: TokenSigner): Array<{ claims: TokenClaims; token: string }> {
  const out: Array<{ claims: TokenClaims; token: string }> = [];
  for (const [token] of text.replaceAll('%2E', '.').replaceAll('%2e', '.').matchAll(TOKEN)) {
    // the purpose its first letter names, checked by the signer (any expiry: what was handed out counts)
    const purpose = PURPOSE_OF[token[0]!];
    if (!purpose) continue;
    try {
      out.push({ claims: signer.verify(token, purpose, new Date(0)), token });
    } catch {
      // not one of ours
    }
  }
  return out;
}

/** what the crawler types into a text field (once: a page that shows it back is not changed again) */
const CHANGED = 'crawler';

interface Form {
  method: 'GET' | 'POST';
  action: string;
  fields: Array<[string, string]>;
  /** names of fields a person types into (text, email, url, textarea) */
  typed: Set<string>;
}

export async function crawl(web: Express, start: readonly string[], options: { baseUrl: string; signer: TokenSigner; maxSteps?: number }): Promise<Crawl> {
  const { baseUrl, signer } = options;
  const maxSteps = options.maxSteps ?? 400;
  const steps: Step[] = [];
  const tokens: Crawl['tokens'] = [];
  const seen = new Set<string>();
  const queue: Array<Omit<Step, 'status'>> = start.map((url) => ({ method: 'GET' as const, url, from: 'start' }));

  /** A link of the site as a path and query; anything elsewhere is null (never followed). */
  const own = (href: string, base: string): string | null => {
    let url: URL;
    try {
      url = new URL(href.replaceAll('&amp;', '&'), new URL(base, baseUrl));
    } catch {
      return null;
    }
    if (url.origin !== new URL(baseUrl).origin) return null;
    return `${url.pathname}${url.search}`;
  };
  const enqueue = (step: Omit<Step, 'status'>) => {
    const key = `${step.method} ${step.url} ${step.body ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(step);
  };
  for (const s of queue.splice(0)) enqueue(s);

  while (queue.length > 0) {
    if (steps.length >= maxSteps)
      throw new Error(
        `the crawl did not end within ${maxSteps} requests:\n${steps
          .slice(-20)
          .map((s) => `${s.method} ${s.url} ${s.body ?? ''} ${s.status}`)
          .join('\n')}`,
      );
    const step = queue.shift()!;
    const res =
      step.method === 'GET'
        ? await request(web).get(step.url).set('Accept', 'text/html,application/xhtml+xml,*/*')
        : await request(web)
            .post(step.url)
            .type('form')
            .send(step.body ?? '');
    steps.push({ ...step, status: res.status });
    const where = `${step.method} ${step.url}`;
    const text = typeof res.text === 'string' ? res.text : Buffer.isBuffer(res.body) ? res.body.toString('utf8') : '';
    const location = typeof res.headers.location === 'string' ? res.headers.location : '';
    for (const found of tokensIn(`${text}\n${location}`, signer)) tokens.push({ ...found, in: where });

    if (location) {
      const next = own(location, step.url);
      if (next) enqueue({ method: 'GET', url: next, from: where });
    }
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) {
      const $ = load(text);
      $('a[href], link[href], area[href]').each((_, el) => {
        const next = own($(el).attr('href')!, step.url);
        if (next) enqueue({ method: 'GET', url: next, from: where });
      });
      $('form').each((_, el) => {
        const form = readForm($.html(el), step.url);
        const action = own(form.action, step.url);
        if (!action) return;
        // the form's address is a link too
        enqueue({ method: 'GET', url: action, from: where });
        for (const fields of [
          form.fields,
          form.fields.map(([k, v]): [string, string] => [k, form.typed.has(k) && !v.includes(CHANGED) ? `${v} ${CHANGED}`.trim() : v]),
        ]) {
          const body = new URLSearchParams(fields).toString();
          if (form.method === 'GET') enqueue({ method: 'GET', url: `${action.split('?')[0]}?${body}`, from: where });
          else enqueue({ method: 'POST', url: action, body, from: where });
        }
      });
    } else if (/xml|json/.test(type)) {
      // a feed: every URL in it (links, ids, self, home page, entries)
      for (const [url] of text
        .replaceAll('&amp;', '&')
        .replaceAll('\\/', '/')
        .matchAll(/(?:https?:\/\/[^\s"'<>\\]+)|(?<=["'])\/[^\s"'<>\\]*/g)) {
        const next = own(url, step.url);
        if (next) enqueue({ method: 'GET', url: next, from: where });
      }
    }
  }
  return { steps, tokens };
}

/** A form's method, action and the fields a browser would send as it stands (defaults checked, first option chosen). */
function readForm(markup: string, page: string): Form {
  const $ = load(markup);
  const form = $('form').first();
  const method = (form.attr('method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const fields: Array<[string, string]> = [];
  const typed = new Set<string>();
  form.find('input[name], textarea[name], select[name]').each((_, f) => {
    const field = $(f);
    const name = field.attr('name')!;
    const tag = f.tagName.toLowerCase();
    if (tag === 'textarea') {
      fields.push([name, field.text()]);
      typed.add(name);
    } else if (tag === 'select') {
      const chosen = field.find('option[selected]').first();
      const option = chosen.length > 0 ? chosen : field.find('option').first();
      fields.push([name, option.attr('value') ?? option.text()]);
    } else {
      const type = (field.attr('type') ?? 'text').toLowerCase();
      if ((type === 'radio' || type === 'checkbox') && field.attr('checked') === undefined) return;
      if (type === 'submit' || type === 'button' || type === 'image' || type === 'file') return;
      fields.push([name, field.attr('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')]);
      if (['text', 'email', 'url', 'search'].includes(type)) typed.add(name);
    }
  });
  form.find('button[name]').each((_, b) => {
    fields.push([$(b).attr('name')!, $(b).attr('value') ?? '']);
  });
  return { method, action: form.attr('action') ?? page, fields, typed };
}
