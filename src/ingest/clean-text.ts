// Text as a snapshot gives it, made safe and comparable before anything is stored or matched.
// Pure. Two strengths:
// - cleanText: what is stored and shown (titles, abstracts, names). Invisible characters that only
//   hide or reorder text go (soft hyphen, zero-width space, BOM, word joiner, bidi controls), as do
//   control characters; whitespace of any kind becomes one space; NFC. Zero-width (non-)joiners
//   stay: some scripts (Persian, Indic) need them to spell a word.
// - stripInvisible: for identity (paper-identity.ts), every Unicode format character (category Cf)
//   and every default-ignorable code point goes, joiners included.

// Soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width space, LRM/RLM, bidi
// embeddings/overrides/isolates, word joiner and invisible operators, BOM.
const HIDING = /[\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;
// C0 and C1 controls other than whitespace (tabs and line breaks are whitespace below).
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROLS = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/g;
const WHITESPACE = /[\s\p{Z}]+/gu;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** One line of clean text: "Scal\u00ADing\u200B  Laws\n" → "Scaling Laws". */
export function cleanText(text: string | null | undefined): string {
  const value = text ?? '';
  // Printable ASCII (most of a listing) has nothing to hide or compose: only spaces to collapse.
  if (PRINTABLE_ASCII.test(value)) return value.includes('  ') ? value.replace(/ {2,}/g, ' ').trim() : value.trim();
  return value.replace(HIDING, '').replace(CONTROLS, ' ').replace(WHITESPACE, ' ').trim().normalize('NFC');
}

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/** Every format character and default-ignorable code point removed (identity only: joiners too). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * At most `max` characters (UTF-16 units, never splitting a surrogate pair), cut at the last space
 * when there is one in the final tenth, ending in "…". Unchanged when short enough.
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  if (space > max * 0.9) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}

/** A value quoted for a one-line message: JSON-escaped (no line breaks), at most `max` characters. */
export function quote(value: string, max = 60): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
