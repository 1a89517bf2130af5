// The links a page may hand out, built from the link it was opened with (security/capabilities.ts
// HANDS_OUT): a page opened with an archive link has `archive()` and `preferencesLinkForm()`, and
// no `preferences()` — calling it does not compile, and if forced, throws. The answer is checked
// again on its way out (link-guard.ts). Page links are relative (they work whatever host the
// reader came through); the web view's and the feeds' are absolute, as in an email.
import { mayHandOut, type Opener } from '../../security/capabilities.ts';
import type { TokenPurpose, TokenSigner } from '../../security/tokens.ts';

const withToken = (path: string, token: string): string => `${path}?token=${encodeURIComponent(token)}`;

export class PageLinks<P extends TokenPurpose> {
  constructor(
    private readonly signer: TokenSigner,
    private readonly baseUrl: string,
    /** whose page, opened with which link */
    readonly opened: { readonly purpose: P; readonly subscriberId: number },
  ) {}

  /** A token this page may hand out (throws for any other: a bug, never a reader's doing). */
  private token(purpose: TokenPurpose): string {
    if (!mayHandOut(this.opened.purpose, purpose)) throw new Error(`a page opened with a ${this.opened.purpose} link may not hand out a ${purpose} link`);
    return this.signer.sign({ purpose, subscriberId: this.opened.subscriberId });
  }

  /** The reader's archive: `/archive?token=…` */
  archive(this: PageLinks<Opener<'archive'>>): string {
    return withToken('/archive', this.token('archive'));
  }

  /** The web view of one of the reader's deliveries, absolute (it is the email's own link). */
  webView(this: PageLinks<Opener<'archive'>>, deliveryId: number): string {
    return `${this.baseUrl}${withToken(`/archive/${deliveryId}`, this.token('archive'))}`;
  }

  /** "Email me my preferences link": its page (GET) and its form (POST), absolute with `absolute: true`. */
  preferencesLinkForm(this: PageLinks<Opener<'archive'>>, options: { absolute?: boolean } = {}): string {
    return `${options.absolute ? this.baseUrl : ''}${withToken('/preferences-link', this.token('archive'))}`;
  }

  /** The reader's preferences: `/preferences?token=…` */
  preferences(this: PageLinks<Opener<'preferences'>>): string {
    return withToken('/preferences', this.token('preferences'));
  }

  /** "Delete my data": `/preferences/delete?token=…` (a preferences link). */
  deleteMe(this: PageLinks<Opener<'preferences'>>): string {
    return withToken('/preferences/delete', this.token('preferences'));
  }

  /** The unsubscribe token, for the preferences page's own unsubscribe button. */
  unsubscribeToken(this: PageLinks<Opener<'unsubscribe'>>): string {
    return this.token('unsubscribe');
  }

  /** The reader's feeds, absolute (they go into a feed reader). */
  feeds(this: PageLinks<Opener<'feed'>>): { atom: string; json: string } {
    const token = this.token('feed');
    return { atom: `${this.baseUrl}${withToken('/feeds/mine.atom', token)}`, json: `${this.baseUrl}${withToken('/feeds/mine.json', token)}` };
  }
}

/** The links of a page opened with a `purpose` link of `subscriberId`. */
export function pageLinks<P extends TokenPurpose>(deps: { tokens: TokenSigner; baseUrl: string }, purpose: P, subscriberId: number): PageLinks<P> {
  return new PageLinks(deps.tokens, deps.baseUrl, { purpose, subscriberId });
}
