// A message body as MIME transfer-encoded bytes (RFC 2045 §6.7 quoted-printable, or base64), in one
// pass over its UTF-8 bytes into one buffer: CRLF line ends, lines of at most 76 characters, an "="
// only ever before two hex digits or a soft line break (so a boundary holding "=_" never occurs in
// it), whitespace before a line end encoded, a UTF-8 character never split across a soft break.
//
// Why not nodemailer's encoder (nodemailer/lib/qp, through MailComposer): there each body went through
// a chain of streams, a character-by-character scan to pick the encoding, the encoder, then a
// line wrapper of regular expressions and substrings — about half of the send path's CPU per message
// (bench/README.md "send"). mailparser decodes every message in the tests (tests/unit/deliver).

/** What each byte is to the encoder. */
const LITERAL = 0; // printable US-ASCII except "=" (RFC 2045 §6.7 (2)): written as it is
const BLANK = 1; // space or tab: as it is, unless a line end follows (§6.7 (3))
const LINE_FEED = 2;
const RETURN = 3;
const ESCAPED = 4; // "=XX"
const KIND = new Uint8Array(256).fill(ESCAPED);
for (let b = 0x21; b <= 0x7e; b++) if (b !== 0x3d) KIND[b] = LITERAL;
KIND[0x20] = KIND[0x09] = BLANK;
KIND[0x0a] = LINE_FEED;
KIND[0x0d] = RETURN;
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const EQUALS = 0x3d;
/** characters on a line before its soft break "=" (76 in all) */
const WIDTH = 75;

/**
 * `bytes` quoted-printable into `out` from `at`; returns where it ended. A line end in the input
 * (LF or CRLF) is a line end of the output (CRLF); a lone CR is data (=0D). `out` must hold
 * qpBound(bytes.length) bytes from `at`.
 */
function encodeQuotedPrintable(bytes: Buffer, out: Buffer, at: number): number {
  const end = bytes.length;
  let pos = at;
  let column = 0;
  let i = 0;
  while (i < end) {
    let b = bytes[i]!;
    let kind = KIND[b]!;
    // a run of printable characters (most of a message): copied while the line has room
    while (kind === LITERAL && column < WIDTH) {
      out[pos++] = b;
      column++;
      if (++i === end) return pos;
      b = bytes[i]!;
      kind = KIND[b]!;
    }
    if (kind === LITERAL || (kind === BLANK && i + 1 < end && KIND[bytes[i + 1]!] !== LINE_FEED && !(bytes[i + 1] === CR && bytes[i + 2] === LF))) {
      if (column === WIDTH) {
        out[pos++] = EQUALS;
        out[pos++] = CR;
        out[pos++] = LF;
        column = 0;
      }
      out[pos++] = b;
      column++;
      i++;
      continue;
    }
    if (kind === LINE_FEED || (kind === RETURN && bytes[i + 1] === LF)) {
      out[pos++] = CR;
      out[pos++] = LF;
      column = 0;
      i += kind === RETURN ? 2 : 1;
      continue;
    }
    // escaped: a whole UTF-8 character at once, so a soft break never splits it
    const n = b < 0xc0 ? 1 : Math.min(b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2, end - i);
    if (column + 3 * n > WIDTH) {
      out[pos++] = EQUALS;
      out[pos++] = CR;
      out[pos++] = LF;
      column = 0;
    }
    for (let k = 0; k < n; k++) {
      const c = bytes[i + k]!;
      out[pos++] = EQUALS;
      out[pos++] = HEX[c >> 4]!;
      out[pos++] = HEX[c & 15]!;
    }
    column += 3 * n;
    i += n;
  }
  return pos;
}

/** The most bytes encodeQuotedPrintable writes for `length` input bytes. */
const qpBound = (length: number): number => length * 3 + Math.ceil((length * 3) / WIDTH) * 3 + 2;

/** One buffer to encode into, grown as needed: the result is copied out at its exact size. */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * `text` quoted-printable, starting at the start of a line: its own buffer. Its last line ends with
 * CRLF when `text` ends with a line end; otherwise it is left open (a soft line break or the part's
 * end closes it). A blank at its very end is encoded (=20), so it never ends in whitespace.
 */
function quotedPrintable(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (scratch.length < qpBound(bytes.length)) scratch = Buffer.allocUnsafeSlow(qpBound(bytes.length));
  return Buffer.from(scratch.subarray(0, encodeQuotedPrintable(bytes, scratch, 0)));
}

/** `text` base64 in lines of 76 characters (no final line end). */
function base64Lines(text: string): Buffer {
  return Buffer.from(
    Buffer.from(text, 'utf8')
      .toString('base64')
      .replace(/.{76}(?!$)/g, '$&\r\n'),
    'latin1',
  );
}

export interface EncodedBody {
  encoding: 'quoted-printable' | 'base64';
  bytes: Buffer;
}

/**
 * A text body transfer-encoded: quoted-printable unless base64 is smaller (mostly non-Latin text,
 * as nodemailer chose), so the usual digest stays readable in its raw form and SpamAssassin never
 * sees plain text hidden in base64.
 */
export function encodeBody(text: string): EncodedBody {
  const bytes = quotedPrintable(text);
  if (bytes.length <= Buffer.byteLength(text, 'utf8') * 1.5) return { encoding: 'quoted-printable', bytes };
  return { encoding: 'base64', bytes: base64Lines(text) };
}
