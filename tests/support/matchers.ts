// vitest's asymmetric matchers as `unknown`: vitest types them `any`, which the lint rules on untyped
// values refuse inside an object literal. The same matchers, nothing weaker.
import { expect } from 'vitest';

/** A string matching the pattern (expect.stringMatching). */
export const stringMatching = (pattern: RegExp | string): unknown => expect.stringMatching(pattern);

/** A string containing the text (expect.stringContaining). */
export const stringContaining = (text: string): unknown => expect.stringContaining(text);

/** Any value made by the constructor: any string for String, and so on (expect.any). */
export const anyOf = (constructor: unknown): unknown => expect.any(constructor);
