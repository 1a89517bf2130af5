// RFC 8058 one-click bodies as multipart/form-data, as mail providers may send them.
import { describe, expect, it } from 'vitest';
import { multipartFields } from '../../../src/web/pages/one-click-body.ts';

const body = (boundary: string, parts: string[]) => Buffer.from(`${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`);

describe('multipartFields', () => {
  it('reads the one-click field', () => {
    const b = body('XyZ', ['Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click']);
    expect(multipartFields('multipart/form-data; boundary=XyZ', b)).toEqual({ 'List-Unsubscribe': 'One-Click' });
  });

  it('takes quoted boundaries, several fields, LF-only line ends; skips files; keeps the first of a repeated name', () => {
    const b = Buffer.from(
      '--b-1\nContent-Disposition: form-data; name=a\n\n1\n--b-1\nContent-Disposition: form-data; name="f"; filename="x.txt"\nContent-Type: ' +
        'text/plain\n\nfile\n--b-1\nContent-Disposition: form-data; name="a"\n\n2\n--b-1\nContent-Disposition: form-data; ' +
        'name="List-Unsubscribe"\n\nOne-Click\n--b-1--\n',
    );
    expect(multipartFields('multipart/form-data; boundary="b-1"', b)).toEqual({ a: '1', 'List-Unsubscribe': 'One-Click' });
  });

  it('null without a boundary or when the body does not use it', () => {
    expect(multipartFields('multipart/form-data', Buffer.from('x'))).toBeNull();
    expect(multipartFields('multipart/form-data; boundary=zz', Buffer.from('List-Unsubscribe=One-Click'))).toBeNull();
  });
});
