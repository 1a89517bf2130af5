// The package ships no types. Only what the matcher uses (see node_modules/snowball-stemmers/README.md).
declare module 'snowball-stemmers' {
  export interface Stemmer {
    /** Expects a lower-case word; returns its stem (lower case). */
    stem(word: string): string;
  }
  export function newStemmer(language: string): Stemmer;
  export function algorithms(): string[];
}
