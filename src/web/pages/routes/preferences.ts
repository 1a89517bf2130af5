// GET|POST /preferences?token=… — topics (validated as on the subscribe form, with the same live
// preview) and pause, from the link in every digest. The token is checked before anything else,
// so a bad link gets its own page whatever the form says.
import type { Router } from 'express';
import type { Subscriber } from '../../../db/subscribers.ts';
import { SubscriptionError } from '../../../subscriptions/errors.ts';
import { parseTopicsField } from '../../../subscriptions/input.ts';
import { currentPause, pauseFor, readPauseChoice, type PauseChoice } from '../../../subscriptions/pause.ts';
import { whatWasLearned } from '../../../subscriptions/learned.ts';
import { changePreferences, openPreferences, type PreferencesResult } from '../../../subscriptions/preferences.ts';
import { canUndo } from '../../../subscriptions/unsubscribe.ts';
import { HttpError } from '../../http-errors.ts';
import { field, formBody, tokenParam } from '../body.ts';
import { sendPage } from '../errors.ts';
import { preferencesElsewherePage, preferencesPage, untilDay, type PreferencesView } from '../views/links.ts';
import { readFrequency } from '../../../digest/frequency.ts';
import { frequencyText } from '../views/frequency-field.ts';
import { pageLinks } from '../page-links.ts';
import type { SubscriptionDeps } from '../../../subscriptions/deps.ts';
import type { Chrome } from '../views/layout.ts';
import type { PagesContext } from './context.ts';

/** A preferences link's page for an address that is no longer active (as the unsubscribe link's page says it). */
export function notActivePage(chrome: Chrome, deps: SubscriptionDeps, subscriber: Subscriber): string {
  const links = pageLinks(deps, 'preferences', subscriber.id);
  return preferencesElsewherePage(chrome, subscriber, canUndo(subscriber, deps.now()) ? links.unsubscribeToken() : null, links.deleteMe());
}

/** The preferences page of a token with a notice on top (another route changed something): its HTML. */
export type PreferencesWithNotice = (token: string, notice: string) => Promise<string>;

export function preferencesRoutes(router: Router, { chrome, deps, limits }: PagesContext): PreferencesWithNotice {
  const page = async (token: string, subscriber: Subscriber, rest: Partial<PreferencesView> = {}): Promise<string> => {
    const pause = currentPause(subscriber, deps.now());
    const links = pageLinks(deps, 'preferences', subscriber.id);
    return preferencesPage(chrome, {
      token,
      unsubscribeToken: links.unsubscribeToken(),
      archiveUrl: links.archive(),
      feedUrls: links.feeds(),
      subscriber: { email: subscriber.email, topics: subscriber.topics, ...pause },
      topics: { value: subscriber.topics.join('\n') },
      pause: pause.paused ? (pause.pausedUntil ? 'keep' : 'indefinite') : 'none',
      frequency: { frequency: subscriber.frequency, weeklyDay: subscriber.weeklyDay },
      mutedTopics: subscriber.mutedTopics.filter((t) => subscriber.topics.includes(t)),
      learned: await whatWasLearned(deps, subscriber.id),
      ...rest,
    });
  };

  const elsewhere = (subscriber: Subscriber) => notActivePage(chrome, deps, subscriber);

  router.get('/preferences', async (req, res) => {
    const token = tokenParam(req);
    const subscriber = await openPreferences(deps, token);
    if (subscriber.status !== 'active') return sendPage(res, 200, elsewhere(subscriber));
    sendPage(res, 200, await page(token!, subscriber));
  });

  router.post('/preferences', limits.preferences, ...formBody(), async (req, res) => {
    const token = tokenParam(req);
    const subscriber = await openPreferences(deps, token);
    if (subscriber.status !== 'active') return sendPage(res, 409, elsewhere(subscriber));
    const rawTopics = field(req, 'topics');
    const rawPause = field(req, 'pause');
    const choice: PauseChoice | 'keep' | null = rawPause === 'keep' ? 'keep' : readPauseChoice(rawPause, field(req, 'paused'));
    if (choice === null) throw new HttpError(400, 'BAD_REQUEST', 'unknown pause choice');
    const frequency = readFrequency(field(req, 'frequency'), field(req, 'weeklyDay'));
    if (frequency === null) throw new HttpError(400, 'BAD_REQUEST', 'unknown frequency or day');
    const topics = parseTopicsField(rawTopics);
    if (!topics.ok) {
      const state = { value: rawTopics ?? '', error: topics.error?.message ?? null, lines: topics.lines };
      return sendPage(res, 400, await page(token!, subscriber, { topics: state, pause: choice, frequency }));
    }
    // "keep": the timed pause as it stands (a topics change does not start it again)
    const pause = choice === 'keep' ? currentPause(subscriber, deps.now()) : pauseFor(choice, deps.now());
    let result: PreferencesResult;
    try {
      result = await changePreferences(deps, token, { topics: topics.topics, ...pause, ...frequency });
    } catch (err) {
      // it stopped being active between the two reads: say where it stands now
      if (err instanceof SubscriptionError && err.code === 'NOT_ACTIVE') return sendPage(res, 409, elsewhere(await openPreferences(deps, token)));
      throw err;
    }
    sendPage(res, 200, await page(token!, result.subscriber, { notice: notice(result) }));
  });

  return async (token, text) => {
    const subscriber = await openPreferences(deps, token);
    return page(token, subscriber, { notice: { tone: 'success', text } });
  };
}

function notice(result: PreferencesResult): PreferencesView['notice'] {
  if (result.kind === 'unchanged') return { tone: 'info', text: 'Nothing to save: these already are your preferences.' };
  const { subscriber, topicsChanged, pausedChanged, frequencyChanged } = result;
  if (frequencyChanged && !topicsChanged && !pausedChanged) {
    return { tone: 'success', text: `Saved. From now on: ${frequencyText(subscriber)}.` };
  }
  const digest = !subscriber.paused
    ? 'Your digest is on again.'
    : subscriber.pausedUntil
      ? `Your digest is paused until ${untilDay(subscriber.pausedUntil)}: it starts again by itself then.`
      : 'Your digest is paused: no emails until you resume it here.';
  if (topicsChanged && pausedChanged) return { tone: 'success', text: `Saved. Your topics are updated. ${digest}` };
  if (topicsChanged) return { tone: 'success', text: 'Saved. The next digest uses your new topics.' };
  return { tone: 'success', text: `Saved. ${digest}` };
}
