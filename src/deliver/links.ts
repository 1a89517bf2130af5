// The links a subscriber gets in every email, signed for their purpose (see security/tokens.ts).
import type { ReaderLink } from '../render/reader-links.ts';
import type { TokenSigner } from '../security/tokens.ts';

export interface SubscriberLinks {
  preferencesUrl: string;
  unsubscribeUrl: string;
}

export function subscriberLinks(tokens: TokenSigner, baseUrl: string, subscriberId: number): SubscriberLinks {
  return {
    preferencesUrl: `${baseUrl}/preferences?token=${tokens.sign({ purpose: 'preferences', subscriberId })}`,
    unsubscribeUrl: `${baseUrl}/unsubscribe?token=${tokens.sign({ purpose: 'unsubscribe', subscriberId })}`,
  };
}

/** The reader's space, signed to read (no login): their archive, and the web view of one delivery. */
export function archiveUrl(tokens: TokenSigner, baseUrl: string, subscriberId: number, deliveryId?: number): string {
  const token = tokens.sign({ purpose: 'archive', subscriberId });
  return `${baseUrl}/archive${deliveryId === undefined ? '' : `/${deliveryId}`}?token=${token}`;
}

/**
 * The footer links of a digest email (render/reader-links.ts). Only the email has them all: its web
 * view, opened with the archive link, shows read links only (web/pages/routes/archive.ts).
 */
export function readerLinks(tokens: TokenSigner, baseUrl: string, subscriberId: number, deliveryId: number): ReaderLink[] {
  const archive = tokens.sign({ purpose: 'archive', subscriberId }); // one token for the web view and the archive
  return [
    { label: 'View in your browser', url: `${baseUrl}/archive/${deliveryId}?token=${archive}` },
    { label: 'Which papers fit?', url: `${baseUrl}/feedback/${deliveryId}?token=${tokens.sign({ purpose: 'feedback', subscriberId })}`, perPaper: true },
    { label: 'Your archive', url: `${baseUrl}/archive?token=${archive}` },
  ];
}

export function confirmUrl(tokens: TokenSigner, baseUrl: string, subscriberId: number, nonce: string, expiresAt: Date): string {
  const token = tokens.sign({ purpose: 'confirm', subscriberId, nonce, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
  return `${baseUrl}/confirm?token=${token}`;
}

/** The host part of BASE_URL: names Message-IDs and the List-Id. */
export function mailDomain(baseUrl: string): string {
  return new URL(baseUrl).hostname || 'localhost';
}

/** Where a paper lives: its Hugging Face page when the arXiv id is known, else an arXiv title search. */
export function paperUrl(arxivId: string | null, title: string): string {
  if (arxivId) return `https://huggingface.co/papers/${encodeURIComponent(arxivId)}`;
  return `https://arxiv.org/search/?searchtype=title&query=${encodeURIComponent(title)}`;
}
