// A paper's identity (see CONTEXT.md: paper): its arXiv id when the source gives one, otherwise its
// normalized title. Both functions are pure, so the text capture (no ids) and the JSON API (ids)
// agree on what "the same paper" means.
import { stripInvisible } from './clean-text.ts';

/**
 * The normalized title used to recognise a paper across snapshots: invisible characters removed
 * (Unicode format characters such as the soft hyphen, zero-width spaces and joiners, the BOM, and
 * every other default-ignorable code point), Unicode NFKC, case-folded, punctuation and symbols
 * removed (apostrophes) or turned into spaces (everything else: dashes, quotes, brackets…),
 * whitespace collapsed, trimmed. Accents are kept, in composed form.
 *
 * "A Hitchhiker’s Guide: Scaling–Law Estimation" → "a hitchhikers guide scaling law estimation"
 */
export function titleKey(title: string): string {
  return (
    caseFold(stripInvisible(title).normalize('NFKC'))
      .normalize('NFKC')
      // Apostrophes join a word ("Hitchhiker's" is one word), so they vanish rather than split it.
      .replace(APOSTROPHES, '')
      // Hyphens, dashes, colons, quotes, brackets, math symbols…: a word boundary, like a space.
      .replace(/[\p{P}\p{S}]+/gu, ' ')
      .replace(/[\s\p{Z}]+/gu, ' ')
      .trim()
  );
}

// Straight, curly and modifier-letter apostrophes, and the prime that some titles use for one.
const APOSTROPHES = /['\u2018\u2019\u201B\u02BC\u2032]/gu;

/**
 * Full case folding as far as JS allows: upper-casing first turns "ß" into "SS" (→ "ss"); final
 * sigma is folded by hand, since lower-casing re-creates "ς" at the end of a word.
 */
function caseFold(text: string): string {
  return text.toUpperCase().toLowerCase().replace(/ς/g, 'σ');
}

// New-style identifiers (April 2007 on): YYMM.NNNN until 2014, YYMM.NNNNN from 2015.
const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/i;
// Old-style identifiers: archive[.SUBJECT-CLASS]/YYMMNNN, e.g. "hep-th/9901001", "math.GT/0309136v2".
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/i;
/** arXiv versions are small numbers; anything larger is not kept as one. */
const MAX_VERSION = 999;

export interface ArxivId {
  /** the canonical id, without version: "2406.12345", "hep-th/9901001" */
  id: string;
  /** the version the source named ("v2" → 2), or null */
  version: number | null;
}

/**
 * Reads an arXiv id as sources write it: invisible characters and surrounding space ignored, NFKC
 * (fullwidth digits), any case ("ARXIV:2406.12345V2"), an "arXiv:" prefix, a version suffix.
 * "2406.12345v2" → { id: "2406.12345", version: 2 }; "hep-th/9901001v1" → { id: "hep-th/9901001",
 * version: 1 }. An old-style subject class is dropped ("math.GT/0309136" → "math/0309136"): arXiv
 * does not count it as part of the identifier, so both spellings must give one paper.
 * Returns null for anything that is not an arXiv id.
 */
export function parseArxivId(text: string): ArxivId | null {
  const bare = stripInvisible(text)
    .normalize('NFKC')
    .trim()
    .replace(/^arxiv\s*:\s*/i, '');
  const modern = NEW_STYLE.exec(bare);
  if (modern) {
    const [, yy = '', mm = '', number = '', version] = modern;
    const yymm = Number(yy + mm);
    if (!isMonth(mm) || yymm < 704) return null;
    // The number got its fifth digit in January 2015: any other length is a typo, not an id.
    if (number.length !== (yymm >= 1501 ? 5 : 4)) return null;
    return { id: `${yy}${mm}.${number}`, version: versionOf(version) };
  }
  const old = OLD_STYLE.exec(bare);
  if (old) {
    const [, archive = '', yy = '', mm = '', number = '', version] = old;
    // Old-style ids ran from August 1991 to March 2007.
    const year = Number(yy) >= 91 ? 1900 + Number(yy) : 2000 + Number(yy);
    if (!isMonth(mm) || year * 100 + Number(mm) < 199108 || year * 100 + Number(mm) > 200703) return null;
    return { id: `${archive.toLowerCase()}/${yy}${mm}${number}`, version: versionOf(version) };
  }
  return null;
}

/** The canonical arXiv id without version ("2406.12345v2" → "2406.12345"), or null. */
export function normalizeArxivId(text: string): string | null {
  return parseArxivId(text)?.id ?? null;
}

function versionOf(digits: string | undefined): number | null {
  if (digits === undefined) return null;
  const version = Number(digits);
  return version >= 1 && version <= MAX_VERSION ? version : null;
}

function isMonth(mm: string): boolean {
  const month = Number(mm);
  return month >= 1 && month <= 12;
}
