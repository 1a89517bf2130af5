// The digest's subject line: what a reader wants to see in the inbox, on one line, under 80 characters.
import { oneLine } from './escape.ts';
import { formatDay, plural } from './format.ts';

export const MAX_SUBJECT_CHARS = 78;

/**
 * `3 new papers on "scaling laws" — Jun 10`, `… on "scaling laws" and 2 more topics — Jun 10`:
 * the count of papers and the first topic (of the best paper); a long topic is shortened with "…".
 */
export function digestSubject(paperCount: number, topics: readonly string[], snapshotDate: string): string {
  const date = oneLine(formatDay(snapshotDate, 'short'));
  const first = oneLine(topics[0] ?? '');
  if (paperCount === 0 || first === '') return clip(`${plural(paperCount, 'new paper')} on your topics — ${date}`);
  const others = new Set(topics.map(oneLine)).size - 1;
  const head = `${plural(paperCount, 'new paper')} on "`;
  const tail = `"${others > 0 ? ` and ${plural(others, 'more topic')}` : ''} — ${date}`;
  return clip(head + clip(first, MAX_SUBJECT_CHARS - head.length - tail.length) + tail);
}

/** At most `max` UTF-16 units, cut between code points, with "…" when cut. */
export function clip(text: string, max = MAX_SUBJECT_CHARS): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out.trimEnd()}…`;
}
