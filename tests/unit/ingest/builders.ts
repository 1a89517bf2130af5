// Small builders for ingest tests: text captures written like the real page, the seed files, and a
// way to look at the SnapshotParseError a call throws.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { SnapshotParseError } from '../../../src/ingest/types.ts';

/** The clock of every test unless it says otherwise. */
export const NOW = new Date('2026-11-23T12:00:00Z');

export const SEED_WHOLE = '000_0b7782e3c814158f.txt';
export const SEED_CUT = '001_92719ba14292193f.txt';

/** A seed file's bytes, as ingest reads them. */
export function seed(name: string): Buffer {
  return readFileSync(new URL(`../../../seeds/${name}`, import.meta.url));
}

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/ingest/${name}`, import.meta.url), 'utf8');
}

export interface EntrySpec {
  title: string;
  abstract?: string;
  /** the line above "·": "  • 3 authors" by default, or an organization; null for no meta block */
  byline?: string | null;
  /** the date line; null leaves it out (with the "·") */
  date?: string | null;
}

export const FULL_HEADER = ['new', 'Get trending papers in your email inbox!', 'Subscribe', 'Daily Papers', 'byAK and the research community'];

/**
 * A capture as the page is copied: blank-line separated blocks, no line break after the last line.
 * `header` replaces the lines before the capture date.
 */
export function capture(date: string, entries: EntrySpec[], header: string[] = FULL_HEADER): string {
  const blocks = [...header, date, ...entries.flatMap(entryBlocks)];
  return blocks.join('\n\n');
}

function entryBlocks(entry: EntrySpec): string[] {
  const abstract = entry.abstract ?? `Abstract of ${entry.title}.`;
  const blocks = [entry.title, abstract];
  if (entry.byline === null) return blocks;
  const meta = [entry.byline ?? '  • 3 authors', '·'];
  if (entry.date !== null) meta.push(entry.date ?? 'Jun 4, 2025');
  return [...blocks, meta.join('\n')];
}

/** Runs `fn`, which must throw a SnapshotParseError, and returns that error. */
export function parseError(fn: () => unknown): SnapshotParseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotParseError);
    const parseError = error as SnapshotParseError;
    expect(parseError.code).toBe('SNAPSHOT_INVALID');
    // Operators read these in one log line.
    expect(parseError.message).not.toMatch(/\n/);
    return parseError;
  }
  throw new Error('expected a SnapshotParseError, but nothing was thrown');
}
