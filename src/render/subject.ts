// The digest's subject line: what a reader wants to see in the inbox, on one line, under 80 characters.
import { oneLine } from './escape.ts';
import { plural } from '../log/plural.ts';
import { formatDay } from './format.ts';
import { joinAnd } from './topic-label.ts';

const MAX_SUBJECT_CHARS = 78;
/** topics named in a subject; the others are counted */
const NAMED = 2;

/**
 * `4 new papers on scaling laws and quantum — Jun 10`, `… on scaling laws, quantum and 2 more
 * topics — Jun 10`: the count of papers and the topics in plain words (topicLabel), in the email's
 * order; a long topic is shortened at a word with "…" so the date always shows.
 */
export function digestSubject(paperCount: number, labels: readonly string[], snapshotDate: string): string {
  const date = oneLine(formatDay(snapshotDate, 'short'));
  const topics = [...new Set(labels.map(oneLine).filter((l) => l !== ''))];
  const head = `${plural(paperCount, 'new paper')} on `;
  const tail = ` — ${date}`;
  if (paperCount === 0 || topics.length === 0) return clip(`${head}your topics${tail}`);
  const others = topics.length - NAMED;
  const named = topics.slice(0, NAMED);
  const more = others > 0 ? ` and ${plural(others, 'more topic')}` : '';
  // each named topic gets an equal share of the room left, shorter ones giving theirs to longer ones
  let room = MAX_SUBJECT_CHARS - head.length - tail.length - more.length - (named.length - 1) * (others > 0 ? 2 : 5);
  // (room a topic cut at a word leaves unused goes to the next)
  const shown = [...named];
  const order = named.map((t, i) => i).sort((a, b) => named[a]!.length - named[b]!.length);
  order.forEach((i, k) => {
    shown[i] = clip(named[i]!, Math.max(Math.floor(room / (order.length - k)), 4));
    room -= shown[i].length;
  });
  const list = others > 0 ? shown.join(', ') : joinAnd(shown);
  return clip(`${head}${list}${more}${tail}`);
}

/**
 * At most `max` UTF-16 units, with "…" when cut: cut after a whole word ("reinforcement…", never
 * "reinforcement lear…"); only a first word longer than the room is cut, between code points.
 */
export function clip(text: string, max = MAX_SUBJECT_CHARS): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  const wordEnd = /\s/.test(text[out.length] ?? '') ? out.length : out.search(/\s\S*$/);
  const words = wordEnd > 0 ? out.slice(0, wordEnd) : out;
  return `${words.replace(/[\s,;:·–—-]+$/u, '')}…`;
}
