// The delivery state machine's one table (src/model/delivery-status.ts) against what describes it
// and what uses it: Prisma's enum, the diagram in CONTEXT.md ("delivery states") and the same one atop
// src/db/deliveries.ts, and the SQL in src/ (every status-changing UPDATE delivery is in src/db/ and
// takes its new status and guard from the table). What the statements do from every status is
// tests/integration/delivery/transitions.test.ts.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DELIVERY_STATUSES, guard, statusIn, target, TRANSITIONS, type TransitionName } from '../../../src/model/delivery-status.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFile(path.join(root, file), 'utf8');

interface Arrow {
  name: string;
  from: string[];
  to: string;
  by: string;
}

/** The arrows of a diagram: lines `a | b --name--> c [actor]`, with or without a comment's `//`. */
function arrows(text: string): Arrow[] {
  const found: Arrow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:\/\/)?\s*([a-z]+(?:\s*\|\s*[a-z]+)*)\s+--([a-z-]+)-->\s+([a-z]+)\s+\[([a-z]+)\]/.exec(line);
    if (m) found.push({ name: m[2]!, from: m[1]!.split('|').map((s) => s.trim()), to: m[3]!, by: m[4]! });
  }
  return found;
}

const table: Arrow[] = Object.entries(TRANSITIONS).map(([name, t]) => ({ name, from: [...t.from], to: t.to, by: t.by }));
const byName = (a: Arrow[]) => [...a].sort((x, y) => x.name.localeCompare(y.name));

async function sourceFiles(dir: string): Promise<string[]> {
  return (await readdir(path.join(root, dir), { recursive: true }))
    .map((f) => `${dir}/${String(f).split(path.sep).join('/')}`)
    .filter((f) => f.endsWith('.ts') && !f.includes('/generated/'));
}

describe('delivery states', () => {
  it("lists the statuses of Prisma's DeliveryStatus enum, in its order", async () => {
    const schema = await read('prisma/schema.prisma');
    const body = /enum DeliveryStatus \{([^}]*)\}/.exec(schema)?.[1] ?? '';
    const values = body
      .split('\n')
      .map((l) => l.replace(/\/\/.*$/, '').trim())
      .filter(Boolean);
    expect(values).toEqual([...DELIVERY_STATUSES]);
  });

  it("CONTEXT.md's diagram shows exactly the table's arrows", async () => {
    const drawn = arrows(await read('CONTEXT.md'));
    expect(drawn.length).toBe(table.length);
    expect(byName(drawn)).toEqual(byName(table));
  });

  it('the diagram atop src/db/deliveries.ts shows exactly the table’s arrows', async () => {
    const text = await read('src/db/deliveries.ts');
    const drawn = arrows(text.slice(0, text.indexOf('\nimport ')));
    expect(byName(drawn)).toEqual(byName(table));
  });

  it('every status is reached from queued, and every arrow starts from a status', () => {
    const reached = new Set<string>(['queued']);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of table) if (t.from.some((s) => reached.has(s)) && !reached.has(t.to)) grew = reached.add(t.to).size > 0;
    }
    expect([...reached].sort()).toEqual([...DELIVERY_STATUSES].sort());
    for (const t of table) for (const s of [...t.from, t.to]) expect(DELIVERY_STATUSES).toContain(s);
  });

  it('generates guards and new statuses as SQL', () => {
    expect(guard('resend', 'd.status')).toBe("d.status IN ('sent', 'failed', 'unknown')");
    expect(guard('claim', 'd.status')).toBe("d.status = 'queued'");
    expect(guard('bounce')).toBe("status IN ('sent', 'unknown')");
    expect(target('bounce')).toBe("'bounced'");
    expect(() => statusIn('status', [])).toThrow(/empty/);
    expect(() => statusIn('status', ["sent'; DROP TABLE delivery; --" as 'sent'])).toThrow(/not a delivery status/);
  });

  it('every status-changing UPDATE delivery in src/ is in src/db/ and takes its new status and guard from the table', async () => {
    const files = await sourceFiles('src');
    const statements: Array<{ file: string; name: string; text: string }> = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/UPDATE delivery(?:\s+d)?\s+SET\s+status\s*=\s*([^,\n]*)/g)) {
        const name = /^\$\{target\('([a-z-]+)'\)\}$/.exec(m[1]!.trim())?.[1] ?? `hand-typed: ${m[1]}`;
        // the statement up to its end (RETURNING, the closing backtick or the next CTE)
        const rest = text.slice(m.index, m.index + 1200);
        statements.push({ file, name, text: rest.slice(0, rest.search(/RETURNING|`|\n\s*\), /) + 1 || rest.length) });
      }
    }
    expect(statements.filter((s) => !s.file.startsWith('src/db/')).map((s) => s.file)).toEqual([]);
    expect(statements.filter((s) => s.name.startsWith('hand-typed')).map((s) => `${s.file}: ${s.name}`)).toEqual([]);
    // each statement guards with its own transition, and no delivery status is typed into it by hand (`s.status`: the subscriber's)
    for (const s of statements) {
      expect(s.text, `${s.file} ${s.name}`).toContain(`\${guard('${s.name}'`);
      expect(s.text, `${s.file} ${s.name}`).not.toMatch(/(?:^|[\s(])(?:d\.)?status\s*(=|IN)\s*\(?'/);
    }
    // and every transition of the table has its statement
    expect([...new Set(statements.map((s) => s.name))].sort()).toEqual((Object.keys(TRANSITIONS) as TransitionName[]).sort());
    expect(statements.length).toBe(16);
  });
});
