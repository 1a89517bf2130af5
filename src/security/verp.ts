// The addresses of BOUNCE_DOMAIN that name what they are about, signed so nobody can make one up:
//   bounces+<delivery>-<attempt>-<mac>@BOUNCE_DOMAIN   the return path (VERP) of one attempt of a delivery
//   unsubscribe+<subscriber>-<mac>@BOUNCE_DOMAIN       the mailto: of List-Unsubscribe
// Ids in base 36 and the HMAC-SHA256 (SECRET_KEY, 80 bits) in hex: lower case only, so a relay that
// folds the case of the local part changes nothing, and short enough for a 64-character local part.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type VerpAddress = { kind: 'bounce'; deliveryId: number; attempt: number } | { kind: 'unsubscribe'; subscriberId: number };

/** Why an address of BOUNCE_DOMAIN was refused. */
export type VerpRefusal = 'not_ours' | 'malformed' | 'forged';

const MAC_HEX = 20;

export class VerpSigner {
  constructor(
    private readonly key: Buffer,
    readonly domain: string,
  ) {
    if (key.length < 16) throw new Error('the signing key must be at least 16 bytes');
  }

  /** The return path of one attempt of a delivery. */
  bounceAddress(deliveryId: number, attempt: number): string {
    const body = `${deliveryId.toString(36)}-${attempt.toString(36)}`;
    return `bounces+${body}-${this.mac('bounces', body)}@${this.domain}`;
  }

  /** The address that unsubscribes a subscriber when mailed. */
  unsubscribeAddress(subscriberId: number): string {
    const body = subscriberId.toString(36);
    return `unsubscribe+${body}-${this.mac('unsubscribe', body)}@${this.domain}`;
  }

  /** What a recipient address of BOUNCE_DOMAIN names, or why it is refused. */
  read(address: string): VerpAddress | { refused: VerpRefusal } {
    const at = address.lastIndexOf('@');
    if (at < 0 || address.slice(at + 1).toLowerCase() !== this.domain) return { refused: 'not_ours' };
    const m = /^(bounces|unsubscribe)\+([0-9a-z-]{1,64})$/.exec(address.slice(0, at).toLowerCase());
    if (!m) return { refused: 'malformed' };
    const [, prefix, token] = m as unknown as [string, 'bounces' | 'unsubscribe', string];
    const parts = token.split('-');
    const mac = parts.pop()!;
    const ids = parts.map((p) => parseInt(p, 36));
    const shape = prefix === 'bounces' ? 2 : 1;
    if (parts.length !== shape || mac.length !== MAC_HEX || ids.some((n) => !Number.isSafeInteger(n) || n <= 0) || parts.some((p) => !/^[0-9a-z]+$/.test(p))) {
      return { refused: 'malformed' };
    }
    const expected = Buffer.from(this.mac(prefix, parts.join('-')));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'forged' };
    return prefix === 'bounces' ? { kind: 'bounce', deliveryId: ids[0]!, attempt: ids[1]! } : { kind: 'unsubscribe', subscriberId: ids[0]! };
  }

  /** Every signed address of this domain in a text (headers of a returned message), read. */
  findIn(text: string): VerpAddress[] {
    const found: VerpAddress[] = [];
    const pattern = new RegExp(`(?:bounces|unsubscribe)\\+[0-9a-z-]{1,64}@${this.domain.replace(/\./g, '\\.')}`, 'gi');
    for (const m of text.matchAll(pattern)) {
      const read = this.read(m[0]);
      if (!('refused' in read)) found.push(read);
    }
    return found;
  }

  private mac(prefix: string, body: string): string {
    return createHmac('sha256', this.key).update(`paperboy.verp.v1.${prefix}.${body}`).digest('hex').slice(0, MAC_HEX);
  }
}
