// Reading the machine-readable part of a returned message: which recipient, how bad, what status.
import { describe, expect, it } from 'vitest';
import { classifyDsn, readReport } from '../../../src/inbound/read-report.ts';

const part = (contentType: string, text: string) => ({ contentType, content: Buffer.from(text.replace(/\n/g, '\r\n')) });

describe('reading a report', () => {
  it('classifies DSN recipients: permanent, temporary, mailbox full, delayed, delivered', () => {
    expect(classifyDsn('failed', '5.1.1')).toBe('hard_bounce');
    expect(classifyDsn('Failed', null)).toBe('hard_bounce');
    expect(classifyDsn('failed', '4.4.7')).toBe('soft_bounce');
    expect(classifyDsn('failed', '5.2.2')).toBe('soft_bounce');
    expect(classifyDsn('delayed', '4.4.1')).toBe('delayed');
    expect(classifyDsn('delivered', '2.0.0')).toBeNull();
    expect(classifyDsn('relayed', '2.0.0')).toBeNull();
  });

  it('takes the worst recipient of a DSN, with folded fields unfolded', () => {
    const dsn = part(
      'message/delivery-status',
      `Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ok@example.org
Action: delivered
Status: 2.0.0

Final-Recipient: rfc822; late@example.org
Action: delayed
Status: 4.4.1

Final-Recipient: rfc822;<gone@example.org>
Action: failed
Status: 5.1.1 (user unknown)
Diagnostic-Code: smtp; 550 5.1.1 no such
 user here
`,
    );
    expect(readReport([part('text/plain', 'hello'), dsn])).toEqual(
      expect.objectContaining({ type: 'dsn', kind: 'hard_bounce', recipient: 'gone@example.org', status: '5.1.1', diagnostic: '550 5.1.1 no such user here' }),
    );
  });

  it('says what is not a bounce or a complaint', () => {
    expect(
      readReport([part('message/delivery-status', 'Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b\nAction: delivered\nStatus: 2.0.0\n')]),
    ).toMatchObject({ type: 'other' });
    expect(readReport([part('message/feedback-report', 'Feedback-Type: not-spam\nVersion: 1\n')])).toMatchObject({ type: 'other' });
    expect(readReport([part('text/plain', 'I am on holiday')])).toMatchObject({ type: 'other' });
    expect(
      readReport([
        part(
          'message/feedback-report',
          'Feedback-Type: abuse\nVersion: 1\nOriginal-Mail-From: <bounces+1-1-abc@b.example>\nOriginal-Rcpt-To: <r@example.org>\n',
        ),
      ]),
    ).toEqual({
      type: 'complaint',
      feedbackType: 'abuse',
      recipient: 'r@example.org',
      originalMailFrom: 'bounces+1-1-abc@b.example',
    });
  });
});
