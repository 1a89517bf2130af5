// One message received for BOUNCE_DOMAIN, read and handed to the handler. Its recipients say what it
// is about, and only signed ones count:
//   bounces+<token>      a DSN (or an ARF report sent to the return path) for that attempt of a delivery
//   unsubscribe+<token>  the mailto: of List-Unsubscribe: that subscriber unsubscribes, whatever the content
//   complaints           where feedback loops send ARF reports: the delivery is named by a signed
//                        address inside the report (Original-Mail-From, the returned headers)
// Anything else is refused (unknown recipient, forged token, a report that is neither DSN nor ARF, a
// complaint naming nothing signed, a message mailparser cannot read at all), and nothing changes.
// A message mailparser refuses fails the same way every time (refused: the receiver answers 5xx);
// what throws later — the database away, or a fault of ours — may work later (451).
import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { VerpAddress, VerpSigner } from '../security/verp.ts';
import { handleInbound, type InboundDeps, type InboundEvent, type InboundResult } from './handle-report.ts';
import { readReport, type Reading, type ReportPart } from './read-report.ts';

export interface ReceiveDeps extends InboundDeps {
  verp: VerpSigner;
}

const COMPLAINTS_LOCAL_PART = 'complaints';

export type Refusal = { reason: 'not_ours' | 'malformed' | 'forged' | 'unknown_report' | 'unsigned'; message: string };

/** Whether a recipient is one this receiver takes (checked at RCPT TO, before any data). */
export function checkRecipient(verp: VerpSigner, address: string): VerpAddress | 'complaints' | Refusal {
  if (address.toLowerCase() === `${COMPLAINTS_LOCAL_PART}@${verp.domain}`) return 'complaints';
  const read = verp.read(address);
  if ('refused' in read) {
    const message =
      read.refused === 'forged'
        ? 'this address was not issued here'
        : read.refused === 'not_ours'
          ? `not a domain of this receiver (${verp.domain})`
          : 'no such address';
    return { reason: read.refused, message };
  }
  return read;
}

export type ReceiveOutcome = { accepted: true; results: InboundResult[] } | ({ accepted: false } & Refusal);

export async function receiveMessage(deps: ReceiveDeps, raw: Buffer, recipients: string[]): Promise<ReceiveOutcome> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch (err) {
    // mailparser's own limits (a header block over 1 MB, over 1,000 MIME parts …): the same bytes
    // never parse. (A fault of ours further on still throws: 451, and the report waits for a fix.)
    return { accepted: false, reason: 'malformed', message: `the message cannot be read: ${(err as Error).message}` };
  }
  const parts = parsed.attachments.map((a) => ({ contentType: a.contentType, content: a.content }));
  const reading = readReport(parts);
  const key = `smtp:${parsed.messageId ?? createHash('sha256').update(raw).digest('hex')}`;
  const events: InboundEvent[] = [];
  for (const rcpt of recipients) {
    const target = checkRecipient(deps.verp, rcpt);
    if (target !== 'complaints' && 'reason' in target) return { accepted: false, ...target };
    const reportKey = `${key}:${rcpt.toLowerCase()}`;
    if (target !== 'complaints' && target.kind === 'unsubscribe') {
      events.push({ via: 'smtp', kind: 'unsubscribe', reportKey, target: { subscriberId: target.subscriberId }, recipient: null });
      continue;
    }
    if (reading.type === 'other') return { accepted: false, reason: 'unknown_report', message: `not a report paperboy reads: ${reading.why}` };
    const named = target === 'complaints' ? signedIn(deps.verp, reading, raw, parts) : target;
    if (!named) return { accepted: false, reason: 'unsigned', message: 'the report names no address signed by paperboy' };
    events.push({
      via: 'smtp',
      kind: reading.type === 'dsn' ? reading.kind : 'complaint',
      reportKey,
      target: named.kind === 'bounce' ? { deliveryId: named.deliveryId, attempt: named.attempt } : { subscriberId: named.subscriberId },
      recipient: reading.recipient,
      status: reading.type === 'dsn' ? reading.status : reading.feedbackType,
      diagnostic: reading.type === 'dsn' ? reading.diagnostic : null,
    });
  }
  const results: InboundResult[] = [];
  for (const event of events) {
    const result = await handleInbound(deps, event);
    if (result.refused === 'erased') {
      deps.metrics.inboundRefused('erased', 'smtp');
      deps.log.info(
        { event: 'inbound.refused', via: 'smtp', reason: 'erased', deliveryId: result.deliveryId, subscriberId: result.subscriberId },
        'a report about a subscriber whose data was erased: accepted, not stored',
      );
    }
    results.push(result);
  }
  return { accepted: true, results };
}

/** The first signed address a report carries: its Original-Mail-From, else anywhere in the returned message. */
function signedIn(verp: VerpSigner, reading: Reading, raw: Buffer, parts: ReportPart[]): VerpAddress | null {
  const from = reading.type === 'complaint' && reading.originalMailFrom ? verp.findIn(reading.originalMailFrom) : [];
  const found = [...from, ...verp.findIn(raw.toString('latin1')), ...parts.flatMap((p) => verp.findIn(p.content.toString('utf8')))];
  return found.find((a) => a.kind === 'bounce') ?? found[0] ?? null;
}
