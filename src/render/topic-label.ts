// A topic line in plain words, for subjects, intros and headings: no operators, no quotes, no
// exclusions. `"language model" -vision` → "language model"; `inflationary OR cosmic` →
// "inflationary or cosmic"; `quantum -gravity` → "quantum"; `like:2407.13168` → "papers like 2407.13168".
import { parseTopic, TopicError } from '../match/index.ts';
import { likeTopicTarget } from '../relevance/index.ts';
import { oneLine } from './escape.ts';

export function topicLabel(topic: string): string {
  let label = labels.get(topic);
  if (label === undefined) {
    label = labelOf(topic);
    // bounded: topics are the readers' own lines
    if (labels.size >= MAX_LABELS) labels.clear();
    labels.set(topic, label);
  }
  return label;
}

const labels = new Map<string, string>();
const MAX_LABELS = 10_000;

function labelOf(topic: string): string {
  const like = likeTopicTarget(topic);
  if (like) return `papers like ${like}`;
  try {
    const query = parseTopic(topic);
    const label = query.include.map((group) => group.map((term) => oneLine(term.source)).join(' or ')).join(' ');
    if (label) return label;
  } catch (err) {
    if (!(err instanceof TopicError)) throw err;
  }
  // a stored topic that no longer parses: its words, without the operators
  return oneLine(topic.replace(/(^|\s)-\S+/g, ' ').replace(/["“”„]/g, '')) || oneLine(topic);
}

/** "a", "a and b", "a, b and c" */
export function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
