// What a reader model adds to the digest email: the papers set aside under "Probably not for you",
// the suggestions under "You may also like" with the liked paper each resembles, `like:` topics'
// reasons, and the order the plan stored kept inside each group — in the HTML and the text part.
import { describe, expect, it } from 'vitest';
import { compileDigest } from '../../../src/render/index.ts';
import { decode, digestView, hit, paper, recipient } from './builders.ts';

const papers = [1, 2, 3, 4, 5].map((id) => paper({ paperId: id, title: `Title number ${id}` }));
const NOT_FOR_YOU = 'Probably not for you — like papers you marked not relevant';
const headings = (html: string, cls: string) => [...html.matchAll(new RegExp(`<h2 class="${cls}"[^>]*>(.*?)</h2>`, 'g'))].map((m) => decode(m[1]!));
const order = (s: string) => [...s.matchAll(/Title number (\d)/g)].map((m) => m[1]);

describe('the digest of a reader with a model', () => {
  it('shows the set-aside papers, then the suggestions, after the groups, each under its line, in both parts', async () => {
    const mail = (await compileDigest(digestView(papers))).render(
      recipient([
        { paperId: 2, hits: [hit('diffusion', { score: 1000 })] },
        { paperId: 1, hits: [hit('diffusion', { score: 5000 })] }, // the model's order, not the match score's
        { paperId: 3, hits: [hit('diffusion')], section: 'not-for-you' },
        { paperId: 4, hits: [], section: 'also-like', like: 'Denoising Diffusion <Models>' },
      ]),
    );
    expect(headings(mail.html, 'group-heading')).toEqual(['diffusion · 2 papers']);
    expect(headings(mail.html, 'section-heading')).toEqual([NOT_FOR_YOU, 'You may also like']);
    expect(order(mail.html.split('<h3').slice(1).join())).toEqual(['2', '1', '3', '4']); // the titles, not the preheader
    expect(mail.html).toContain('Like “Denoising Diffusion &lt;Models&gt;”');
    expect(mail.html.indexOf(NOT_FOR_YOU)).toBeGreaterThan(mail.html.indexOf('Title number 1'));
    // the text part: the same order, numbered on, each section under its heading
    expect(order(mail.text)).toEqual(['2', '1', '3', '4']);
    expect(mail.text).toMatch(new RegExp(`${NOT_FOR_YOU}\\n-+\\n\\n3\\. +Title number 3`));
    expect(mail.text).toMatch(/You may also like\n-+\n\n4\. +Title number 4[\s\S]*Like “Denoising Diffusion <Models>”/);
    expect(mail.subject).toMatch(/^4 new papers/);
  });

  it('gives a like: topic its paper as the reason, and highlights no word of the line', async () => {
    const line = 'like:2406.00001';
    const mail = (await compileDigest(digestView(papers))).render(
      recipient([
        { paperId: 5, hits: [hit(line, { score: 3000 })], like: 'Scaling Laws for Routers' },
        { paperId: 2, hits: [hit(line, { score: 2500 }), hit('routers', { words: ['Routers'] })], like: 'Scaling Laws for Routers' },
      ]),
    );
    expect(headings(mail.html, 'group-heading')).toEqual(['papers like 2406.00001 · 2 papers']);
    expect(mail.text).toContain('Like “Scaling Laws for Routers”');
    expect(mail.text).toContain('Like “Scaling Laws for Routers” · also routers:');
    expect(mail.html).not.toMatch(/class="hit"[^>]*>like/i);
  });

  it('shows neither line to a reader without them', async () => {
    const mail = (await compileDigest(digestView(papers))).render(recipient([{ paperId: 1, hits: [hit('diffusion')] }]));
    expect(mail.html).not.toContain('class="section-heading"');
    expect(mail.text).not.toMatch(/Probably not for you|You may also like/);
  });
});
