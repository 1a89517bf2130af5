// The digest as a spam filter reads it: SpamAssassin's local rules (`spamassassin -L -t`, Debian's
// package) on the whole message as paperboy composes it. The preheader used to be white 1px text on
// a light page (mj-preview), which HTML_FONT_LOW_CONTRAST and FONT_INVIS_MSGID take for hidden
// text; a control message with that old preheader shows the check can fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeDigestMessage } from '../../../src/deliver/compose-message.ts';
import { buildRaw } from '../../../src/deliver/raw-message.ts';
import { compileDigest } from '../../../src/render/index.ts';
import { recipient, seedDigest } from '../../unit/render/builders.ts';

const SPAMASSASSIN = '/usr/bin/spamassassin';
const skip = !existsSync(SPAMASSASSIN) && !process.env.PAPERBOY_REQUIRE_TOOLS; // .ci/run requires them: there, missing fails instead of skipping

async function eml(mutate: (html: string) => string = (h) => h): Promise<Buffer> {
  const { view, matches } = seedDigest(['scaling laws', 'synchronization', 'fermi surface']);
  const rendered = (await compileDigest(view)).render(recipient(matches));
  const links = { preferencesUrl: 'https://paperboy.example/preferences?token=p', unsubscribeUrl: 'https://paperboy.example/unsubscribe?token=u' };
  const message = composeDigestMessage(
    { from: 'paperboy <digest@paperboy.example>', domain: 'paperboy.example', productName: 'paperboy' },
    { email: 'ada@example.com', messageId: 'delivery-1.1@paperboy.example' },
    { ...rendered, html: mutate(rendered.html) },
    links,
  );
  return (await buildRaw(message)).raw;
}

/** The names of the rules that hit, from the report `spamassassin -t` appends. */
function rulesHit(message: Buffer): string[] {
  const run = spawnSync(SPAMASSASSIN, ['-L', '-t'], { input: message, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  const report = run.stdout.slice(run.stdout.lastIndexOf('Content analysis details'));
  return [...report.matchAll(/^\s*-?[\d.]+\s+([A-Z0-9_]+)\s/gm)].map((m) => m[1]!);
}

describe.skipIf(skip)(
  `SpamAssassin's local rules (${skip ? 'not installed' : execFileSync(SPAMASSASSIN, ['-V'], { encoding: 'utf8' }).split('\n')[0]})`,
  () => {
    it('the digest trips no low-contrast or hidden-text rule', async () => {
      const rules = rulesHit(await eml());
      expect(rules).not.toContain('HTML_FONT_LOW_CONTRAST');
      // nor any "invisible text" rule (a 1px preheader font is one: FONT_INVIS_MSGID)
      expect(rules.filter((r) => /INVIS|LOW_CONTRAST|TINY_FONT/.test(r))).toEqual([]);
    }, 180_000);

    it('the old white preheader did (the check can fail)', async () => {
      const rules = rulesHit(await eml((html) => html.replace(/<div class="preheader" style="/, '<div class="preheader" style="color:#ffffff;')));
      expect(rules).toContain('HTML_FONT_LOW_CONTRAST');
    }, 180_000);
  },
);
