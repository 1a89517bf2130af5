// What a returned message says, read from its MIME parts (mailparser) — pure: parts in, a reading out.
//   multipart/report; report-type=delivery-status (RFC 3464): one DSN per recipient block
//     Action failed + Status 5.x.x  → hard bounce (but 5.2.2, mailbox full: soft)
//     Action failed + Status 4.x.x  → soft bounce (the MTA gave up on a temporary error)
//     Action delayed                → delayed (still trying: nothing changes)
//   multipart/report; report-type=feedback-report (RFC 5965): a complaint (Feedback-Type abuse, fraud, virus, other)
// Header blocks are read with libmime (the header parser mailparser itself uses).
import libmime from 'libmime';

export interface ReportPart {
  contentType: string;
  content: Buffer;
}

interface DsnRecipient {
  recipient: string | null;
  action: string;
  status: string | null;
  diagnostic: string | null;
}

export type BounceKind = 'hard_bounce' | 'soft_bounce' | 'delayed';

export type Reading =
  | { type: 'dsn'; kind: BounceKind; recipient: string | null; status: string | null; diagnostic: string | null; recipients: DsnRecipient[] }
  | { type: 'complaint'; feedbackType: string; recipient: string | null; originalMailFrom: string | null }
  | { type: 'other'; why: string };

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ARF_TYPES = new Set(['message/feedback-report']);
const COMPLAINT_TYPES = new Set(['abuse', 'fraud', 'virus', 'other']);

/** "rfc822; reader@example.org" → reader@example.org */
function typedAddress(value: string | undefined): string | null {
  if (!value) return null;
  const address = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  return address.trim().replace(/^<|>$/g, '') || null;
}

function field(block: Record<string, string[]>, name: string): string | undefined {
  const v = block[name]?.[0];
  return v === undefined ? undefined : v.replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** The header blocks of a delivery-status body: the per-message block, then one per recipient. */
function headerBlocks(text: string): Array<Record<string, string[]>> {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((b) => b.trim())
    .map((b) => libmime.decodeHeaders(b.trim(), { skipPrototypeKeys: true }) as Record<string, string[]>);
}

export function classifyDsn(action: string, status: string | null): BounceKind | null {
  const a = action.toLowerCase();
  if (a === 'delayed') return 'delayed';
  if (a !== 'failed') return null; // delivered, relayed, expanded: not a bounce
  if (status?.startsWith('4.') || status === '5.2.2') return 'soft_bounce';
  return 'hard_bounce'; // 5.x.x, or a failure without a status (treated as permanent, as MTAs mean it)
}

const SEVERITY: Record<BounceKind, number> = { hard_bounce: 3, soft_bounce: 2, delayed: 1 };

export function readReport(parts: ReportPart[]): Reading {
  const dsn = parts.find((p) => DSN_TYPES.has(p.contentType.toLowerCase()));
  if (dsn) {
    const [, ...perRecipient] = headerBlocks(dsn.content.toString('utf8'));
    const recipients: DsnRecipient[] = perRecipient
      .filter((b) => field(b, 'action'))
      .map((b) => ({
        recipient: typedAddress(field(b, 'final-recipient') ?? field(b, 'original-recipient')),
        action: field(b, 'action')!,
        status: field(b, 'status')?.match(/^[245]\.\d{1,3}\.\d{1,3}/)?.[0] ?? null,
        diagnostic: field(b, 'diagnostic-code')?.replace(/^smtp;\s*/i, '') ?? null,
      }));
    let worst: { kind: BounceKind; r: DsnRecipient } | null = null;
    for (const r of recipients) {
      const kind = classifyDsn(r.action, r.status);
      if (kind && (!worst || SEVERITY[kind] > SEVERITY[worst.kind])) worst = { kind, r };
    }
    if (!worst) return { type: 'other', why: 'a delivery status notification without a failed or delayed recipient' };
    return { type: 'dsn', kind: worst.kind, recipient: worst.r.recipient, status: worst.r.status, diagnostic: worst.r.diagnostic, recipients };
  }
  const arf = parts.find((p) => ARF_TYPES.has(p.contentType.toLowerCase()));
  if (arf) {
    const [block] = headerBlocks(arf.content.toString('utf8'));
    const feedbackType = (block && field(block, 'feedback-type'))?.toLowerCase() ?? '';
    if (!COMPLAINT_TYPES.has(feedbackType)) return { type: 'other', why: `a feedback report of type ${JSON.stringify(feedbackType)}` };
    return {
      type: 'complaint',
      feedbackType,
      recipient: typedAddress(block && field(block, 'original-rcpt-to')),
      originalMailFrom: typedAddress(block && field(block, 'original-mail-from')),
    };
  }
  return { type: 'other', why: 'neither a delivery status notification (RFC 3464) nor a feedback report (RFC 5965)' };
}
