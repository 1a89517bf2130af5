// What a token may hand out (security/capabilities.ts), the signer's look at a token (claimsOf), and
// the page link helpers that cannot build a change link under a read link (web/pages/page-links.ts):
// by the compiler (the @ts-expect-error lines fail `npm run typecheck` the day they compile) and at run time.
import { describe, expect, it } from 'vitest';
import { HANDS_OUT, isReadPurpose, READ_PURPOSES, tokensWithheld } from '../../../src/security/capabilities.ts';
import { TokenSigner, type TokenPurpose } from '../../../src/security/tokens.ts';
import { PageLinks, pageLinks } from '../../../src/web/pages/page-links.ts';

const signer = new TokenSigner(Buffer.alloc(32, 7));
const other = new TokenSigner(Buffer.alloc(32, 8));
const PURPOSES: TokenPurpose[] = ['confirm', 'preferences', 'unsubscribe', 'archive', 'feed', 'feedback'];
const deps = { tokens: signer, baseUrl: 'https://papers.example.org' };

describe('capabilities', () => {
  it('read links hand out read links only; every purpose hands out its own', () => {
    expect([...READ_PURPOSES].sort()).toEqual(['archive', 'feed']);
    for (const purpose of PURPOSES) {
      const out: readonly TokenPurpose[] = HANDS_OUT[purpose];
      expect(out).toContain(purpose);
      if (isReadPurpose(purpose)) expect(out.filter((p) => !isReadPurpose(p))).toEqual([]);
    }
    // a feed URL (shared, in feed readers) reaches nothing but the feed; an archive link nothing but the archive
    expect(HANDS_OUT.feed).toEqual(['feed']);
    expect(HANDS_OUT.archive).toEqual(['archive']);
  });

  it('claimsOf: what a token we signed says, whatever its purpose or expiry; null for anything else', () => {
    const expired = signer.sign({ purpose: 'confirm', subscriberId: 12, nonce: 'n0nce', expiresAt: 1 });
    expect(signer.claimsOf(expired)).toEqual({ purpose: 'confirm', subscriberId: 12, nonce: 'n0nce', expiresAt: 1 });
    expect(() => signer.verify(expired, 'confirm', new Date())).toThrow(/expired/);
    expect(signer.claimsOf(signer.sign({ purpose: 'feed', subscriberId: 3 }))).toEqual({ purpose: 'feed', subscriberId: 3 });
    const forged = other.sign({ purpose: 'preferences', subscriberId: 3 });
    expect(signer.claimsOf(forged)).toBeNull();
    expect(signer.claimsOf('p.3...abc')).toBeNull();
    expect(signer.claimsOf('')).toBeNull();
  });

  it("tokensWithheld: a change link under a read link, another reader's link, any link without one", () => {
    const ada = (purpose: TokenPurpose) => signer.sign({ purpose, subscriberId: 1 });
    const page = (...tokens: string[]) => `<a href="/x?token=${tokens.join('">x</a><a href="/y?token=')}">y</a>`;
    const archive = { purpose: 'archive' as const, subscriberId: 1 };
    expect(tokensWithheld(signer, archive, page(ada('archive'), ada('archive')))).toEqual([]);
    expect(tokensWithheld(signer, archive, page(ada('archive'), ada('preferences'), ada('feedback'))).map((c) => c.purpose)).toEqual([
      'preferences',
      'feedback',
    ]);
    // url-encoded dots, JSON, a header: found all the same
    expect(
      tokensWithheld(signer, archive, JSON.stringify({ home: `https://h/p?token=${ada('unsubscribe').replaceAll('.', '%2E')}` })).map((c) => c.purpose),
    ).toEqual(['unsubscribe']);
    expect(tokensWithheld(signer, { purpose: 'preferences', subscriberId: 1 }, page(ada('unsubscribe'), ada('archive'), ada('feed')))).toEqual([]);
    expect(
      tokensWithheld(signer, { purpose: 'preferences', subscriberId: 1 }, page(signer.sign({ purpose: 'archive', subscriberId: 2 }))).map(
        (c) => c.subscriberId,
      ),
    ).toEqual([2]);
    expect(tokensWithheld(signer, null, page(ada('archive'))).map((c) => c.purpose)).toEqual(['archive']);
    // token-shaped strings we did not sign are nobody's capability
    expect(tokensWithheld(signer, archive, page(other.sign({ purpose: 'preferences', subscriberId: 1 })))).toEqual([]);
  });
});

describe('page links', () => {
  it('a page builds only the links its own link may hand out', () => {
    const archive = pageLinks(deps, 'archive', 5);
    expect(archive.archive()).toBe(`/archive?token=${signer.sign({ purpose: 'archive', subscriberId: 5 })}`);
    expect(archive.webView(9)).toMatch(/^https:\/\/papers\.example\.org\/archive\/9\?token=a\./);
    expect(archive.preferencesLinkForm()).toMatch(/^\/preferences-link\?token=a\./);
    expect(archive.preferencesLinkForm({ absolute: true })).toMatch(/^https:\/\/papers\.example\.org\/preferences-link\?token=a\./);
    // @ts-expect-error: an archive page cannot hand out the preferences link
    expect(() => archive.preferences()).toThrow('a page opened with a archive link may not hand out a preferences link');
    // @ts-expect-error: nor the unsubscribe token
    expect(() => archive.unsubscribeToken()).toThrow(/may not hand out a unsubscribe link/);
    // @ts-expect-error: nor the feeds
    expect(() => archive.feeds()).toThrow(/may not hand out a feed link/);

    const feed = pageLinks(deps, 'feed', 5);
    expect(feed.feeds().atom).toMatch(/^https:\/\/papers\.example\.org\/feeds\/mine\.atom\?token=f\./);
    // @ts-expect-error: a feed reaches nothing else of the reader's
    expect(() => feed.archive()).toThrow(/may not hand out a archive link/);

    const preferences = pageLinks(deps, 'preferences', 5);
    expect(preferences.unsubscribeToken()).toBe(signer.sign({ purpose: 'unsubscribe', subscriberId: 5 }));
    expect(preferences.archive()).toMatch(/^\/archive\?token=a\./);
    expect(pageLinks(deps, 'unsubscribe', 5).preferences()).toMatch(/^\/preferences\?token=p\./);
    expect(pageLinks(deps, 'feedback', 5).preferences()).toMatch(/^\/preferences\?token=p\./);
    // @ts-expect-error: an unsubscribe page has no archive link to give
    expect(() => pageLinks(deps, 'unsubscribe', 5).archive()).toThrow(/may not hand out/);
    expect(new PageLinks(signer, deps.baseUrl, { purpose: 'confirm', subscriberId: 5 }).preferences()).toMatch(/^\/preferences\?token=p\./);
  });
});
