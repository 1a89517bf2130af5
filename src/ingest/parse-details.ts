// The newer, optional details of a daily papers item (PaperDetails): the TL;DR, keywords, code and
// project links, stars, comments, the day it was listed, and which authors are hidden. Lenient: a
// field missing, null or of another type than the API's is left out (the last with a warning), so a
// change of the API there never stops an ingest; a value of the right type goes through the same
// rules as the rest (plausible.ts): implausible counts refuse the file, long text is cut.
import { cleanText, quote } from './clean-text.ts';
import { capField, countProblem, LIMITS, urlProblem } from './plausible.ts';
import type { DailyPaperItem } from './parse-json-schema.ts';
import type { PaperDetails } from '../model/paper.ts';

export interface DetailsContext {
  warn: (message: string) => void;
  /** a value the database cannot hold or no real listing has: the file is refused */
  refuse: (field: string, problem: string) => never;
}

export function readDetails(item: DailyPaperItem, listedOn: string | null, ctx: DetailsContext): PaperDetails {
  const paper = item.paper;
  return {
    aiSummary: summaryOf(paper?.ai_summary, ctx),
    aiKeywords: keywordsOf(paper?.ai_keywords, ctx),
    githubRepo: linkOf(paper?.githubRepo, 'paper.githubRepo', ctx),
    githubStars: countOf(paper?.githubStars, 'paper.githubStars', 'stars', ctx),
    projectPage: linkOf(paper?.projectPage, 'paper.projectPage', ctx),
    comments: countOf(item.numComments, 'numComments', 'comments', ctx),
    listedOn,
  };
}

/** The names of the authors not marked hidden (a hidden flag of another type counts as not hidden). */
export function visibleAuthorNames(authors: ReadonlyArray<{ name?: string | null; hidden?: unknown }>): string[] {
  return authors
    .filter((a) => a.hidden !== true)
    .map((a) => cleanText(a.name))
    .filter((name) => name !== '');
}

function summaryOf(value: unknown, ctx: DetailsContext): string | null {
  const text = stringOf(value, 'paper.ai_summary', ctx);
  return text ? capField(text, 'TL;DR', ctx.warn) : null;
}

function keywordsOf(value: unknown, ctx: DetailsContext): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.warn(`paper.ai_keywords is not a list: left out`);
    return [];
  }
  const words = value
    .filter((k): k is string => typeof k === 'string')
    .map((k) => cleanText(k))
    .filter((k) => k !== '');
  const kept = [...new Set(words)].slice(0, LIMITS.keywordsKept);
  if (words.length > LIMITS.keywordsKept) ctx.warn(`${words.length} keywords: kept the first ${LIMITS.keywordsKept}`);
  return kept.map((k) => capField(k, 'keyword', ctx.warn));
}

function linkOf(value: unknown, field: string, ctx: DetailsContext): string | null {
  const url = stringOf(value, field, ctx);
  if (!url) return null;
  const problem = urlProblem(url);
  if (problem) {
    ctx.warn(`${field}: ${problem}: left out`);
    return null;
  }
  return url;
}

function countOf(value: unknown, field: string, what: 'stars' | 'comments', ctx: DetailsContext): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') {
    ctx.warn(`${field} ${quote(typeof value === 'string' ? value : JSON.stringify(value), 30)} is not a number: left out`);
    return null;
  }
  const problem = countProblem(value, what);
  if (problem) ctx.refuse(field, problem);
  return value;
}

function stringOf(value: unknown, field: string, ctx: DetailsContext): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    ctx.warn(`${field} is not text: left out`);
    return null;
  }
  return cleanText(value) || null;
}
