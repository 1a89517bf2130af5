// An SES notification read: the delivery only from our signed return path or our exact Message-ID,
// with the recipients it reports (the handler compares them with the subscriber).
import { describe, expect, it } from 'vitest';
import { readSesNotification } from '../../../src/inbound/ses-notification.ts';
import { VerpSigner } from '../../../src/security/verp.ts';

const verp = new VerpSigner(Buffer.alloc(32, 7), 'bounce.papers.example.org');
const ours = { verp, messageIdHost: 'papers.example.org' };
const bounce = (mail: object, bounceType = 'Permanent') => ({
  notificationType: 'Bounce',
  bounce: {
    bounceType,
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'Reader <reader@example.org>', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
  },
  mail,
});

describe('reading an SES notification', () => {
  it('names the delivery by its signed return path, with the recipients reported', () => {
    expect(readSesNotification(bounce({ source: verp.bounceAddress(42, 2) }), ours)).toEqual({
      type: 'report',
      kind: 'hard_bounce',
      target: { deliveryId: 42, attempt: 2 },
      about: [{ address: 'reader@example.org', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }],
    });
  });

  it('names the delivery by our exact Message-ID when the return path is not ours', () => {
    const r = readSesNotification(
      bounce({ source: 'digest@papers.example.org', commonHeaders: { messageId: '<delivery-42.1@papers.example.org>' } }, 'Transient'),
      ours,
    );
    expect(r).toMatchObject({ type: 'report', kind: 'soft_bounce', target: { deliveryId: 42, attempt: 1 } });
  });

  it('names nothing for a forged return path and a look-alike Message-ID', () => {
    const forged = verp.bounceAddress(42, 2).replace(/-[0-9a-f]{20}@/, '-0123456789abcdef0123@');
    expect(readSesNotification(bounce({ source: forged, commonHeaders: { messageId: '<x-delivery-42.2@papers.example.org>' } }), ours)).toEqual({
      type: 'unknown_delivery',
    });
    expect(readSesNotification(bounce({ source: 'news@other.example', commonHeaders: { messageId: '<delivery-42.2@other.example>' } }), ours)).toEqual({
      type: 'unknown_delivery',
    });
    expect(readSesNotification(bounce({}), ours)).toEqual({ type: 'unknown_delivery' });
  });

  it('reads a complaint with its feedback type, and ignores other notifications', () => {
    const complaint = {
      notificationType: 'Complaint',
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'reader@example.org' }] },
      mail: { source: verp.bounceAddress(7, 1) },
    };
    expect(readSesNotification(complaint, ours)).toEqual({
      type: 'report',
      kind: 'complaint',
      target: { deliveryId: 7, attempt: 1 },
      about: [{ address: 'reader@example.org', status: 'abuse', diagnostic: null }],
    });
    expect(readSesNotification({ notificationType: 'Delivery', mail: { source: verp.bounceAddress(7, 1) } }, ours)).toEqual({
      type: 'ignored',
      notificationType: 'Delivery',
    });
  });
});
