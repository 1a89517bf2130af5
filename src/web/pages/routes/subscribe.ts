// GET / (the form and the live preview) and POST /subscribe (double opt-in). An accepted request
// gets the same "check your inbox" page, status and bytes whatever state the address was in; the
// mailbox alone learns which (subscriptions/decide.ts). The form also accepts a plain cross-site
// post (EMBED.md): the confirmation email is what guards it, not a CSRF token.
import type { Router } from 'express';
import { MAX_TOPICS_FIELD_CHARS, parseEmail, parseTopicsField } from '../../../subscriptions/input.ts';
import { subscribe } from '../../../subscriptions/subscribe.ts';
import { field, formBody } from '../body.ts';
import { sendPage } from '../errors.ts';
import { checkInboxPage, EMPTY_FORM, subscribePage } from '../views/subscribe.ts';
import type { PagesContext } from './context.ts';

export function subscribeRoutes(router: Router, { chrome, deps, limits }: PagesContext): void {
  let home: string | null = null; // the empty form is the same for everyone: rendered once
  router.get('/', (req, res) => {
    // `/?topics=…` prefills the topics (a link from another site: "subscribe to scaling laws")
    const topics = req.query.topics;
    if (typeof topics === 'string' && topics.trim() !== '' && topics.length <= MAX_TOPICS_FIELD_CHARS) {
      return sendPage(res, 200, subscribePage(chrome, { email: '', topics: { value: topics } }), 'no-cache');
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
    if (!email.ok || !topics.ok) {
      const page = subscribePage(chrome, {
        email: rawEmail ?? '',
        emailError: email.ok ? null : email.error.message,
        topics: { value: rawTopics ?? '', error: topics.ok ? null : (topics.error?.message ?? null), lines: topics.ok ? [] : topics.lines },
      });
      sendPage(res, 400, page);
      return;
    }
    await subscribe(deps, { email: email.email, topics: topics.topics });
    sendPage(res, 200, checkInboxPage(chrome, email.email));
  });
}
