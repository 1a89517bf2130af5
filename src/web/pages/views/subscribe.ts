// GET / and a POST /subscribe that needs correcting: the form (with the reader's input and the
// errors next to each field) beside the live preview; and the "check your inbox" page, the same
// whatever state the address was in.
import { html, when, type Html } from '../html.ts';
import { card, layout, type Chrome } from './layout.ts';
import { DAILY, frequencyField, type FrequencyState } from './frequency-field.ts';
import { previewPanel, topicsField, type TopicsFieldState } from './topics-field.ts';

export interface SubscribeForm {
  email: string;
  emailError?: string | null;
  topics: TopicsFieldState;
  /** how often (default daily) */
  frequency?: FrequencyState;
  frequencyError?: string | null;
}

export const EMPTY_FORM: SubscribeForm = { email: '', topics: { value: '' } };

export function subscribePage(chrome: Chrome, form: SubscribeForm): string {
  const invalid = Boolean(form.emailError) || Boolean(form.topics.error) || (form.topics.lines?.length ?? 0) > 0 || Boolean(form.frequencyError);
  const main = html`<div class="columns">
  <section class="intro-and-form" aria-labelledby="page-heading">
    <h1 id="page-heading">New papers on your topics, once a day</h1>
    <p class="lead">Tell ${chrome.productName} what you follow. When papers that match your topics appear on \
<a href="https://huggingface.co/papers">Hugging Face Daily Papers</a>, you get one short email. Nothing else.</p>
    ${invalid ? errorSummary(form) : ''}
    <form class="form" method="post" action="/subscribe" accept-charset="utf-8">
      <div class="field${form.emailError ? ' field-invalid' : ''}">
        <label for="email">Email address</label>
        <input id="email" name="email" type="email" inputmode="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="254" required
          value="${form.email}"${when(Boolean(form.emailError), html` aria-invalid="true" aria-describedby="email-error"`)}>
        ${form.emailError ? html`<p class="field-error" id="email-error">${form.emailError}</p>` : ''}
      </div>
      ${topicsField(form.topics)}
      ${frequencyField(form.frequency ?? DAILY, form.frequencyError)}
      <div class="actions">
        <button class="button" type="submit">Subscribe</button>
        <p class="fine">We'll email you a link to confirm first. Nothing else is sent until you click it.</p>
      </div>
    </form>
  </section>
  ${previewPanel()}
</div>`;
  return layout(chrome, { title: invalid ? 'Check your details' : 'Subscribe', main, width: 'wide', script: true });
}

function errorSummary(form: SubscribeForm): Html {
  const items: Html[] = [];
  if (form.emailError) items.push(html`<li><a href="#email">${form.emailError}</a></li>`);
  const lines = form.topics.lines?.length ?? 0;
  if (form.topics.error) items.push(html`<li><a href="#topics">${form.topics.error}</a></li>`);
  if (lines > 0)
    items.push(html`<li><a href="#topics">${lines === 1 ? 'One topic does not parse' : `${lines} topics do not parse`}: see below the field.</a></li>`);
  if (form.frequencyError) items.push(html`<li><a href="#frequency-daily">${form.frequencyError}</a></li>`);
  return html`<div class="alert alert-error" role="alert" tabindex="-1" autofocus>
  <h2 class="alert-title">Please check the form</h2>
  <ul>${items}</ul>
</div>`;
}

/** The answer to every accepted subscribe request, whatever the address's state was (GET /check-inbox after the POST's redirect). */
export function checkInboxPage(chrome: Chrome, email: string, topics: readonly string[] = []): string {
  const back = new URLSearchParams({ email, ...(topics.length > 0 ? { topics: topics.join('\n') } : {}) });
  const main = card({
    tone: 'success',
    eyebrow: 'Almost there',
    heading: 'Check your inbox',
    body: html`<p>We sent an email to <strong class="address">${email}</strong>. Open it and follow the link to confirm your subscription.</p>
  <p>Nothing is sent until you confirm. The link works for 7 days.</p>
  <p class="fine">No email after a few minutes? Look in your spam folder, or <a href="/?${back.toString()}">check the address and try again</a>.</p>`,
  });
  return layout(chrome, { title: 'Check your inbox', main, noindex: true });
}
