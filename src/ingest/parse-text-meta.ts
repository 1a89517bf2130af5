// The meta block under an entry's abstract in a text capture:
//
//     • 8 authors            or     Berkeley UC Berkeley
//   ·                               ·
//   Jun 4, 2025 2                   Oct 31, 2024
//
// Some entries have none (the next line is then the next title), and at the end of a cut capture
// it may stop after any of its lines.
import { parseListingDate, type ListingDate } from './parse-dates.ts';

/** A non-blank line of a capture, trimmed. */
export interface Line {
  text: string;
  /** 1-based line number in the input */
  no: number;
  /** a line break follows it, so it was not cut */
  whole: boolean;
}

export interface MetaBlock {
  authorCount: number | null;
  organization: string | null;
  date: ListingDate | null;
  /** 1-based line number of the date line, when there is one */
  dateLine: number | null;
  /** index of the line after the block: the next entry's title */
  next: number;
  /** the input ended inside the block (or right after the abstract, where a block may have been cut) */
  cut: boolean;
  /** notes on an unusual block, without the entry's place (the caller adds it) */
  warnings: string[];
}

const SEPARATOR = '·';
const AUTHOR_COUNT = /^(?:•\s*)?(\d+)\s+authors?$/i;

/** Reads the meta block starting at lines[j] (just after the abstract), if there is one. */
export function readMetaBlock(lines: Line[], j: number): MetaBlock {
  const block: MetaBlock = { authorCount: null, organization: null, date: null, dateLine: null, next: j, cut: false, warnings: [] };
  const first = lines[j];
  // Input ends right after a whole abstract: the paper stays, but its meta block may have been cut.
  if (!first) return { ...block, cut: true };
  const isBullet = first.text.startsWith('•');
  // One last line that is not an author line: a byline whose "·" was cut, or a title whose abstract
  // was; either way the input ended inside this entry or the next.
  if (!isBullet && j + 1 === lines.length) return { ...block, cut: true };
  if (!isBullet && lines[j + 1]?.text !== SEPARATOR) {
    // Neither an author line nor a line above "·": this is the next entry's title.
    block.warnings.push('no meta block');
    return block;
  }
  readByline(first, block);
  let k = j + 1;
  if (lines[k]?.text === SEPARATOR) k++;
  return readDate(lines, k, block);
}

/** The line above "·": an author count or an organization. */
function readByline(line: Line, block: MetaBlock): void {
  const count = AUTHOR_COUNT.exec(line.text);
  if (count) {
    block.authorCount = Number(count[1]);
  } else if (line.text.startsWith('•')) {
    // A cut author line ("• 1" of "• 12 authors") says nothing reliable; only a whole one is odd.
    if (line.whole) block.warnings.push(`unreadable author line "${line.text}"`);
  } else {
    block.organization = organizationName(line.text);
  }
}

function readDate(lines: Line[], k: number, block: MetaBlock): MetaBlock {
  const line = lines[k];
  if (!line) return { ...block, next: k, cut: true };
  // The final line of a capture has no line break even when whole (the seeds end "Apr 13, 2023"),
  // so a last date line that parses is taken as complete; one that does not parse was cut.
  const date = parseListingDate(line.text);
  if (date) return { ...block, date, dateLine: line.no, next: k + 1 };
  if (!line.whole) return { ...block, next: k, cut: true };
  block.warnings.push('meta block has no date');
  return { ...block, next: k };
}

/**
 * The organization of a byline such as "Berkeley UC Berkeley": the page prints the organization's
 * short name and then its full name, so a leading name that reappears is dropped.
 * - "Google Google", "Meta AI Meta AI" (the same words twice) → "Google", "Meta AI";
 * - "Berkeley UC Berkeley" (the first word is a word of the rest) → "UC Berkeley";
 * - anything else is kept as written, since a short name that does not reappear ("MIT Massachusetts
 *   Institute of Technology") cannot be told apart from a multi-word organization name.
 */
export function organizationName(line: string): string {
  const words = line.trim().split(/\s+/);
  const half = words.length / 2;
  if (Number.isInteger(half) && half > 0) {
    const [front, back] = [words.slice(0, half), words.slice(half)];
    if (front.every((w, i) => w.toLowerCase() === back[i]?.toLowerCase())) return back.join(' ');
  }
  const [lead = '', ...rest] = words;
  if (rest.some((w) => w.toLowerCase() === lead.toLowerCase())) return rest.join(' ');
  return words.join(' ');
}
