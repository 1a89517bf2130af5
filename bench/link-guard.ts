// What the link guard (src/web/pages/link-guard.ts) costs each answer of the reader's pages: the CPU
// time of looking for signed tokens in a full archive page (10 digests of 13 papers, rendered by the
// real view, its own link in every digest's link, the pager and the form) and checking each one.
import { archivePage } from '../src/web/pages/views/archive.ts';
import { loadAssets } from '../src/web/pages/assets.ts';
import { PRODUCT_NAME } from '../src/config/product.ts';
import { tokensWithheld } from '../src/security/capabilities.ts';
import { TokenSigner } from '../src/security/tokens.ts';
import { report, round } from './support/measure.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const signer = new TokenSigner(Buffer.alloc(32, 1));
const token = signer.sign({ purpose: 'archive', subscriberId: 42 });
const own = `/archive?token=${encodeURIComponent(token)}`;
const items = Array.from({ length: 10 }, (_, d) => ({
  deliveryId: 100 + d,
  digestId: 50 + d,
  capturedAt: new Date(Date.UTC(2026, 5, 10 - d)),
  sentAt: new Date(Date.UTC(2026, 5, 10 - d, 7)),
  papers: Array.from({ length: 13 }, (_, p) => ({
    paperId: d * 100 + p,
    title: `Scaling Laws for Sparse Mixtures of Experts, Part ${p}: What Changes at a Trillion Parameters`,
    arxivId: `2606.${String(10_000 + d * 100 + p).padStart(5, '0')}`,
    topics: p % 2 ? ['scaling laws', 'mixture of experts'] : ['scaling laws'],
  })),
}));
const html = archivePage(
  { assets: loadAssets(), productName: PRODUCT_NAME },
  {
    email: 'ada@example.org',
    page: { items, next: 49 },
    first: true,
    archiveUrl: own,
    preferencesLinkUrl: `/preferences-link?token=${encodeURIComponent(token)}`,
    viewUrl: (id) => `/archive/${id}?token=${encodeURIComponent(token)}`,
  },
);
const opened = { purpose: 'archive' as const, subscriberId: 42 };
const tokens = html.split(token).length - 1;

for (let i = 0; i < 2000; i++) tokensWithheld(signer, opened, html); // warm-up
const before = process.cpuUsage();
for (let i = 0; i < CALLS; i++) if (tokensWithheld(signer, opened, html).length > 0) throw new Error('the archive page would withhold its own link');
const used = process.cpuUsage(before);
const perCall = (used.user + used.system) / CALLS;

report('link-guard', {
  page: 'archive, 10 digests × 13 papers',
  pageKb: round(Buffer.byteLength(html) / 1024, 1),
  tokensInPage: tokens,
  cpuMicrosecondsPerAnswer: round(perCall, 1),
  cpuShareAt500PerSecond: `${round((perCall * 500) / 10_000, 2)} %`,
});
