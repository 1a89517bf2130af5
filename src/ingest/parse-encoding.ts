// From raw input (bytes or a string) to clean text: UTF-8 checked, BOM dropped, line endings made
// "\n". Snapshots can be cut at a byte limit, so an incomplete character at the very end is a cut,
// not corruption; anything else that is not text is rejected here, before either parser runs.
import { SnapshotParseError } from './types.ts';

/** Decodes and cleans snapshot input; throws SnapshotParseError for binary input. */
export function decodeSnapshotInput(input: string | Uint8Array): string {
  const text = typeof input === 'string' ? dropCutCharacter(input) : decodeUtf8(input);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = lineAt(text, nul);
    throw new SnapshotParseError(`binary input, not a snapshot: NUL byte at line ${line}`, line);
  }
  // \r\n (Windows) and a lone \r (old Mac) are both one line break, so line numbers match editors.
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** 1-based line number of a UTF-16 offset in a text. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const fatal = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  const end = bytes.length - incompleteTailLength(bytes);
  try {
    // TextDecoder drops a leading BOM itself.
    return fatal.decode(bytes.subarray(0, end));
  } catch {
    const bad = firstInvalidByte(bytes.subarray(0, end));
    const line = countNewlines(bytes.subarray(0, bad)) + 1;
    throw new SnapshotParseError(`binary input, not a snapshot: invalid UTF-8 at line ${line}`, line);
  }
}

/**
 * How many bytes at the end form the start of a multi-byte character that the cut left incomplete
 * (0 when the input ends on a character boundary). Only a well-formed prefix counts: a lead byte
 * followed by fewer continuation bytes than it announces.
 */
function incompleteTailLength(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

/**
 * Offset of the first byte where decoding fails. A streaming decoder only throws on bytes that can
 * never be valid, so "the prefix of length n decodes" is monotone and a binary search finds the edge.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (decodesSoFar(bytes.subarray(0, mid))) good = mid;
    else bad = mid;
  }
  return good;
}

function decodesSoFar(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === 0x0a) count++;
  return count;
}

/**
 * A string that was decoded from cut bytes by a lenient decoder ends in U+FFFD, and a string cut
 * between the two halves of a surrogate pair ends in a lone high surrogate: both are the cut, not
 * content, so they go.
 */
function dropCutCharacter(text: string): string {
  return text.replace(/(?:\uFFFD+|[\uD800-\uDBFF])$/, '');
}
