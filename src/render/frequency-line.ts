// How often a reader gets email, as every email says it (CONTEXT.md: frequency): the confirmation,
// the "preferences updated" notice, the preferences link. Pure.
import { WEEKDAYS } from '../digest/frequency.ts';
import type { Frequency } from '../model/reader.ts';

export interface FrequencyChoice {
  frequency: Frequency;
  /** 0 Sunday … 6 Saturday (weekly) */
  weeklyDay: number;
}

/** "an email every day new papers match your topics", "one email a week, on Mondays", "no email: your feed only". */
export function frequencyPhrase(c: FrequencyChoice): string {
  if (c.frequency === 'weekly') return `one email a week, on ${WEEKDAYS[c.weeklyDay] ?? 'Monday'}s`;
  if (c.frequency === 'feed') return 'no email: your feed only';
  return 'an email every day new papers match your topics';
}

/** A sentence of where email stands now; feed only says plainly that email stopped. */
export function frequencySentence(c: FrequencyChoice): string {
  if (c.frequency === 'feed')
    return (
      'Email is stopped: you chose your feed only, so no digest is emailed. Your feed still lists the papers your topics catch; choose a ' +
      'frequency in your preferences to get emails again.'
    );
  return `You get ${frequencyPhrase(c)}.`;
}
