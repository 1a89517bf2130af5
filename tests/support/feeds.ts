// Every feed a test reads goes through a strict XML parser first, then the feed parser the tests
// use (@rowanmanning/feed-parser, built on fast-xml-parser, which reads a document with "<" in an
// attribute or a control character in its text without a word — as some feed readers do and others
// refuse). saxes (used by jsdom) checks XML 1.0 well-formedness in full: characters, attribute
// values, entities, "]]>" in text, nesting; fast-xml-parser's own XMLValidator passes all of those.
import { parseFeed as parseFeedLeniently } from '@rowanmanning/feed-parser';
import { SaxesParser } from 'saxes';

/** Throws "not well-formed XML (line:column: why)" unless `text` is a well-formed XML document. */
export function assertWellFormedXml(text: string): void {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: Error | null = null;
  parser.on('error', (err) => {
    failure ??= err;
  });
  parser.write(text).close();
  if (failure) throw new Error(`not well-formed XML (${(failure as Error).message})`);
}

/** A feed read back: an Atom document is first checked by the strict parser. */
export function parseFeed(text: string): ReturnType<typeof parseFeedLeniently> {
  if (text.trimStart().startsWith('<')) assertWellFormedXml(text);
  return parseFeedLeniently(text);
}
