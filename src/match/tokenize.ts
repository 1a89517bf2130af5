// Splits text into words: runs of Unicode letters and digits (with their combining marks), an
// apostrophe between two such runs staying inside the word ("isn't", "model's"). Everything
// else — spaces, hyphens, punctuation, symbols — separates words. Used for topics and papers alike.

/** One word of a text, with its [start, end) range in that text (UTF-16 offsets). */
export interface Token {
  start: number;
  end: number;
  /** the word exactly as written */
  text: string;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['\u2019][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*/gu;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    tokens.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  }
  return tokens;
}
