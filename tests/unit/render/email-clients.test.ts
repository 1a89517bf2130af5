// The digest against what mail clients support (caniemail data through @jsx-email/doiuse-email),
// and against Gmail's clip: a digest of 25 papers, every detail shown, stays under 102 KB.
import { doIUseEmail } from '@jsx-email/doiuse-email';
import { describe, expect, it } from 'vitest';
import { MAX_PAPERS_PER_EMAIL } from '../../../src/digest/plan-deliveries.ts';
import { compileDigest } from '../../../src/render/index.ts';
import { BASE_URL, recipient, seedDigest } from './builders.ts';

/** Gmail clips a message whose HTML is over 102 KB ("[Message clipped] View entire message"). */
const GMAIL_CLIP_BYTES = 102 * 1024;

/** The heaviest digest we send: 25 papers, each with a TL;DR, every link, caught by two topics. */
/** `sections`: the last 3 papers set aside and 2 suggested, as for a reader with a model (the cap counts them all) */
async function fullDigest(sections = false) {
  const { view, matches } = seedDigest(['scaling laws', 'neural networks OR deep learning', 'quantum', 'model'], 60);
  for (const p of view.papers) {
    p.title = `${p.title} ${'— a long subtitle that makes it wrap '.repeat(2)}`.trim();
    p.aiSummary =
      `${p.title}: a one-line TL;DR of some two hundred characters that says what the paper finds and why a reader following these topics would ` +
      `care about it today.`;
    p.arxivId ??= '2406.99999';
    p.githubRepo = 'https://github.com/some-organization/some-rather-long-repository-name';
    p.githubStars = 12_345;
    p.projectPage = 'https://some-organization.github.io/some-rather-long-project-page/';
    p.organization = 'Some Research Laboratory of a Large University';
    p.comments = 12;
    p.upvotes = 345;
    p.authors = ['Ada Lovelace-Byron', 'Alan Mathison Turing', 'Grace Brewster Murray Hopper', 'Emmy Noether'];
    p.authorCount = 12;
  }
  expect(matches.length).toBeGreaterThanOrEqual(MAX_PAPERS_PER_EMAIL);
  // the footer's reader links as senders give them, the feedback page's also under every paper
  const token = 'k.1234.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789';
  const reader = [
    { label: 'View in your browser', url: `${BASE_URL}/archive/123456?token=${token}` },
    { label: 'Which papers fit?', url: `${BASE_URL}/feedback/123456?token=${token}`, perPaper: true },
    { label: 'Your archive', url: `${BASE_URL}/archive?token=${token}` },
  ];
  const papers = matches
    .slice(0, MAX_PAPERS_PER_EMAIL)
    .map((m, i) =>
      !sections || i < MAX_PAPERS_PER_EMAIL - 5
        ? m
        : i < MAX_PAPERS_PER_EMAIL - 2
          ? { ...m, section: 'not-for-you' as const }
          : { paperId: m.paperId, hits: [], section: 'also-like' as const, like: view.papers[0]!.title },
    );
  return (await compileDigest(view)).render(recipient(papers, { reader }));
}

describe('the digest in mail clients', async () => {
  const mail = await fullDigest();

  it(`stays under Gmail's clip with ${MAX_PAPERS_PER_EMAIL} papers and every detail`, () => {
    const bytes = Buffer.byteLength(mail.html);
    expect(mail.html.match(/class="feedback-link"/g)).toHaveLength(2 * MAX_PAPERS_PER_EMAIL); // the reader's links are counted
    console.log(`digest of ${MAX_PAPERS_PER_EMAIL} papers: ${bytes} bytes of HTML, ${Buffer.byteLength(mail.text)} of text`);
    expect(bytes).toBeLessThan(GMAIL_CLIP_BYTES);
  });

  it(`stays under Gmail's clip with ${MAX_PAPERS_PER_EMAIL} papers, "Probably not for you" and "You may also like" among them`, async () => {
    const learned = await fullDigest(true);
    expect(learned.html).toContain('You may also like');
    expect(Buffer.byteLength(learned.html)).toBeLessThan(GMAIL_CLIP_BYTES);
  });

  it('uses nothing Gmail (web, iOS) or Apple Mail (macOS, iOS) does not support', () => {
    const result = doIUseEmail(mail.html, { emailClients: ['gmail.desktop-webmail', 'gmail.ios', 'apple-mail.macos', 'apple-mail.ios'] });
    expect(errorsOf(result)).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('for Outlook on Windows: only what degrades gracefully (no <mark>, no HTML5 elements)', () => {
    const result = doIUseEmail(mail.html, { emailClients: ['outlook.windows'] });
    const features = [...new Set(errorsOf(result).map((e) => /^`([^`]+)`/.exec(e)?.[1] ?? e))].sort();
    // what Outlook for Windows (Word's renderer) ignores here, each with a fallback: rounded corners
    // come out square; the dark-mode and phone @media rules (and their chained selectors) are
    // skipped, so it shows the light design; the preheader's overflow is ignored but mso-hide hides
    // it; mjml's own reset (outline on links, word-spacing on the body) does nothing there
    expect(features).toEqual(OUTLOOK_WINDOWS);
    expect(mail.html).not.toMatch(/<mark\b/);
  });

  it('highlights carry their colours inline, so a client that drops <style> still shows them', () => {
    for (const span of mail.html.match(/<span class="hit"[^>]*>/g) ?? []) expect(span).toMatch(/style="[^"]*background-color:#fff0a6/);
  });

  it('has a preheader without a colour of its own (no white-on-light text for spam filters) and dark-mode support', () => {
    const preheader = /<div class="preheader" style="([^"]*)"/.exec(mail.html)?.[1];
    expect(preheader).toBeDefined();
    expect(preheader).not.toMatch(/(^|;)\s*color\s*:/);
    expect(preheader).toMatch(/display:none/);
    expect(mail.html).toContain('<meta name="color-scheme" content="light dark">');
    expect(mail.html).toMatch(/@media \(prefers-color-scheme: dark\)/);
  });
});

const errorsOf = (result: ReturnType<typeof doIUseEmail>): string[] => ('errors' in result ? result.errors : []);

const OUTLOOK_WINDOWS = ['@media', 'Chaining selectors', 'border-radius', 'outline', 'overflow', 'word-spacing'];
