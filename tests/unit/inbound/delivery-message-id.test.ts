// paperboy's Message-ID read back exactly: the whole value, our host, ids a delivery can have.
import { describe, expect, it } from 'vitest';
import { readDeliveryMessageId } from '../../../src/inbound/delivery-message-id.ts';

const HOST = 'papers.example.org';

describe("reading paperboy's Message-ID", () => {
  it.each([
    ['<delivery-3.1@papers.example.org>', { deliveryId: 3, attempt: 1 }],
    ['delivery-3.1@papers.example.org', { deliveryId: 3, attempt: 1 }],
    ['  <delivery-2147483647.12@Papers.Example.ORG> ', { deliveryId: 2147483647, attempt: 12 }],
  ])('reads %s', (value, expected) => {
    expect(readDeliveryMessageId(value, HOST)).toEqual(expected);
  });

  it.each([
    ['<delivery-3.1@other-sender.example>', 'another host'],
    ['<x-delivery-3.1@papers.example.org>', 'a prefix'],
    ['<delivery-3.1@papers.example.org.other-sender.example>', 'our host as a prefix of theirs'],
    ['<delivery-3.1@mail.papers.example.org>', 'a subdomain of ours'],
    ['<delivery-3.1@papers.example.org><evil@x>', 'something after it'],
    ['<delivery-3.1@papers.example.org', 'an unclosed bracket'],
    ['delivery-3.1@papers.example.org>', 'a stray bracket'],
    ['<delivery-3.1.2@papers.example.org>', 'a third number'],
    ['<delivery-03.1@papers.example.org>', 'a leading zero (paperboy never writes one)'],
    ['<delivery-0.1@papers.example.org>', 'id 0'],
    ['<delivery-2147483648.1@papers.example.org>', "past PostgreSQL's integer"],
    ['<delivery-3.2147483648@papers.example.org>', "an attempt past PostgreSQL's integer"],
    ['<delivery-99999999999999999999.1@papers.example.org>', 'twenty digits'],
    ['<confirmation-3.a1b2c3d4e5f6@papers.example.org>', 'a subscription mail'],
    ['', 'nothing'],
  ])('refuses %s (%s)', (value) => {
    expect(readDeliveryMessageId(value, HOST)).toBeNull();
  });

  it('refuses a missing header', () => {
    expect(readDeliveryMessageId(undefined, HOST)).toBeNull();
    expect(readDeliveryMessageId(null, HOST)).toBeNull();
  });
});
