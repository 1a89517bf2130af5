import { describe, expect, it } from 'vitest';
import { readReport, type InboundEvent } from '../../../src/inbound/handle-report.ts';

const event: InboundEvent = { via: 'ses', kind: 'hard_bounce', reportKey: 'k1', target: { deliveryId: 7, attempt: 1 }, status: '5.0.0', diagnostic: null };
const subject = { deliveryId: 7, subscriberId: 3, email: 'Ada@Example.org', erased: false };

describe('readReport', () => {
  it('refuses a report about an erased subscriber, whatever it names', () => {
    expect(readReport(event, { ...subject, erased: true })).toEqual({ refused: 'erased' });
    expect(readReport({ ...event, about: [{ address: 'ada@example.org', status: null, diagnostic: null }] }, { ...subject, erased: true })).toEqual({
      refused: 'erased',
    });
  });

  it('keeps a report that names no recipients as it came, found or not', () => {
    expect(readReport(event, subject)).toEqual({ report: event });
    expect(readReport(event, null)).toEqual({ report: event });
  });

  it('refuses a report about recipients when the delivery named does not exist', () => {
    expect(readReport({ ...event, about: [{ address: 'ada@example.org', status: null, diagnostic: null }] }, null)).toEqual({ refused: 'unknown_delivery' });
  });

  it("refuses a report about someone else's address", () => {
    expect(readReport({ ...event, about: [{ address: 'eve@example.org', status: '5.1.1', diagnostic: 'no such user' }] }, subject)).toEqual({
      refused: 'wrong_recipient',
    });
  });

  it("takes the subscriber's own entry (address compared whatever its case) and falls back to the report's status", () => {
    const about = [
      { address: 'eve@example.org', status: '5.1.1', diagnostic: 'eve' },
      { address: 'ADA@example.ORG', status: null, diagnostic: 'mailbox full' },
    ];
    const read = readReport({ ...event, about }, subject);
    expect(read).toEqual({ report: { ...event, about, recipient: 'ADA@example.ORG', status: '5.0.0', diagnostic: 'mailbox full' } });
  });
});
