// A parsed topic with every word stemmed: compile once per topic string, match many times.
import { parseTopic, type Query, type Term } from './parse-topic.ts';
import { stemWord } from './stem.ts';

/** A term ready to look up: one stem for a word, the consecutive stems of a phrase. */
export interface CompiledTerm {
  stems: readonly string[];
}

export interface CompiledTopic {
  /** the topic line, trimmed: TopicHit.topic */
  topic: string;
  query: Query;
  /** every group must match through at least one of its alternatives */
  include: readonly (readonly CompiledTerm[])[];
  /** a paper containing any of these (in its title or its abstract) is not caught */
  exclude: readonly CompiledTerm[];
}

/** Throws TopicError when the line does not parse. */
export function compileTopic(line: string): CompiledTopic {
  return compileQuery(parseTopic(line));
}

function compileQuery(query: Query): CompiledTopic {
  return {
    topic: query.topic,
    query,
    include: query.include.map((group) => group.map(compileTerm)),
    exclude: query.exclude.map(compileTerm),
  };
}

const compileTerm = (term: Term): CompiledTerm => ({ stems: term.words.map(stemWord) });
