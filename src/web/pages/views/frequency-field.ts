// "How often" on the subscribe and preferences pages: every day, once a week on a chosen day, or no
// email (the feed only). Works without JavaScript: the day is a plain select beside its radio.
import { WEEKDAYS } from '../../../digest/frequency.ts';
import { html, when, type Html } from '../html.ts';
import type { Frequency } from '../../../model/reader.ts';

export interface FrequencyState {
  frequency: Frequency;
  weeklyDay: number;
}

export const DAILY: FrequencyState = { frequency: 'daily', weeklyDay: 1 };

export function frequencyField(state: FrequencyState, error?: string | null): Html {
  const radio = (value: Frequency, label: Html | string, hint?: string) => html`<div class="choice">
    <input id="frequency-${value}" name="frequency" type="radio" value="${value}"${when(state.frequency === value, html` checked`)}\
${hint ? html` aria-describedby="frequency-${value}-hint"` : ''}>
    <label for="frequency-${value}">${label}</label>
  </div>${hint ? html`<p class="hint choice-hint" id="frequency-${value}-hint">${hint}</p>` : ''}`;
  return html`<fieldset class="field field-choices${error ? ' field-invalid' : ''}"${when(Boolean(error), html` aria-describedby="frequency-error"`)}>
  <legend>How often</legend>
  ${error ? html`<p class="field-error" id="frequency-error">${error}</p>` : ''}
  ${radio('daily', 'Every day new papers match')}
  ${radio('weekly', 'Once a week')}
  <div class="choice-detail">
    <label for="weekly-day">on</label>
    <select id="weekly-day" name="weeklyDay">\
${WEEKDAYS.map((day, n) => html`<option value="${String(n)}"${when(state.weeklyDay === n, html` selected`)}>${day}</option>`)}</select>
  </div>
  ${radio('feed', 'No email: my feed only', 'Your own feed, for a feed reader, on your preferences page. You stay subscribed.')}
</fieldset>`;
}

export function frequencyText(state: FrequencyState): string {
  if (state.frequency === 'weekly') return `once a week, on ${WEEKDAYS[state.weeklyDay] ?? 'Monday'}s`;
  if (state.frequency === 'feed') return 'no email: your feed only';
  return 'every day new papers match';
}
