import { describe, expect, it } from 'vitest';
import { compileDigest, mjmlCompilations, RenderError, type RecipientView } from '../../../src/render/index.ts';
import { BASE_URL, LEFTOVER, decode, digestView, hit, marked, paper, recipient, seedDigest } from './builders.ts';

/** The HTML of each paper block, in order: from one title heading to the next. */
const blocks = (html: string): string[] =>
  html
    .split(/<h3\b/)
    .slice(1)
    .map((b) => b.split(/<h2\b/)[0]!);
const between = (html: string, cls: string, tag: string): string => new RegExp(`<${tag} class="${cls}"[^>]*>(.*?)</${tag}>`, 's').exec(html)?.[1] ?? '';

describe('the digest', () => {
  const topics = ['scaling laws', 'synchronization', 'ergotropy'];
  const { view, matches } = seedDigest(topics);

  it('highlights exactly the matched words, in the title, the reason and the TL;DR', async () => {
    const mail = (await compileDigest(view)).render(recipient(matches));
    const found = blocks(mail.html);
    expect(found).toHaveLength(matches.length);
    const shown = new Map(found.map((b) => [decode(between(b, 'paper-link', 'a').replace(/<[^>]+>/g, '')), b]));
    for (const m of matches) {
      const block = shown.get(view.papers.find((p) => p.paperId === m.paperId)!.title)!;
      expect(block).toBeDefined();
      // the matcher lists each word once, as first written: compare without case; stems may differ ("scales")
      const words = new Set(m.hits.flatMap((h) => h.words).map((w) => w.toLowerCase()));
      const highlighted = [...marked(between(block, 'paper-link', 'a')), ...marked(between(block, 'reason', 'p'))];
      expect(highlighted.length).toBeGreaterThan(0);
      for (const piece of highlighted) for (const w of piece.split(/\s+/)) expect(words).toContain(w.toLowerCase());
      // one reason line, naming every other topic that caught it; no second row of chips
      const reason = decode(between(block, 'reason', 'p').replace(/<[^>]+>/g, ''));
      for (const h of m.hits.slice(1)) expect(reason).toContain(`also ${h.topic}:`);
      expect(block).not.toMatch(/class="match"|class="topic"/);
    }
  });

  it('says in its footer how often the reader is mailed now; without a frequency, nothing', async () => {
    const renderer = await compileDigest(view);
    const weekly = renderer.render(recipient(matches, { frequency: { frequency: 'weekly', weeklyDay: 1 } }));
    expect(decode(weekly.html)).toContain('these new papers matched your topics. You get one email a week, on Mondays: change it in your preferences.');
    expect(weekly.text.replace(/\s+/g, ' ')).toContain('You get one email a week, on Mondays: change it in your preferences.');
    const daily = renderer.render(recipient(matches, { frequency: { frequency: 'daily', weeklyDay: 1 } }));
    expect(daily.text.replace(/\s+/g, ' ')).toContain('You get an email every day new papers match your topics: change it in your preferences.');
    expect(renderer.render(recipient(matches)).text.replace(/\s+/g, ' ')).not.toContain('change it in your preferences');
  });

  it('puts the highlight on the right characters, in inline-styled spans (never only <mark>)', async () => {
    const p = paper({ paperId: 1, title: 'Neural Scaling Laws Revisited', abstract: 'We fit power laws. Scaling helps.' });
    const h = hit('scaling laws', {
      words: ['Scaling', 'Laws', 'laws'],
      title: [
        [7, 14],
        [15, 19],
      ],
      abstract: [
        [13, 17],
        [19, 26],
      ],
      closeness: 'phrase',
      field: 'title',
      closest: [7, 19],
    });
    const mail = (await compileDigest(digestView([p]))).render(recipient([{ paperId: 1, hits: [h] }]));
    expect(marked(between(mail.html, 'paper-link', 'a'))).toEqual(['Scaling Laws']);
    expect(decode(between(mail.html, 'paper-link', 'a')).replace(/<[^>]+>/g, '')).toBe('Neural Scaling Laws Revisited');
    expect(marked(between(mail.html, 'tldr', 'p'))).toEqual(['laws']);
    expect(mail.html).not.toContain('<mark');
    expect(mail.html).toMatch(/<span class="hit" style="[^"]*background-color:#fff0a6[^"]*">Scaling Laws<\/span>/);
    expect(mail.text).toContain('1.  Neural *Scaling Laws* Revisited');
    expect(mail.text).toContain('Title matches *Scaling Laws*');
    expect(mail.text).toContain('We fit power *laws*.');
    expect(mail.text).not.toContain('Scaling helps'); // the TL;DR is the first sentence or two, not the abstract
  });

  it('gives each recipient only their papers, grouped by topic in the order given', async () => {
    const papers = [1, 2, 3, 4].map((id) => paper({ paperId: id, title: `Title number ${id}` }));
    const renderer = await compileDigest(digestView(papers));
    const mail = renderer.render(
      recipient([
        { paperId: 3, hits: [hit('a')] },
        { paperId: 1, hits: [hit('b')] },
      ]),
    );
    expect([...mail.html.matchAll(/<h2 class="group-heading"[^>]*>(.*?)<\/h2>/g)].map((m) => m[1])).toEqual(['a · 1 paper', 'b · 1 paper']);
    const titles = blocks(mail.html).map((b) => /Title number (\d)/.exec(b)?.[1]);
    expect(titles).toEqual(['3', '1']);
    expect([...mail.text.matchAll(/Title number (\d)/g)].map((m) => m[1])).toEqual(['3', '1']);
    expect(mail.html).not.toContain('papers/2406.00002');
    expect(() => renderer.render(recipient([{ paperId: 9, hits: [] }]))).toThrow(RenderError);
  });

  it("highlights each recipient's own hits on a shared paper, however often it was rendered before", async () => {
    const p = paper({ paperId: 1, title: 'Neural Scaling Laws Revisited' });
    const renderer = await compileDigest(digestView([p]));
    const scaling = hit('scaling', { words: ['Scaling'], title: [[7, 14]] });
    const neural = hit('neural', { words: ['Neural'], title: [[0, 6]] });
    for (let i = 0; i < 3; i++) {
      const title = (r: RecipientView): string[] => marked(between(renderer.render(r).html, 'paper-link', 'a'));
      expect(title(recipient([{ paperId: 1, hits: [scaling] }]))).toEqual(['Scaling']);
      expect(title(recipient([{ paperId: 1, hits: [{ ...neural }] }]))).toEqual(['Neural']);
      const both = renderer.render(recipient([{ paperId: 1, hits: [neural, { ...scaling, title: [[15, 19]] }] }]));
      expect(marked(between(both.html, 'paper-link', 'a'))).toEqual(['Neural', 'Laws']);
    }
  });

  it('has a text part with every title, url and both links, wrapped at 78 columns', async () => {
    const r = recipient(matches);
    const mail = (await compileDigest(view)).render(r);
    for (const m of matches) {
      const p = view.papers.find((x) => x.paperId === m.paperId)!;
      expect(mail.text.replace(/\*/g, '').replace(/\s+/g, ' ')).toContain(p.title);
      expect(mail.text).toContain(p.url);
    }
    expect(mail.text).toContain(`Manage preferences: ${r.preferencesUrl}`);
    expect(mail.text).toContain(`Unsubscribe: ${r.unsubscribeUrl}`);
    for (const line of mail.text.split('\n')) if (!line.includes('://')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it("puts the reader's own links in the footer, escaped, in both parts; none given, none shown", async () => {
    const renderer = await compileDigest(view);
    const reader = [
      { label: 'View in your browser', url: 'https://paperboy.example/archive/7?token=a.1..x&y' },
      { label: 'Your <archive>', url: 'https://paperboy.example/archive?token=a.1..x' },
    ];
    const mail = renderer.render({ ...recipient(matches), reader });
    expect(mail.html).toMatch(
      /<a class="footer-link" href="https:\/\/paperboy\.example\/archive\/7\?token=a\.1\.\.x&amp;y" style="[^"]+">View in your browser<\/a>&nbsp;·&nbsp; <a [^>]+>Your &lt;archive&gt;<\/a>/,
    );
    expect(mail.text).toContain(
      'View in your browser: https://paperboy.example/archive/7?token=a.1..x&y\nYour <archive>: https://paperboy.example/archive?token=a.1..x\nManage preferences:',
    );
    const plain = renderer.render(recipient(matches));
    expect(plain.html).not.toContain('archive');
    expect(plain.text).not.toContain('archive');
    expect(() => renderer.render({ ...recipient(matches), reader: [{ label: 'x', url: 'javascript:alert(1)' }] })).toThrow(RenderError);
  });

  it('the web view (WebViewLinks): the email without a link that changes something, and a line saying where they are', async () => {
    const renderer = await compileDigest(view);
    const reader = [
      { label: 'Which papers fit?', url: 'https://paperboy.example/feedback/7?token=k.1..x', perPaper: true },
      { label: 'Your archive', url: 'https://paperboy.example/archive?token=a.1..x' },
    ];
    const { preferencesUrl: _p, unsubscribeUrl: _u, ...rest } = recipient(matches);
    const webView = renderer.render({ ...rest, reader, inYourInbox: { preferencesLinkUrl: 'https://paperboy.example/preferences-link?token=a.1..x' } });
    const email = renderer.render({ ...recipient(matches), reader });
    // the email has them all: preferences, unsubscribe, the feedback page under every paper and in the footer
    expect(email.html).toContain('preferences?token=pref-ada');
    expect(email.html).toContain('unsubscribe?token=unsub-ada');
    expect(email.html.match(/feedback\/7\?token=k/g)?.length).toBe(1 + 2 * matches.length);
    // the web view: none of them, even when handed a feedback link
    for (const part of [webView.html, webView.text]) {
      expect(part).not.toMatch(/pref-ada|unsub-ada|feedback\/7|More like this|Manage preferences:/);
      expect(part).toContain('https://paperboy.example/archive?token=a.1..x');
      expect(part).not.toMatch(LEFTOVER);
    }
    expect(webView.html).toMatch(
      /This is the web view: it only reads\. Your links to manage preferences, unsubscribe and say which papers fit are in the email itself, in your own inbox\. Not at hand\? <a class="footer-link" href="https:\/\/paperboy\.example\/preferences-link\?token=a\.1\.\.x" style="[^"]+">Email me my preferences link<\/a>/,
    );
    expect(webView.text.replace(/\s+/g, ' ')).toContain(
      'in your own inbox. Not at hand? Email me my preferences link: https://paperboy.example/preferences-link?token=a.1..x',
    );
    // the papers are the email's
    const papersOf = (html: string) => html.split('Papers from')[0]!.replace(/<p class="feedback".*?<\/p>/gs, '');
    expect(papersOf(webView.html)).toBe(papersOf(email.html));
    expect(() => renderer.render({ ...rest, inYourInbox: { preferencesLinkUrl: 'javascript:alert(1)' } })).toThrow(RenderError);
  });

  it('leaves no slot or marker in the html, text or subject, and loads nothing from the network', async () => {
    const mail = (await compileDigest(view)).render(recipient(matches));
    for (const part of [mail.html, mail.text, mail.subject]) expect(part).not.toMatch(LEFTOVER);
    expect(mail.html).not.toMatch(/<link\b|<img\b|@import|url\(|<script/i);
    expect(mail.html).toContain('href="https://paperboy.example/preferences?token=pref-ada"');
  });

  it('has a subject a reader wants, under 80 characters, never with a line break', async () => {
    const renderer = await compileDigest(view);
    expect(renderer.render(recipient(matches)).subject).toBe(`${matches.length} new papers on scaling laws, ergotropy and 1 more topic — Jun 10`);
    expect(renderer.render(recipient(matches.slice(0, 1))).subject).toBe('1 new paper on scaling laws — Jun 10');
    const evil = hit(`${'very long topic '.repeat(10)}\r\nBcc: x@example.com`);
    const subject = renderer.render(recipient([{ paperId: matches[0]!.paperId, hits: [evil] }])).subject;
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.length).toBeLessThan(80);
    expect(subject).toMatch(/^1 new paper on very long topic .*… — Jun 10$/);
    expect(renderer.render(recipient([])).subject).toBe('0 new papers on your topics — Jun 10');
  });

  it('runs mjml once for the digest template, however many digests and recipients', async () => {
    const renderers = await Promise.all([compileDigest(view), compileDigest(digestView(view.papers, { digestId: 8 }))]);
    for (let i = 0; i < 1000; i++) {
      const mail = renderers[i % 2]!.render(recipient(matches.slice(i % 3), { email: `r${i}@example.com` }));
      expect(mail.html).toContain(`r${i}@example.com`);
    }
    expect(mjmlCompilations('digest')).toBe(1);
  });

  it('fills in the digest data once: product name, date, home link', async () => {
    const mail = (await compileDigest(digestView([], { productName: 'Paper & Boy', snapshotDate: '2025-06-10' }))).render(recipient([]));
    expect(mail.html).toContain('Paper &amp; Boy');
    expect(mail.html).toContain('June 10, 2025');
    expect(mail.html).toContain(`href="${BASE_URL}/"`);
    expect(mail.text.startsWith('Paper & Boy · June 10, 2025\n')).toBe(true);
  });
});
