import { describe, expect, it } from 'vitest';
import { compileDigest, RenderError, renderConfirmation } from '../../../src/render/index.ts';
import { escapeHtml, httpUrl, oneLine } from '../../../src/render/escape.ts';
import { BASE_URL, digestView, hit, paper, recipient } from './builders.ts';

describe('escaping', () => {
  it('escapes the five HTML specials and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a> é ▲`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; é ▲');
  });

  it('keeps only absolute http(s) URLs, with quotes percent-encoded', () => {
    expect(httpUrl('https://huggingface.co/papers/2406.1"><script>')).toBe('https://huggingface.co/papers/2406.1%22%3E%3Cscript%3E');
    expect(httpUrl(' http://example.com/a?b=1&c=2 ')).toBe('http://example.com/a?b=1&c=2');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', '/relative', 'mailto:a@b.c', 'not a url']) {
      expect(httpUrl(bad)).toBeNull();
    }
  });

  it('puts everything on one line', () => {
    expect(oneLine(' a\r\nBcc: b\u2028c\td ')).toBe('a Bcc: b c d');
  });

  it('shows hostile titles, abstracts, topics and addresses as text', async () => {
    const p = paper({
      paperId: 1,
      title: '<script>alert(1)</script> & <b>bold</b>',
      abstract: 'An <img src=x onerror=alert(1)> abstract "quoted".',
      url: 'https://huggingface.co/papers/1" onmouseover="alert(1)',
      organization: '<i>Org</i>',
    });
    const r = recipient([{ paperId: 1, hits: [hit('<topic>', { words: ['<b>'], title: [[28, 31]] })] }], {
      email: '"><svg onload=alert(1)>@example.com',
    });
    const mail = (await compileDigest(digestView([p]))).render(r);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; ');
    expect(mail.html).not.toMatch(/<script|<img src=x|<svg|<b>|<i>Org/);
    expect(mail.html).toContain('href="https://huggingface.co/papers/1%22%20onmouseover=%22alert(1)"');
    expect(mail.html).not.toContain('" onmouseover=');
    expect(mail.html).toContain('&lt;topic&gt;');
    expect(mail.text).toContain('1.  <script>alert(1)</script> & *<b>*bold</b>');
  });

  // A topic stored before topics were cleaned on the way in (subscriptions/input.ts) still renders
  // as what it says: no bidi override or zero-width character in the subject, the HTML or the text.
  const HIDING = /[\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/;
  const dirty = 'scaling \u202Egnp.exe\u202C la\u200Bws';

  it('a stored topic with bidi overrides and zero-width characters renders without them in a digest', async () => {
    const p = paper({ paperId: 1, title: 'Scaling laws of everything' });
    const mail = (await compileDigest(digestView([p]))).render(recipient([{ paperId: 1, hits: [hit(dirty, { words: ['scaling'], title: [[0, 7]] })] }]));
    expect(mail.subject).toBe('1 new paper on scaling gnp.exe laws — Jun 10');
    for (const part of [mail.subject, mail.html, mail.text]) expect(part).not.toMatch(HIDING);
    expect(mail.text).toContain('scaling gnp.exe laws');
  });

  it('and in the confirmation email, which goes to whatever address the form was given', async () => {
    const mail = await renderConfirmation({
      productName: 'paperboy',
      baseUrl: BASE_URL,
      frequency: 'daily',
      weeklyDay: 1,
      email: 'victim@example.com',
      topics: [dirty, '\u2066Call +1 555 0100\u2069\u200F'],
      confirmUrl: `${BASE_URL}/confirm?token=x`,
      expiresAt: new Date(0),
    });
    for (const part of [mail.subject, mail.html, mail.text]) expect(part).not.toMatch(HIDING);
    expect(mail.text).toContain('  - scaling gnp.exe laws\n  - Call +1 555 0100\n');
    expect(mail.html).toContain('scaling gnp.exe laws');
  });

  it('never links a paper to javascript: — its title links home instead', async () => {
    const p = paper({ paperId: 1, url: 'javascript:alert(1)' });
    const mail = (await compileDigest(digestView([p]))).render(recipient([{ paperId: 1, hits: [] }]));
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).toMatch(new RegExp(`<a class="paper-link" href="${BASE_URL}/"`));
  });

  it('refuses our own links when they are not http(s)', async () => {
    const renderer = await compileDigest(digestView([]));
    expect(() => renderer.render(recipient([], { unsubscribeUrl: 'javascript:alert(1)' }))).toThrowError(expect.objectContaining({ code: 'RENDER_BAD_URL' }));
    await expect(
      renderConfirmation({
        productName: 'paperboy',
        baseUrl: BASE_URL,
        frequency: 'daily',
        weeklyDay: 1,
        email: 'a@example.com',
        topics: [],
        confirmUrl: 'data:text/html,hi',
        expiresAt: new Date(0),
      }),
    ).rejects.toBeInstanceOf(RenderError);
  });

  it('renders $& and $1 (String.replace specials) literally', async () => {
    const p = paper({ paperId: 1, title: "Costs $& gains $1 and $$ of $`x$'", abstract: 'Price $& and $1.' });
    const r = recipient([{ paperId: 1, hits: [hit('$& topic $1', { words: ['$1'] })] }], { email: '$&@example.com' });
    const mail = (await compileDigest(digestView([p], { productName: '$1 boy' }))).render(r);
    expect(mail.html).toContain('Costs $&amp; gains $1 and $$ of $`x$&#39;');
    expect(mail.html).toContain('Price $&amp; and $1.');
    expect(mail.html).toContain('$&amp;@example.com');
    expect(mail.html).toContain('$1 boy');
    expect(mail.text).toContain("Costs $& gains $1 and $$ of $`x$'");
    expect(mail.subject).toBe('1 new paper on $& topic $1 — Jun 10');
  });
});
