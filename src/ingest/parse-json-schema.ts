// The shape of one item of `GET https://huggingface.co/api/daily_papers`, as far as paperboy reads
// it. The API returns a bare JSON array of these (its OpenAPI spec: `List[Item]`); each item is one
// day's listing of one paper: the listing fields at the top (publishedAt = when it was listed,
// title, summary, numComments, submittedBy, organization?, thumbnail, …) and the paper itself under
// `paper` (id = arXiv id, title, summary, authors, publishedAt = arXiv publication, upvotes,
// submittedOnDailyAt, organization?, ai_summary, githubRepo, …).
// Only the fields used are declared: zod drops the others, so new API fields never break ingest.
// Optional fields may be missing or null; a present field of the wrong type is another shape —
// except the newer, optional details (ai_summary, ai_keywords, githubRepo, githubStars, projectPage,
// numComments, an author's hidden flag): read as unknown here, and parse-details.ts drops one of
// the wrong type with a warning, so a change of the API there never stops an ingest.
// Types only: whether a value is plausible (a count, a date, a length) is plausible.ts's business.
import { z } from 'zod';
import { missingDay } from './parse-dates.ts';

// Date.parse reads "2026-02-30" as March 2: a day the calendar does not have is not a date either.
const timestamp = z.string().superRefine((s, ctx) => {
  if (Number.isNaN(Date.parse(s))) return void ctx.addIssue({ code: 'custom', message: 'not a date' });
  const missing = missingDay(s);
  if (missing) ctx.addIssue({ code: 'custom', message: `not a date (${missing})` });
});
const text = z.string().nullish();

const organization = z
  .object({
    name: text,
    fullname: text,
  })
  .nullish();

const author = z.object({
  name: text,
  hidden: z.unknown().optional(),
});

const paper = z.object({
  id: text,
  title: text,
  summary: text,
  authors: z.array(author).nullish(),
  publishedAt: timestamp.nullish(),
  submittedOnDailyAt: timestamp.nullish(),
  upvotes: z.number().nullish(),
  organization,
  ai_summary: z.unknown().optional(),
  ai_keywords: z.unknown().optional(),
  githubRepo: z.unknown().optional(),
  githubStars: z.unknown().optional(),
  projectPage: z.unknown().optional(),
});

export const dailyPaperItem = z.object({
  paper: paper.nullish(),
  title: text,
  summary: text,
  publishedAt: timestamp.nullish(),
  organization,
  numComments: z.unknown().optional(),
});

export type DailyPaperItem = z.infer<typeof dailyPaperItem>;
