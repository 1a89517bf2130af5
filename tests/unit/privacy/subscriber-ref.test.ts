// How an operator names a subscriber for export and erase: an id, or an address in any case;
// anything else names nobody (and never reaches a query).
import { describe, expect, it } from 'vitest';
import { parseSubscriberRef } from '../../../src/privacy/subscriber-data.ts';

describe('parseSubscriberRef', () => {
  it('reads an id or an address', () => {
    expect(parseSubscriberRef('42')).toEqual({ id: 42 });
    expect(parseSubscriberRef(' Ada@Example.org ')).toEqual({ email: 'Ada@Example.org' });
  });

  it('names nobody with anything else', () => {
    for (const text of [
      '',
      '0',
      '-1',
      '2147483648',
      '99999999999',
      '4.2',
      'ada',
      'ada@',
      '@example.org',
      'a b@example.org',
      `${'a'.repeat(320)}@example.org`,
    ]) {
      expect(parseSubscriberRef(text), text).toBeNull();
    }
  });
});
