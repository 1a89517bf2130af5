// Tokenizes and stems each paper once per snapshot, so matching a topic is only map lookups.
import type { MatchablePaper } from './types.ts';
import { normalizeWord, stemWord } from './stem.ts';
import { tokenize, type Token } from './tokenize.ts';

/** One field (title or abstract) of a paper, tokenized and stemmed. */
export interface IndexedField {
  text: string;
  tokens: readonly Token[];
  /** stems[i] is the stem of tokens[i] */
  stems: readonly string[];
  /** norms[i] is tokens[i] normalized (lower case, accents removed): de-duplicates matched words */
  norms: readonly string[];
  /** stem → the token positions where it occurs, ascending */
  positions: ReadonlyMap<string, readonly number[]>;
}

export interface IndexedPaper {
  id: number;
  title: IndexedField;
  abstract: IndexedField;
}

export interface PaperIndex {
  /** in the order given: ties in the results keep it */
  papers: readonly IndexedPaper[];
  /** stem → positions in `papers` of the papers containing it (title or abstract), ascending */
  papersByStem: ReadonlyMap<string, readonly number[]>;
}

export function indexPapers(papers: readonly MatchablePaper[]): PaperIndex {
  const papersByStem = new Map<string, number[]>();
  const indexed = papers.map((paper, at): IndexedPaper => {
    const title = indexField(paper.title);
    const abstract = indexField(paper.abstract);
    for (const stem of new Set([...title.positions.keys(), ...abstract.positions.keys()])) {
      const list = papersByStem.get(stem);
      if (list) list.push(at);
      else papersByStem.set(stem, [at]);
    }
    return { id: paper.id, title, abstract };
  });
  return { papers: indexed, papersByStem };
}

export function indexField(text: string): IndexedField {
  const tokens = tokenize(text);
  const stems = tokens.map((t) => stemWord(t.text));
  const norms = tokens.map((t) => normalizeWord(t.text));
  const positions = new Map<string, number[]>();
  stems.forEach((stem, i) => {
    const list = positions.get(stem);
    if (list) list.push(i);
    else positions.set(stem, [i]);
  });
  return { text, tokens, stems, norms, positions };
}
