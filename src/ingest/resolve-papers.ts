// Paper identity (CONTEXT.md "paper"): the arXiv id when the source gives one, otherwise the
// normalized title. A paper first seen without an id (text capture) and later with one (JSON) is
// one paper: when either side lacks an id, the normalized title decides. Pure: the caller loads the
// candidate papers and writes the result.
import { titleKey } from './paper-identity.ts';
import type { KnownPaper, PaperDetails, PaperFields, Resolution } from '../model/paper.ts';
import type { ParsedPaper } from './types.ts';

/** The lookups the caller must load before resolving: papers with these ids or title keys. */
export function identityKeys(parsed: ParsedPaper[]): { arxivIds: string[]; titleKeys: string[] } {
  return {
    arxivIds: [...new Set(parsed.flatMap((p) => (p.arxivId ? [p.arxivId] : [])))],
    titleKeys: [...new Set(parsed.map((p) => titleKey(p.title)))],
  };
}

export function resolvePapers(parsed: ParsedPaper[], known: KnownPaper[], seenAt: Date): Resolution {
  const byArxiv = new Map<string, KnownPaper>();
  const byTitle = new Map<string, KnownPaper[]>();
  for (const paper of [...known].sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())) {
    if (paper.arxivId) byArxiv.set(paper.arxivId, paper);
    byTitle.set(paper.titleKey, [...(byTitle.get(paper.titleKey) ?? []), paper]);
  }
  const taken = new Set<string>();
  const result: Resolution = { entries: [], duplicates: [] };

  parsed.forEach((incoming, position) => {
    const key = titleKey(incoming.title);
    const match = findMatch(incoming, key, byArxiv, byTitle);
    const identity = match ? `id:${match.id}` : incoming.arxivId ? `arxiv:${incoming.arxivId}` : `title:${key}`;
    // Also catch a new paper listed twice, by either of its keys.
    const aliases = [identity, `title:${key}`, ...(incoming.arxivId ? [`arxiv:${incoming.arxivId}`] : [])];
    if (aliases.some((a) => taken.has(a))) {
      result.duplicates.push(position);
      return;
    }
    aliases.forEach((a) => taken.add(a));
    if (match) {
      result.entries.push({ kind: 'existing', position, paperId: match.id, changes: mergeChanges(match, incoming, key, seenAt) });
    } else {
      result.entries.push({ kind: 'new', position, fields: newFields(incoming, key, seenAt) });
    }
  });
  return result;
}

function findMatch(incoming: ParsedPaper, key: string, byArxiv: Map<string, KnownPaper>, byTitle: Map<string, KnownPaper[]>): KnownPaper | undefined {
  if (incoming.arxivId) {
    const exact = byArxiv.get(incoming.arxivId);
    if (exact) return exact;
    // Seen before without an id: the title decides, and the id is learned now.
    return byTitle.get(key)?.find((p) => p.arxivId === null);
  }
  // No id here: any paper of that title (the most recently seen if several).
  return byTitle.get(key)?.[0];
}

function newFields(p: ParsedPaper, key: string, seenAt: Date): PaperFields {
  return {
    arxivId: p.arxivId,
    arxivVersion: p.arxivVersion,
    titleKey: key,
    title: p.title,
    abstract: p.abstract,
    authorCount: p.authorCount,
    authors: p.authors,
    organization: p.organization,
    publishedOn: p.publishedOn,
    upvotes: p.upvotes,
    ...givenDetails(p),
    firstSeenAt: seenAt,
    lastSeenAt: seenAt,
  };
}

/** The attributes that change between snapshots; a field the source does not give is kept. */
export function mergeChanges(old: KnownPaper, p: ParsedPaper, key: string, seenAt: Date): Partial<PaperFields> {
  const isNewer = seenAt.getTime() >= old.lastSeenAt.getTime();
  const next: Partial<PaperFields> = {};
  const set = <K extends keyof PaperFields>(field: K, value: PaperFields[K]) => {
    if (JSON.stringify(old[field]) !== JSON.stringify(value)) next[field] = value;
  };
  if (!old.arxivId && p.arxivId) set('arxivId', p.arxivId);
  // Versions only grow: an older listing that names v1 does not undo a v2 seen before.
  if (p.arxivVersion !== null && (old.arxivVersion == null || p.arxivVersion > old.arxivVersion)) set('arxivVersion', p.arxivVersion);
  if (isNewer) {
    set('title', p.title);
    set('titleKey', key);
    if (p.upvotes !== null) set('upvotes', p.upvotes);
  }
  set('abstract', betterAbstract(old.abstract, p.abstract, isNewer));
  if (p.authorCount !== null && (isNewer || old.authorCount === null)) set('authorCount', p.authorCount);
  if (p.authors.length > 0 && (isNewer || old.authors.length === 0)) set('authors', p.authors);
  if (p.organization !== null && (isNewer || old.organization === null)) set('organization', p.organization);
  if (p.publishedOn !== null && (isNewer || old.publishedOn === null)) set('publishedOn', p.publishedOn);
  for (const [field, value] of Object.entries(givenDetails(p)) as Array<[keyof PaperDetails, PaperDetails[keyof PaperDetails]]>) {
    if (isNewer || isMissing(old[field])) set(field, value);
  }
  if (seenAt < old.firstSeenAt) set('firstSeenAt', seenAt);
  if (seenAt > old.lastSeenAt) set('lastSeenAt', seenAt);
  return next;
}

/** A cut-off abstract is a prefix of the whole one: keep the longer. Otherwise the newer wins. */
function betterAbstract(old: string, incoming: string, isNewer: boolean): string {
  const a = old.replace(/\s+/g, ' ').trim();
  const b = incoming.replace(/\s+/g, ' ').trim();
  if (b.startsWith(a.replace(/[.…]+$/, ''))) return b.length >= a.length ? incoming : old;
  if (a.startsWith(b.replace(/[.…]+$/, ''))) return old;
  return isNewer ? incoming : old;
}

const DETAILS = ['aiSummary', 'aiKeywords', 'githubRepo', 'githubStars', 'projectPage', 'comments', 'listedOn'] as const satisfies ReadonlyArray<
  keyof PaperDetails
>;

const isMissing = (value: unknown): boolean => value === undefined || value === null || (Array.isArray(value) && value.length === 0);

/** The details this source gives (a field it leaves out, null or an empty list, is not given). */
function givenDetails(p: ParsedPaper): PaperDetails {
  const given: Record<string, unknown> = {};
  for (const field of DETAILS) if (!isMissing(p[field])) given[field] = p[field];
  return given;
}
