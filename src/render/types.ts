// What the renderer needs, as plain data: the digest (once) and each recipient (many times).
// The renderer never reads the database; the delivery step builds these views.
import type { FrequencyChoice } from './frequency-line.ts';
import type { TopicHit } from '../match/types.ts';
import type { ReaderLink } from './reader-links.ts';

/** One paper as every recipient of a digest sees it (the per-recipient part is its hits). */
export interface PaperView {
  paperId: number;
  title: string;
  /** the paper's page: https://huggingface.co/papers/<arXiv id> when the id is known, else a search link */
  url: string;
  /** the whole abstract; the renderer shortens it around what matched */
  abstract: string;
  /** author names when known */
  authors: string[];
  authorCount: number | null;
  organization: string | null;
  upvotes: number | null;
  /** YYYY-MM-DD */
  publishedOn: string | null;
  /** arXiv id without version ("2406.12345"): the arXiv and PDF links; null for a paper known only by title */
  arxivId?: string | null;
  /** the Daily Papers TL;DR; the first sentences of the abstract stand in without one */
  aiSummary?: string | null;
  /** http(s) links when known; anything else is never linked */
  githubRepo?: string | null;
  githubStars?: number | null;
  projectPage?: string | null;
  comments?: number | null;
  /** new on an earlier listing of the week, carried into this digest for weekly readers */
  carried?: boolean;
}

/** The digest: compiled once, filled per recipient. */
export interface DigestView {
  digestId: number;
  /** YYYY-MM-DD, the snapshot's capture date */
  snapshotDate: string;
  /** every paper any recipient of this digest may get */
  papers: PaperView[];
  /** e.g. "paperboy" — shown in the header and the subject */
  productName: string;
  /** the public URL of the web pages (BASE_URL) */
  baseUrl: string;
}

/**
 * The links of one recipient's email (signed by the delivery step). Links a later email adds (a web
 * view, feedback per paper) belong here, so the renderer keeps one context of links.
 */
export interface RecipientLinks {
  preferencesUrl: string;
  unsubscribeUrl: string;
  /** the reader's own links in the footer (view in the browser, archive, feedback …: reader-links.ts) */
  reader?: readonly ReaderLink[];
}

/**
 * The web view's links (it is opened with a read link: security/capabilities.ts): the email without
 * its links that change something — preferences, unsubscribe, feedback; where they would be, a line
 * saying they are in the email in the reader's own inbox, and the way to have the preferences link
 * mailed there.
 */
export interface WebViewLinks {
  inYourInbox: { preferencesLinkUrl: string };
  /** read links only (the archive) */
  reader?: readonly ReaderLink[];
}

interface Recipient {
  email: string;
  /**
   * the papers this recipient gets with the topics that caught each (best first); shown grouped by
   * each paper's best topic, groups in the order their first paper comes here (the digest plan
   * stores them in the subscriber's topic order), best match first within a group
   */
  papers: RecipientPaper[];
  /** how often they are mailed now: said in the footer */
  frequency?: FrequencyChoice;
}

/** One paper of a recipient's email. */
export interface RecipientPaper {
  paperId: number;
  hits: TopicHit[];
  /** after the topics' groups: under "Probably not for you", or "You may also like" (src/digest/plan-deliveries.ts) */
  section?: 'not-for-you' | 'also-like';
  /** the title of the paper a `like:` topic named or a suggestion resembles: its reason reads "Like “<title>”" */
  like?: string;
}

/** One recipient's email. */
export interface RecipientView extends Recipient, RecipientLinks {}

/** One delivery in the browser (the web view). */
export interface WebViewRecipient extends Recipient, WebViewLinks {}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface ConfirmationView extends FrequencyChoice {
  productName: string;
  baseUrl: string;
  email: string;
  topics: string[];
  confirmUrl: string;
  /** when the link stops working */
  expiresAt: Date;
}

export interface PreferencesChangedView extends FrequencyChoice {
  productName: string;
  baseUrl: string;
  email: string;
  topics: string[];
  paused: boolean;
  /** a timed pause ends then (null or absent: until the reader resumes) */
  pausedUntil?: Date | null;
  preferencesUrl: string;
  unsubscribeUrl: string;
}

/** An address that already exists asked to subscribe again: a link to their preferences. */
export interface PreferencesLinkView extends FrequencyChoice {
  productName: string;
  baseUrl: string;
  email: string;
  topics: string[];
  preferencesUrl: string;
  unsubscribeUrl: string;
}
