// The plain-text part: words marked *like this*, lines wrapped at 78 columns.
import { splitByRanges, type Range } from '../match/index.ts';

const TEXT_WIDTH = 78;
/** above the footer of the text part; not "-- ", which mail clients treat as a signature and fold away */
export const FOOTER_RULE = '-'.repeat(40);
/** whitespace and control characters: the text part has no CR or LF but those wrap puts there */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const BLANKS = /[\s\u0000-\u001f\u007f-\u009f]+/;

/** The text with each highlighted range between asterisks. */
export function markText(text: string, ranges: readonly Range[]): string {
  let out = '';
  for (const piece of splitByRanges(text, ranges)) out += piece.hit ? `*${piece.text}*` : piece.text;
  return out;
}

/**
 * The text on one line, then wrapped greedily at `width` with every line starting with `indent`.
 * A word longer than a line (a URL) gets a line of its own and is never broken.
 */
export function wrap(text: string, indent = '', width = TEXT_WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(BLANKS)) {
    if (word === '') continue;
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}
