// The new papers of a snapshot (CONTEXT.md: new papers): its papers that were not in the previous
// snapshot. One definition for what ingest reports and what the diff (diff/load-new-papers.ts) gives a digest. Pure.

/**
 * Keys of `current` absent from `previous`, in `current`'s order. With no previous snapshot (the
 * first one ever ingested) every paper is new.
 */
export function newPaperKeys<K>(current: readonly K[], previous: readonly K[] | null): K[] {
  if (previous === null) return [...new Set(current)];
  const before = new Set(previous);
  const seen = new Set<K>();
  return current.filter((key) => {
    if (before.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
