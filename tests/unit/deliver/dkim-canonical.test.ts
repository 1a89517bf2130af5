// Relaxed canonicalization, on the example of RFC 6376 §3.4.5.
import { describe, expect, it } from 'vitest';
import { relaxedBody, relaxedHeader } from '../../../src/deliver/dkim.ts';

describe('relaxed canonicalization (RFC 6376 §3.4.5)', () => {
  it('turns the example headers into "a:X" and "b:Y Z"', () => {
    expect(relaxedHeader('A: X')).toBe('a:X');
    expect(relaxedHeader('B : Y\t\r\n\tZ  ')).toBe('b:Y Z');
  });

  it('turns the example body into " C\\r\\nD E\\r\\n"', () => {
    expect(relaxedBody(' C \r\nD \t E\r\n\r\n\r\n')).toBe(' C\r\nD E\r\n');
  });

  it('keeps an empty body empty and ends a body without a final line break with one', () => {
    expect(relaxedBody('')).toBe('');
    expect(relaxedBody('\r\n\r\n')).toBe('');
    expect(relaxedBody('last line  ')).toBe('last line\r\n');
  });
});
