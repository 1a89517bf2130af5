// What a reader types into the forms, checked before anything is stored or mailed. Pure.
// The address reaches the To: header of the confirmation email, so no CR/LF (or any other control
// character) is accepted anywhere in it, not even at the ends; topics use the matcher's own errors.
// Topics get the cleaning titles get (cleanText): bidi controls and zero-width characters go, runs
// of whitespace become one space — the subscribe form is open to anyone, and a topic goes into the
// confirmation email to the address typed and into digest subjects, where "scaling \u202Egnp.exe"
// would read as something else. A control character is refused instead, with a message.
import validator from 'validator';
import { cleanText } from '../ingest/clean-text.ts';
import { validateTopics } from '../match/index.ts';
import { likeTopicTarget } from '../relevance/index.ts';

export const MAX_TOPICS = 10;
/** the whole topics field, line breaks counted as one character */
export const MAX_TOPICS_FIELD_CHARS = 2000;
/** RFC 5321 path limit */
const MAX_EMAIL_CHARS = 254;

type EmailErrorCode = 'EMAIL_MISSING' | 'EMAIL_LINE_BREAK' | 'EMAIL_TOO_LONG' | 'EMAIL_INVALID';
type TopicsErrorCode = 'TOPICS_MISSING' | 'TOPICS_TOO_LONG' | 'TOPICS_TOO_MANY';

interface FieldError<C extends string = string> {
  code: C;
  message: string;
}

/** One topic line that does not parse: where it is in the field and what is wrong. */
export interface TopicLineError {
  /** 1-based line number in the field as typed */
  line: number;
  topic: string;
  code: string;
  message: string;
  /** 0-based column in the trimmed topic, when the matcher names one */
  column: number | null;
}

export type EmailResult = { ok: true; email: string } | { ok: false; error: FieldError<EmailErrorCode> };
export type TopicsResult = { ok: true; topics: string[] } | { ok: false; error: FieldError<TopicsErrorCode> | null; lines: TopicLineError[] };

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Legal in some quoted local parts, but never needed by a real reader, and risky in a header.
const UNWANTED = /[\s"<>(),;:\\[\]]/;

export function parseEmail(raw: unknown): EmailResult {
  if (typeof raw !== 'string' || raw.trim() === '') return fail('EMAIL_MISSING', 'Enter your email address.');
  if (CONTROL.test(raw)) return fail('EMAIL_LINE_BREAK', 'Enter the address on one line, without line breaks.');
  const email = raw.trim();
  if (email.length > MAX_EMAIL_CHARS) return fail('EMAIL_TOO_LONG', `That address is longer than ${MAX_EMAIL_CHARS} characters.`);
  const valid =
    !UNWANTED.test(email) && validator.isEmail(email, { allow_display_name: false, allow_utf8_local_part: false, require_tld: true, allow_ip_domain: false });
  if (!valid) return fail('EMAIL_INVALID', 'That does not look like an email address. Check it for typos, like name@example.org.');
  return { ok: true, email };
}

const fail = (code: EmailErrorCode, message: string): EmailResult => ({ ok: false, error: { code, message } });

/**
 * The lines of the field that are not blank, cleaned (cleanText: what a title gets), with their
 * 1-based line number. A line with a control character is kept as typed (trimmed), so that
 * topicLineProblem refuses it rather than the cleaning hiding it.
 */
export function topicLines(raw: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  raw.split(/\r\n|\r|\n|\u2028|\u2029/).forEach((text, i) => {
    const cleaned = hasControl(text) ? text.trim() : cleanText(text);
    // a line naming a paper (its arXiv id, or its Hugging Face or arXiv link) is kept as `like:<id>`
    const like = likeTopicTarget(cleaned);
    if (cleaned !== '') out.push({ line: i + 1, text: like ? `like:${like}` : cleaned });
  });
  return out;
}

/** a line that means to name a paper */
const LIKE_PREFIX = /^like\s*:/i;

const hasControl = (text: string) => CONTROL.test(text.replace(/\t/g, ' '));

/** Lines that repeat an earlier one (ignoring case: matching ignores it too) are dropped. */
export function distinctTopics(lines: ReadonlyArray<{ line: number; text: string }>): Array<{ line: number; text: string }> {
  const seen = new Set<string>();
  return lines.filter((l) => {
    const key = l.text.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function parseTopicsField(raw: unknown): TopicsResult {
  const text = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n') : '';
  if (text.length > MAX_TOPICS_FIELD_CHARS) {
    return {
      ok: false,
      error: {
        code: 'TOPICS_TOO_LONG',
        message: `Keep your topics under ${MAX_TOPICS_FIELD_CHARS.toLocaleString('en')} characters in all (this is ${text.length.toLocaleString('en')}).`,
      },
      lines: [],
    };
  }
  const lines = distinctTopics(topicLines(text));
  if (lines.length === 0) return { ok: false, error: { code: 'TOPICS_MISSING', message: 'Enter at least one topic, one per line.' }, lines: [] };
  const errors: TopicLineError[] = [];
  for (const l of lines) {
    const problem = topicLineProblem(l.text);
    if (problem) errors.push({ line: l.line, topic: l.text, ...problem });
  }
  const tooMany: FieldError<TopicsErrorCode> | null =
    lines.length > MAX_TOPICS ? { code: 'TOPICS_TOO_MANY', message: `Up to ${MAX_TOPICS} topics, please (this is ${lines.length}).` } : null;
  if (tooMany || errors.length > 0) return { ok: false, error: tooMany, lines: errors.sort((a, b) => a.line - b.line) };
  return { ok: true, topics: lines.map((l) => l.text) };
}

/** What is wrong with one (trimmed, non-empty) topic line, or null: the matcher's own errors. */
export function topicLineProblem(text: string): { code: string; message: string; column: number | null } | null {
  if (hasControl(text))
    return { code: 'TOPIC_CONTROL_CHARACTER', message: 'The topic contains an invisible control character: type the line again.', column: null };
  if (LIKE_PREFIX.test(text) && likeTopicTarget(text) === null) {
    return { code: 'TOPIC_LIKE_INVALID', message: '“like:” takes a paper’s arXiv id, like:2407.13168, or its Hugging Face or arXiv link.', column: null };
  }
  if (likeTopicTarget(text) !== null) return null;
  const error = validateTopics([text])[0]?.error;
  return error ? { code: error.code, message: error.message, column: error.column } : null;
}
