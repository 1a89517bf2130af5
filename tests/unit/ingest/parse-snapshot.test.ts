// parseSnapshot: format detection, and every input it must refuse with a SnapshotParseError.
import { describe, it, expect } from 'vitest';
import { parseSnapshot } from '../../../src/ingest/parse-snapshot.ts';
import { capture, fixture, NOW, parseError, seed, SEED_WHOLE } from './builders.ts';

const options = { now: NOW };

describe('format detection', () => {
  it('reads JSON when the first non-space character is "[" or "{"', () => {
    expect(parseSnapshot(`\n  ${fixture('daily-papers-api.json')}`, options).format).toBe('json');
    expect(parseError(() => parseSnapshot(' {"a": 1}', options)).message).toMatch(/^JSON of another shape/);
  });

  it('reads a text capture otherwise', () => {
    expect(parseSnapshot(capture('Jun 10', [{ title: 'A' }]), options).format).toBe('text');
  });

  it('does not depend on the clock beyond options.now', () => {
    const text = capture('Jun 10', [{ title: 'A', date: 'Mar 8' }]);
    expect(parseSnapshot(text, { now: new Date('2030-01-01T00:00:00Z') }).papers[0]?.publishedOn).toBe('2029-03-08');
    expect(parseSnapshot(text, { now: new Date('2026-07-01T00:00:00Z') }).papers[0]?.publishedOn).toBe('2026-03-08');
  });
});

describe('input that is not a snapshot', () => {
  it.each([
    ['an empty string', '', 'empty input, not a snapshot'],
    ['no bytes', new Uint8Array(0), 'empty input, not a snapshot'],
    ['whitespace', ' \n\t\r\n  ', 'input is only whitespace, not a snapshot'],
    ['a BOM alone', '\uFEFF', 'empty input, not a snapshot'],
  ])('rejects %s', (_name, input, message) => {
    const error = parseError(() => parseSnapshot(input, options));
    expect(error.message).toBe(message);
    expect(error.line).toBeNull();
  });

  it('rejects an HTML error page, saying so', () => {
    const page = '\uFEFF\n<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>…</body></html>';
    const error = parseError(() => parseSnapshot(page, options));
    expect(error.message).toBe('not a snapshot: the input looks like an HTML page, such as an error page (line 2)');
    expect(error.line).toBe(2);
    expect(parseError(() => parseSnapshot(Buffer.from('<html lang="en"><body>Daily Papers</body></html>'), options)).message).toMatch(
      /looks like an HTML page/,
    );
  });

  it('rejects other markup', () => {
    const error = parseError(() => parseSnapshot('<?xml version="1.0"?><rss></rss>', options));
    expect(error.message).toBe('not a snapshot: the input looks like XML or HTML markup (line 1)');
  });

  it('rejects binary input with a NUL byte, naming its line', () => {
    const bytes = Buffer.concat([Buffer.from('Daily Papers\n\nJun 10\n\nTitle'), Buffer.from([0, 1, 2]), Buffer.from('\n')]);
    const error = parseError(() => parseSnapshot(bytes, options));
    expect(error.message).toBe('binary input, not a snapshot: NUL byte at line 5');
    expect(error.line).toBe(5);
    expect(parseError(() => parseSnapshot('a\u0000b', options)).message).toMatch(/^binary input/);
  });

  it('rejects invalid UTF-8 before the end, naming its line', () => {
    const whole = seed(SEED_WHOLE);
    const at = whole.indexOf('Explaining Neural Scaling Laws');
    const bytes = Buffer.concat([whole.subarray(0, at), Buffer.from([0xff, 0xfe]), whole.subarray(at)]);
    const error = parseError(() => parseSnapshot(bytes, options));
    expect(error.message).toBe('binary input, not a snapshot: invalid UTF-8 at line 53');
    expect(error.line).toBe(53);
  });

  it('rejects a lead byte followed by a non-continuation byte, even near the end', () => {
    const bytes = Buffer.concat([Buffer.from(capture('Jun 10', [{ title: 'A' }])), Buffer.from([0x0a, 0xe2, 0x41])]);
    expect(parseError(() => parseSnapshot(bytes, options)).message).toMatch(/invalid UTF-8 at line 20/);
  });

  it('rejects an image or an archive', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(parseError(() => parseSnapshot(png, options)).message).toMatch(/^binary input/);
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
    expect(parseError(() => parseSnapshot(gzip, options)).message).toMatch(/^binary input/);
  });

  it.each([
    ['null', 'null', 'JSON of another shape: null, expected the daily papers list (a JSON array) (line 1)'],
    ['a bare string', '"daily papers"', 'JSON of another shape: a string "daily papers", expected the daily papers list (a JSON array) (line 1)'],
    ['a number', '\n42\n', 'JSON of another shape: a number (42), expected the daily papers list (a JSON array) (line 2)'],
    ['a boolean', 'true', 'JSON of another shape: a boolean (true), expected the daily papers list (a JSON array) (line 1)'],
  ])('calls valid JSON that is %s JSON of another shape, not "neither format"', (_name, input, message) => {
    expect(parseError(() => parseSnapshot(input, options)).message).toBe(message);
  });

  it('still calls text that only starts like JSON neither format', () => {
    expect(parseError(() => parseSnapshot('nothing to see here', options)).message).toMatch(/neither JSON nor a Daily Papers text capture/);
    expect(parseError(() => parseSnapshot('42 papers today', options)).message).toMatch(/neither JSON nor a Daily Papers text capture/);
  });
});
