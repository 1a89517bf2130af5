// Entry point of the ingest stage's pure core: raw snapshot input in, ParsedSnapshot out. It only
// decides which format the input is in and rejects what is neither; the parsers do the rest.
// Pure: no fs, no clock (options.now), no env, no logging.
import { SnapshotParseError, type ParseOptions, type ParsedSnapshot } from './types.ts';
import { decodeSnapshotInput, lineAt } from './parse-encoding.ts';
import { parseDailyPapersJson, parseDailyPapersValue } from './parse-json.ts';
import { parseTextCapture } from './parse-text.ts';

/**
 * Parses one snapshot: the Hugging Face daily papers API JSON when the first non-space character
 * is "[" or "{", otherwise the text capture of the Daily Papers page.
 * Throws SnapshotParseError (with the line, when there is one) for input that is not a snapshot.
 */
export function parseSnapshot(input: string | Uint8Array, options: ParseOptions): ParsedSnapshot {
  const text = decodeSnapshotInput(input);
  const start = text.search(/\S/);
  if (start < 0) {
    throw new SnapshotParseError(text === '' ? 'empty input, not a snapshot' : 'input is only whitespace, not a snapshot');
  }
  const first = text[start];
  if (first === '[' || first === '{') return parseDailyPapersJson(text, options);
  if (first === '<') {
    const line = lineAt(text, start);
    throw new SnapshotParseError(`not a snapshot: ${markupKind(text.slice(start))} (line ${line})`, line);
  }
  // Valid JSON that is not a list or an object (null, "a string", 42, true) is JSON of another shape.
  const scalar = jsonScalar(text, first ?? '');
  if (scalar.is) return parseDailyPapersValue(scalar.value, text, options);
  return parseTextCapture(text, options);
}

/** The value of a whole input that is a bare JSON scalar; a text capture never is one. */
function jsonScalar(text: string, first: string): { is: true; value: unknown } | { is: false } {
  if (!/["\-0-9tfn]/.test(first)) return { is: false };
  try {
    return { is: true, value: JSON.parse(text) };
  } catch {
    return { is: false };
  }
}

/** Names what a "<" document is, so an operator sees "an HTML page" (an error page) at a glance. */
function markupKind(document: string): string {
  const head = document.slice(0, 1024).toLowerCase();
  if (/^<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]/.test(head)) {
    return 'the input looks like an HTML page, such as an error page';
  }
  return 'the input looks like XML or HTML markup';
}
