// GET / (the form and the live preview) and POST /subscribe (double opt-in). An accepted request
// gets the same "check your inbox" page, status and bytes whatever state the address was in, and
// in the same time: the email is queued, never waited for, and the answer leaves no sooner than
// SUBSCRIBE_ANSWER_MS after the request came, which covers the small differences in database work
// between the states. The mailbox alone learns which (subscriptions/decide.ts). The form also
// accepts a plain cross-site post (EMBED.md): the confirmation email guards it, not a CSRF token.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Router } from 'express';
import { MAX_TOPICS_FIELD_CHARS, parseEmail, parseTopicsField } from '../../../subscriptions/input.ts';
import { readFrequency } from '../../../digest/frequency.ts';
import { subscribe } from '../../../subscriptions/subscribe.ts';
import { field, formBody } from '../body.ts';
import { sendPage } from '../errors.ts';
import { DAILY } from '../views/frequency-field.ts';
import { checkInboxPage, EMPTY_FORM, subscribePage } from '../views/subscribe.ts';
import type { PagesContext } from './context.ts';

const FREQUENCY_ERROR = 'Choose how often: every day, once a week on a day you pick, or no email (your feed only).';

/** The longest address the form takes (as its input's maxlength). */
const MAX_EMAIL_CHARS = 254;

/** The least time POST /subscribe takes to answer an accepted request, whatever the address. */
export const SUBSCRIBE_ANSWER_MS = 200;

export function subscribeRoutes(router: Router, { chrome, deps, limits, subscribeAnswerMs = SUBSCRIBE_ANSWER_MS }: PagesContext): void {
  let home: string | null = null; // the empty form is the same for everyone: rendered once
  router.get('/', (req, res) => {
    // `/?topics=…` prefills the topics (a link from another site: "subscribe to scaling laws"; every
    // way back to the form from our own pages), `&email=…` the address ("check the address")
    const topics = req.query.topics;
    const email = req.query.email;
    const prefill = {
      topics: typeof topics === 'string' && topics.trim() !== '' && topics.length <= MAX_TOPICS_FIELD_CHARS ? topics : '',
      email: typeof email === 'string' && email.length <= MAX_EMAIL_CHARS ? email : '',
    };
    if (prefill.topics || prefill.email) {
      return sendPage(res, 200, subscribePage(chrome, { email: prefill.email, topics: { value: prefill.topics } }), 'no-cache');
    }
    home ??= subscribePage(chrome, EMPTY_FORM);
    sendPage(res, 200, home, 'no-cache');
  });
  // A reload of the answer page, or a bookmark: back to the form.
  router.get('/subscribe', (_req, res) => res.redirect(303, '/'));

  router.post('/subscribe', limits.subscribePerIp, ...formBody(), limits.subscribePerAddress, async (req, res) => {
    const rawEmail = field(req, 'email');
    const rawTopics = field(req, 'topics');
    const email = parseEmail(rawEmail);
    const topics = parseTopicsField(rawTopics);
    const frequency = readFrequency(field(req, 'frequency'), field(req, 'weeklyDay'));
    if (!email.ok || !topics.ok || frequency === null) {
      const page = subscribePage(chrome, {
        email: rawEmail ?? '',
        emailError: email.ok ? null : email.error.message,
        topics: { value: rawTopics ?? '', error: topics.ok ? null : (topics.error?.message ?? null), lines: topics.ok ? [] : topics.lines },
        frequency: frequency ?? DAILY,
        frequencyError: frequency === null ? FREQUENCY_ERROR : null,
      });
      sendPage(res, 400, page);
      return;
    }
    const answerAt = performance.now() + subscribeAnswerMs;
    try {
      await subscribe(deps, { email: email.email, topics: topics.topics, ...frequency });
    } finally {
      await sleep(Math.max(0, answerAt - performance.now()));
    }
    // POST-redirect-GET: a reload of the answer shows it again instead of posting the form again
    res.redirect(303, `/check-inbox?${new URLSearchParams({ email: email.email, topics: topics.topics.join('\n') }).toString()}`);
  });

  router.get('/check-inbox', (req, res) => {
    const email = parseEmail(typeof req.query.email === 'string' ? req.query.email : undefined);
    if (!email.ok) return res.redirect(303, '/');
    const topics =
      typeof req.query.topics === 'string' && req.query.topics.length <= MAX_TOPICS_FIELD_CHARS
        ? req.query.topics.split('\n').filter((t) => t.trim() !== '')
        : [];
    sendPage(res, 200, checkInboxPage(chrome, email.email, topics));
  });
}
