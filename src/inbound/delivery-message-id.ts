// paperboy's Message-ID of one attempt of a delivery, read back from a provider's notification. It is
// made when a delivery is claimed (db/deliveries.ts, claimDeliveries): `delivery-<id>.<attempt>@<host>`
// with the host of BASE_URL (deliver/links.ts, mailDomain). Read exactly that and nothing else: the
// whole value, our host only, ids a delivery can have — a Message-ID of some other sender's mail that
// merely contains "delivery-3.1" names nothing here. Pure.

import { isRowId } from '../model/row-id.ts';

const SHAPE = /^<delivery-([1-9]\d{0,9})\.([1-9]\d{0,9})@([^<>@\s]+)>$/;

/** The delivery and attempt a Message-ID header names, if it is exactly one of ours (`host`: of BASE_URL). */
export function readDeliveryMessageId(value: string | null | undefined, host: string): { deliveryId: number; attempt: number } | null {
  const trimmed = (value ?? '').trim();
  const m = SHAPE.exec(trimmed.startsWith('<') ? trimmed : `<${trimmed}>`);
  if (!m || m[3]!.toLowerCase() !== host.toLowerCase()) return null;
  const deliveryId = Number(m[1]);
  const attempt = Number(m[2]);
  return isRowId(deliveryId) && isRowId(attempt) ? { deliveryId, attempt } : null;
}
