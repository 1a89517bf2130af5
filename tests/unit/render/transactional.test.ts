import { describe, expect, it } from 'vitest';
import { mjmlCompilations, renderConfirmation, renderPreferencesChanged, renderPreferencesLink } from '../../../src/render/index.ts';
import { BASE_URL, LEFTOVER, decode } from './builders.ts';

const base = {
  productName: 'paperboy',
  baseUrl: BASE_URL,
  email: 'ada@example.com',
  topics: ['scaling laws', '"quantum many-body" OR <tensor>'],
  frequency: 'daily' as const,
  weeklyDay: 1,
};
const links = {
  preferencesUrl: `${BASE_URL}/preferences?token=p&x=1`,
  unsubscribeUrl: `${BASE_URL}/unsubscribe?token=u`,
};
const confirmation = {
  ...base,
  confirmUrl: `${BASE_URL}/confirm?token=abc`,
  expiresAt: new Date('2025-06-12T14:30:00Z'),
};

describe('the confirmation email', () => {
  it('asks to confirm, lists the topics, links the button, says when it expires and what if it was not you', async () => {
    const mail = await renderConfirmation(confirmation);
    expect(mail.subject).toBe('Confirm your paperboy subscription');
    expect(mail.html).toContain('Confirm your subscription');
    expect(mail.html).toContain('&quot;quantum many-body&quot; OR &lt;tensor&gt;');
    expect(mail.html).toMatch(/<a href="https:\/\/paperboy\.example\/confirm\?token=abc"[^>]*>\s*Confirm my subscription/);
    expect(mail.html).toContain('June 12, 2025 at 14:30 UTC');
    expect(decode(mail.html)).toContain("If this wasn't you, ignore this email — nothing happens.");
    expect(mail.text).toContain('  - "quantum many-body" OR <tensor>');
    expect(mail.text).toContain(`\n${BASE_URL}/confirm?token=abc\n`);
    expect(mail.text).toContain('June 12, 2025 at 14:30 UTC');
    expect(mail.text).toContain("If this wasn't you, ignore this email — nothing happens.");
  });
});

describe('the preferences emails', () => {
  it('says the new topics and whether the digest is paused, with both links', async () => {
    for (const paused of [true, false]) {
      const mail = await renderPreferencesChanged({ ...base, ...links, paused });
      expect(mail.html).toContain('scaling laws');
      expect(mail.text).toContain(paused ? 'Your digest is paused' : 'You get an email every day new papers match your topics.');
      expect(mail.html).toContain(paused ? 'Your digest is paused' : 'You get an email every day new papers match your topics.');
      expect(mail.html).toContain('href="https://paperboy.example/preferences?token=p&amp;x=1"');
      expect(mail.html).toContain('href="https://paperboy.example/unsubscribe?token=u"');
      expect(mail.text).toContain(`Manage preferences: ${links.preferencesUrl}`);
      expect(mail.text).toContain(`Unsubscribe: ${links.unsubscribeUrl}`);
    }
  });

  it('every email says how often mail comes now; feed only says email stopped', async () => {
    const weekly = { ...base, ...links, frequency: 'weekly' as const, weeklyDay: 3 };
    const feed = { ...base, ...links, frequency: 'feed' as const };
    expect((await renderPreferencesChanged({ ...weekly, paused: false })).text).toContain('You get one email a week, on Wednesdays.');
    expect((await renderPreferencesChanged({ ...weekly, paused: true })).text).toContain('(then one email a week, on Wednesdays)');
    for (const mail of [await renderPreferencesChanged({ ...feed, paused: false }), await renderPreferencesLink(feed)]) {
      expect(mail.text).toContain('Email is stopped: you chose your feed only, so no digest is emailed.');
      expect(decode(mail.html)).toContain('Email is stopped: you chose your feed only');
      expect(mail.text).not.toContain('You get an email');
    }
    expect((await renderPreferencesLink({ ...base, ...links })).text).toContain('You get an email every day new papers match your topics.');
    const confirm = await renderConfirmation({ ...confirmation, frequency: 'weekly', weeklyDay: 1 });
    expect(confirm.text).toContain('Once confirmed: one email a week, on Mondays');
    expect(decode(confirm.html)).toContain('Once confirmed: one email a week, on Mondays');
  });

  it('sends an already subscribed address its preferences link, and tells a stranger to ignore it', async () => {
    const mail = await renderPreferencesLink({ ...base, ...links });
    expect(mail.subject).toBe('Your paperboy preferences link');
    expect(mail.html).toContain('already subscribed');
    expect(decode(mail.html)).toContain("If this wasn't you, ignore this email — nothing happens.");
    expect(mail.text).toContain(`\n${links.preferencesUrl}\n`);
  });

  it('shows an empty topic list as such', async () => {
    const mail = await renderPreferencesChanged({ ...base, ...links, topics: [], paused: false });
    expect(mail.html).toContain('(no topics)');
    expect(mail.text).toContain('(no topics)');
  });
});

describe('every transactional email', () => {
  it('leaves nothing unfilled, keeps subjects on one line, and runs mjml once per template', async () => {
    const mails = [];
    for (let i = 0; i < 20; i++) {
      mails.push(
        await renderConfirmation(confirmation),
        await renderPreferencesChanged({ ...base, ...links, paused: i % 2 === 0, productName: 'paper\r\nboy' }),
        await renderPreferencesLink({ ...base, ...links }),
      );
    }
    for (const mail of mails) {
      for (const part of [mail.html, mail.text, mail.subject]) expect(part).not.toMatch(LEFTOVER);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.html).not.toMatch(/<link\b|<img\b|@import|<script/i);
    }
    expect(mjmlCompilations('confirmation')).toBe(1);
    expect(mjmlCompilations('preferences-changed')).toBe(1);
    expect(mjmlCompilations('preferences-link')).toBe(1);
  });
});
