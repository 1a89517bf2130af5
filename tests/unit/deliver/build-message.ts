// A small builder for OutgoingMessage: every call gets a unique Message-ID and recipient.
import type { OutgoingMessage } from '../../../src/deliver/types.ts';

let counter = 0;

export function buildMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const n = ++counter;
  const token = `tok${n}_${'a'.repeat(40)}`;
  return {
    from: 'paperboy <digest@papers.example.org>',
    to: `reader${n}@example.org`,
    replyTo: 'help@papers.example.org',
    subject: `Your digest #${n}: 3 new papers`,
    html: `<p>Hello reader ${n}</p>`,
    text: `Hello reader ${n}`,
    messageId: `delivery-${n}.1@papers.example.org`,
    headers: {
      'List-Unsubscribe': `<https://papers.example.org/unsubscribe?token=${token}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': 'paperboy daily digest <digest.papers.example.org>',
    },
    ...overrides,
  };
}
