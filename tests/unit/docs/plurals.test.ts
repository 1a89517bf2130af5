// "1 deliveries": a count put before a plural noun in a log line, a page or /healthz goes through
// plural() (src/log/plural.ts), so one thing is never said as many.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { plural } from '../../../src/log/plural.ts';

const src = path.resolve(import.meta.dirname, '../../../src');
const NOUNS = 'deliveries|papers|days|snapshots|readers|subscribers|tries|digests|attempts|mails|emails|topics';
/** `${count} deliveries` where count is not a constant (MAX_TOPICS) — the count could be 1 */
const BARE = new RegExp(`\\$\\{(?![A-Z_]+\\})([^{}]*)\\} (?:new |failed |unknown |queued |skipped )?(?:${NOUNS})\\b`, 'g');

describe('plurals', () => {
  it('plural() says one thing as one', () => {
    expect(plural(1, 'delivery', 'deliveries')).toBe('1 delivery');
    expect(plural(2, 'delivery', 'deliveries')).toBe('2 deliveries');
    expect(plural(0, 'new paper')).toBe('0 new papers');
  });

  it('no count is written before a plural noun without plural()', async () => {
    const files = (await readdir(src, { recursive: true })).map(String).filter((f) => f.endsWith('.ts') && !f.includes('generated'));
    const bare: string[] = [];
    for (const file of files) {
      const lines = (await readFile(path.join(src, file), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const m of line.matchAll(BARE)) if (!/ of \$\{[^}]*\} topics/.test(m[0]) && !/=== 1 \?/.test(line)) bare.push(`${file}:${i + 1}: ${m[0]}`);
      });
    }
    expect(bare).toEqual([]);
  });
});
