// What an Amazon SES bounce or complaint notification says, read — pure: the notification's Message
// (JSON, already parsed) and what names paperboy's own mail in, a reading out.
//   Bounce Permanent → hard bounce; Transient or Undetermined → soft bounce; Complaint → complaint
// The delivery is named only by what paperboy itself put on the message:
//   mail.source                  a VERP return path whose signature checks (security/verp.ts)
//   mail.commonHeaders.messageId exactly `<delivery-<id>.<attempt>@<host of BASE_URL>>` (delivery-message-id.ts)
// Anything else — another sender's mail on the same SES account or topic, a Message-ID that only
// contains "delivery-3.1" — names no delivery. The recipients it reports go with it: the handler
// acts only when one of them is that delivery's subscriber (handle-report.ts, `about`).
import type { InboundKind } from '../db/generated/client.ts';
import type { VerpSigner } from '../security/verp.ts';
import { readDeliveryMessageId } from './delivery-message-id.ts';
import { isRowId } from '../model/row-id.ts';
import type { InboundTarget, ReportedRecipient } from './handle-report.ts';

interface SesMail {
  source?: string;
  messageId?: string;
  commonHeaders?: { messageId?: string };
}
interface SesRecipient {
  emailAddress?: string;
  status?: string;
  diagnosticCode?: string;
}
export interface SesMessage {
  notificationType?: string;
  eventType?: string;
  mail?: SesMail;
  bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: SesRecipient[] };
  complaint?: { complaintFeedbackType?: string; complainedRecipients?: SesRecipient[] };
}

export interface OurMail {
  verp: VerpSigner | null;
  /** the host of BASE_URL, as paperboy's Message-IDs carry it */
  messageIdHost: string;
}

export type SesReading =
  | { type: 'ignored'; notificationType: string | null }
  | { type: 'unknown_delivery' }
  | { type: 'report'; kind: InboundKind; target: InboundTarget; about: ReportedRecipient[] };

/** SES names a recipient as an address, or now and then as `Name <address>`. */
function bareAddress(value: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(value);
  return (angle ? angle[1]! : value).trim();
}

function targetOf(ours: OurMail, mail: SesMail | undefined): InboundTarget | null {
  const read = ours.verp && mail?.source ? ours.verp.read(bareAddress(mail.source)) : null;
  if (read && !('refused' in read)) {
    if (read.kind === 'bounce') return isRowId(read.deliveryId) && isRowId(read.attempt) ? { deliveryId: read.deliveryId, attempt: read.attempt } : null;
    return isRowId(read.subscriberId) ? { subscriberId: read.subscriberId } : null;
  }
  return readDeliveryMessageId(mail?.commonHeaders?.messageId, ours.messageIdHost);
}

export function readSesNotification(message: SesMessage, ours: OurMail): SesReading {
  const type = message.notificationType ?? message.eventType ?? null;
  if (type !== 'Bounce' && type !== 'Complaint') return { type: 'ignored', notificationType: type }; // Delivery, Send …
  const target = targetOf(ours, message.mail);
  if (!target) return { type: 'unknown_delivery' };
  if (type === 'Complaint') {
    const feedback = message.complaint?.complaintFeedbackType ?? 'abuse';
    const about = (message.complaint?.complainedRecipients ?? [])
      .filter((r) => r.emailAddress)
      .map((r) => ({ address: bareAddress(r.emailAddress!), status: feedback, diagnostic: null }));
    return { type: 'report', kind: 'complaint', target, about };
  }
  const bounce = message.bounce;
  const about = (bounce?.bouncedRecipients ?? [])
    .filter((r) => r.emailAddress)
    .map((r) => ({
      address: bareAddress(r.emailAddress!),
      status: r.status ?? null,
      diagnostic: r.diagnosticCode ?? `${bounce?.bounceType}/${bounce?.bounceSubType}`,
    }));
  return { type: 'report', kind: bounce?.bounceType === 'Permanent' ? 'hard_bounce' : 'soft_bounce', target, about };
}
