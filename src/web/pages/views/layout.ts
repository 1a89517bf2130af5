// The page shell every reader's page shares: language, viewport, colour schemes, the one stylesheet,
// the icon, the small header and footer. Every value goes through html`…` (escaped).
import type { Assets } from '../assets.ts';
import { html, type Html } from '../html.ts';

export interface Chrome {
  assets: Assets;
  productName: string;
}

export interface PageOptions {
  /** the document title, before " · paperboy" */
  title: string;
  main: Html;
  /** two columns on wide screens (form and preview) or one narrow column */
  width?: 'wide' | 'narrow';
  /** load site.js (live preview, no double submits) */
  script?: boolean;
  /** pages reached through a personal link: kept out of search engines */
  noindex?: boolean;
}

export function layout(chrome: Chrome, page: PageOptions): string {
  const { assets, productName } = chrome;
  return (
    '<!doctype html>\n' +
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
${page.noindex ? html`<meta name="robots" content="noindex, nofollow">\n` : ''}<title>${page.title} · ${productName}</title>
<link rel="icon" href="${assets.url('icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assets.url('site.css')}">
${page.script ? html`<script src="${assets.url('site.js')}" defer></script>\n` : ''}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="masthead">
  <div class="masthead-inner ${page.width === 'wide' ? 'wide' : 'narrow'}">
    <a class="brand" href="/">${productName}<span class="brand-dot" aria-hidden="true">.</span></a>
    <span class="tagline">Trending research papers, on your topics</span>
  </div>
</header>
<main id="main" class="${page.width === 'wide' ? 'wide' : 'narrow'}">
${page.main}
</main>
<footer class="footer">
  <p>At most one email a day, or a week if you choose, and only when new papers match. Every email has an unsubscribe link that works in one click.</p>
</footer>
</body>
</html>
`.value
  );
}

/** A card with a heading, for the short pages (check your inbox, confirmed, link problems). */
export function card(options: { tone?: 'info' | 'success' | 'error'; heading: string; body: Html; eyebrow?: string }): Html {
  const tone = options.tone ?? 'info';
  return html`<section class="card card-${tone}" aria-labelledby="page-heading">
  ${options.eyebrow ? html`<p class="eyebrow">${options.eyebrow}</p>` : ''}
  <h1 id="page-heading">${options.heading}</h1>
  ${options.body}
</section>`;
}

/** The topics as small chips, as the emails show them. */
export function topicChips(topics: readonly string[]): Html {
  return html`<ul class="chips" aria-label="Topics">${topics.map((t) => html`<li class="chip">${t}</li>`)}</ul>`;
}
