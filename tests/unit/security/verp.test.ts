import { describe, expect, it } from 'vitest';
import { VerpSigner } from '../../../src/security/verp.ts';

const signer = new VerpSigner(Buffer.alloc(32, 7), 'bounce.papers.example.org');

describe('VERP addresses', () => {
  it('name one attempt of a delivery, or a subscriber, and read back whatever the case', () => {
    const bounce = signer.bounceAddress(123456, 2);
    expect(bounce).toMatch(/^bounces\+2n9c-2-[0-9a-f]{20}@bounce\.papers\.example\.org$/);
    expect(bounce.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(signer.read(bounce)).toEqual({ kind: 'bounce', deliveryId: 123456, attempt: 2 });
    expect(signer.read(bounce.toUpperCase())).toEqual({ kind: 'bounce', deliveryId: 123456, attempt: 2 });
    expect(signer.read(signer.unsubscribeAddress(42))).toEqual({ kind: 'unsubscribe', subscriberId: 42 });
  });

  it('refuses a changed id, a token of the other kind, another key, another domain or garbage', () => {
    const bounce = signer.bounceAddress(7, 1);
    expect(signer.read(bounce.replace('bounces+7-', 'bounces+8-'))).toEqual({ refused: 'forged' });
    expect(signer.read(bounce.replace('bounces+', 'unsubscribe+').replace('7-1-', '7-'))).toEqual({ refused: 'forged' });
    expect(new VerpSigner(Buffer.alloc(32, 8), 'bounce.papers.example.org').read(bounce)).toEqual({ refused: 'forged' });
    expect(signer.read(bounce.replace('bounce.papers', 'other.papers'))).toEqual({ refused: 'not_ours' });
    expect(signer.read('bounces+zz@bounce.papers.example.org')).toEqual({ refused: 'malformed' });
    expect(signer.read('postmaster@bounce.papers.example.org')).toEqual({ refused: 'malformed' });
  });

  it('finds the signed addresses in the headers of a returned message', () => {
    const text =
      `Return-Path: <${signer.bounceAddress(9, 3)}>\r\nList-Unsubscribe: ` +
      `<mailto:${signer.unsubscribeAddress(5)}?subject=unsubscribe>\r\nX-Forged: bounces+9-3-00000000000000000000@bounce.papers.example.org`;
    expect(signer.findIn(text)).toEqual([
      { kind: 'bounce', deliveryId: 9, attempt: 3 },
      { kind: 'unsubscribe', subscriberId: 5 },
    ]);
  });
});
