// The topics textarea shared by the subscribe and preferences pages: the reader's input kept, the
// errors of each line next to the field (without JavaScript they come back from the server), the
// short syntax help, and the live preview panel that site.js fills (hidden without JavaScript).
import { plural } from '../../../log/plural.ts';
import { MAX_TOPICS, MAX_TOPICS_FIELD_CHARS, type TopicLineError } from '../../../subscriptions/input.ts';
import { html, when, type Html } from '../html.ts';

export interface TopicsFieldState {
  value: string;
  /** a problem of the whole field (none, too many, too long) */
  error?: string | null;
  lines?: TopicLineError[];
}

const sentence = (text: string): string => (text ? text[0]!.toUpperCase() + text.slice(1) : text).replace(/([^.!?])$/, '$1.');

/**
 * `muted`: the reader's muted topics (the preferences page), said under the field — still in the
 * topics, catching nothing until restored (`restoreAt`: where the restore buttons are) — and
 * marked in the preview.
 */
export function topicsField(state: TopicsFieldState, label = 'Topics', muted: { topics: readonly string[]; restoreAt: string } | null = null): Html {
  const lines = state.lines ?? [];
  const invalid = Boolean(state.error) || lines.length > 0;
  const mutedNote = muted && muted.topics.length > 0;
  return html`<div class="field${invalid ? ' field-invalid' : ''}">
  <label for="topics">${label} <span class="label-hint">one per line, up to ${MAX_TOPICS}</span></label>
  <textarea id="topics" name="topics" rows="5" maxlength="${MAX_TOPICS_FIELD_CHARS}" spellcheck="false" autocapitalize="none" autocomplete="off"
    aria-describedby="${invalid ? 'topics-error ' : ''}${mutedNote ? 'topics-muted ' : ''}topics-count topics-live topics-help" data-preview="preview"\
${when(invalid, html` aria-invalid="true"`)}\
${when(Boolean(mutedNote), html` data-muted="${JSON.stringify(muted?.topics ?? [])}"`)} required
    placeholder="scaling laws&#10;&quot;quantum many-body&quot;&#10;diffusion -video">${state.value}</textarea>
  ${invalid ? topicErrors(state.error ?? null, lines) : ''}
  ${mutedNote ? mutedNoteOf(muted) : ''}
  ${topicCount(state.value)}
  <div class="field-error" id="topics-live" data-role="live-errors" hidden></div>
  <p class="live-summary" data-role="live-summary" hidden><a href="#preview"></a></p>
  ${syntaxHelp()}
</div>`;
}

/** How many topics of the limit the field holds; site.js keeps it current while typing. */
function topicCountText(count: number): { text: string; over: boolean } {
  if (count > MAX_TOPICS) return { text: `${plural(count, 'topic')}: a subscription takes up to ${MAX_TOPICS}. Remove ${count - MAX_TOPICS}.`, over: true };
  return { text: `${count} of ${MAX_TOPICS} topics`, over: false };
}

function topicCount(value: string): Html {
  const count = value.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '').length;
  const { text, over } = topicCountText(count);
  return html`<p class="topic-count" id="topics-count" data-role="topic-count" data-max="${MAX_TOPICS}" \
data-over="${over ? 'true' : 'false'}" aria-live="polite">${text}</p>`;
}

function mutedNoteOf(muted: { topics: readonly string[]; restoreAt: string }): Html {
  const one = muted.topics.length === 1;
  return html`<p class="topics-muted" id="topics-muted"><span class="pill pill-muted">Muted</span> \
${muted.topics.map((t) => html`<span class="chip chip-muted">${t}</span> `)}\
${one ? 'stays in your topics and catches nothing' : 'stay in your topics and catch nothing'}, \
in emails and your feed, until you <a href="${muted.restoreAt}">restore ${one ? 'it' : 'them'}</a>.</p>`;
}

function topicErrors(error: string | null, lines: TopicLineError[]): Html {
  return html`<div class="field-error" id="topics-error">
  ${error ? html`<p>${error}</p>` : ''}
  ${
    lines.length > 0
      ? html`<ul class="line-errors">${lines.map(
          (l) => html`<li><span class="line-ref">Line ${l.line}</span> <code>${l.topic}</code> ${sentence(l.message)}</li>`,
        )}</ul>`
      : ''
  }
</div>`;
}

function syntaxHelp(): Html {
  return html`<div class="syntax" id="topics-help">
  <p class="syntax-intro">Each line is searched in titles and abstracts, ignoring case and word endings.</p>
  <dl class="syntax-list">
    <div><dt><code>scaling laws</code></dt><dd>all the words, in any form (law, laws, scaling)</dd></div>
    <div><dt><code>"quantum many-body"</code></dt><dd>these words together, in this order</dd></div>
    <div><dt><code>diffusion OR flow</code></dt><dd>either word; write OR in capitals</dd></div>
    <div><dt><code>diffusion -video</code></dt><dd>but not papers that mention video</dd></div>
  </dl>
</div>`;
}

const EXAMPLES = ['scaling laws', '"language model" -vision', 'quantum OR entanglement', 'diffusion -video'];

/**
 * The live preview panel: hidden until site.js takes it over, so without JavaScript nothing dangles.
 * `readerEndpoint`: the preferences page's own preview (`/api/preferences/preview?token=…`), ranked
 * as the reader's next digest; without it, the anonymous one of the subscribe page.
 */
export function previewPanel(readerEndpoint: string | null = null): Html {
  return html`<section class="preview" id="preview" aria-labelledby="preview-heading" data-endpoint="${readerEndpoint ?? '/api/preview'}" hidden>
  <div class="preview-head">
    <h2 id="preview-heading">${readerEndpoint ? 'What your next digest would look like' : 'What your topics would catch'}</h2>
    <p class="preview-snapshot" data-role="snapshot"></p>
  </div>
  <p class="preview-status" data-role="status" role="status" aria-live="polite">Type a topic to see which papers of the latest list it catches.</p>
  <div class="preview-examples" data-role="examples">
    <p>Or try one:</p>
    <ul class="chips">${EXAMPLES.map((t) => html`<li><button type="button" class="chip chip-button" data-example="${t}">${t}</button></li>`)}</ul>
  </div>
  <div class="preview-results" data-role="results"></div>
</section>
<noscript><aside class="preview-off" aria-label="Live preview"><h2>See what your topics catch</h2>\
<p>With JavaScript on, this space shows, as you type, which papers of the latest Hugging Face Daily Papers listing each topic would catch, \
with the matching words highlighted. Everything else works without it.</p></aside></noscript>`;
}
