// Hostile and broken inputs, table-driven, against a real PostgreSQL that already holds both seeds:
// each is refused with its one-line error (file, line, and for JSON the item and path) and leaves
// every table as it was — or, where a case is not an error (an empty listing, an abstract too long),
// gets its documented outcome. Then the same through the real CLI: exit status and the one line.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnstorableSnapshotError } from '../../../src/db/snapshots.ts';
import { storeSnapshot } from '../../../src/ingest/store-snapshot.ts';
import { describeRejection, ingestInputs, ingestOne, type IngestDeps, type IngestOutcome } from '../../../src/ingest/ingest-inputs.ts';
import { runCli } from '../../support/cli.ts';
import { openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import { tableFingerprint } from '../../support/fingerprint.ts';
import { capturingLogger } from '../../support/logs.ts';
import { countTextModel } from '../../../src/relevance/stored-text-model.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SEEDS = path.join(ROOT, 'seeds');
const NOW = new Date('2026-11-23T12:00:00Z');
const HEADER = 'Get trending papers in your email inbox!\n\nDaily Papers\n\n';

/** A daily papers list of one good item and, second (line 3), one carrying `paper`/`top` fields. */
const list = (paper: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  `[\n${JSON.stringify({ paper: { id: '2601.00001', title: 'A Good Paper', upvotes: 1 }, publishedAt: '2026-11-20T08:00:00.000Z' })},\n${JSON.stringify({
    paper: {
      id: '2601.00002',
      title: 'Another Paper',
      summary: 'About it.',
      authors: [{ name: 'A' }],
      upvotes: 2,
      publishedAt: '2026-11-19T00:00:00.000Z',
      ...paper,
    },
    publishedAt: '2026-11-20T08:00:00.000Z',
    ...top,
  })}\n]`;
/** A text capture whose one entry has `meta` as its meta block. */
const text = (meta: string, date = 'Nov 20', title = 'A Text Paper') => `${HEADER}${date}\n\n${title}\n\nIts abstract.\n\n${meta}`;

type Expected = { kind: 'rejected'; code: string; line: number | null; says: string | RegExp } | { kind: 'quiet' };

const CASES: Array<[name: string, content: string | Buffer, expected: Expected]> = [
  // the issue's cases
  [
    'a listing dated 2030 (it would be the newest snapshot for years)',
    list({}, { publishedAt: '2030-01-01T00:00:00.000Z' }),
    {
      kind: 'rejected',
      code: 'SNAPSHOT_INVALID',
      line: 3,
      says:
        'item 2 (line 3): $[1].publishedAt: "2030-01-01T00:00:00.000Z" is more than a day after the ingest clock (2026-11-23): a listing cannot ' +
        'come from the future',
    },
  ],
  [
    "a listing dated +275760 (JavaScript's last day)",
    list({}, { publishedAt: '+275760-09-13T00:00:00.000Z' }),
    {
      kind: 'rejected',
      code: 'SNAPSHOT_INVALID',
      line: 3,
      says: /^item 2 \(line 3\): \$\[1\]\.publishedAt: "\+275760-09-13T00:00:00\.000Z" is more than a day after/,
    },
  ],
  [
    "a listing dated past JavaScript's last day",
    list({}, { publishedAt: '+275761-01-01T00:00:00.000Z' }),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 3, says: 'JSON of another shape: item 2 (line 3): publishedAt: not a date' },
  ],
  [
    '99999999999 upvotes',
    list({ upvotes: 99999999999 }),
    {
      kind: 'rejected',
      code: 'SNAPSHOT_INVALID',
      line: 3,
      says: 'item 2 (line 3): $[1].paper.upvotes: "99999999999" is more than 10,000,000 upvotes: not a plausible count',
    },
  ],
  [
    '99999999999 authors (text)',
    text('  • 99999999999 authors\n·\nNov 2, 2026'),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 11, says: 'entry 1 (line 7): "99999999999" is more than 100,000 authors: not a plausible count' },
  ],
  [
    'a 1.6 MB title',
    list({ title: 'T'.repeat(1_600_000) }),
    {
      kind: 'rejected',
      code: 'SNAPSHOT_INVALID',
      line: 3,
      says: /^item 2 \(line 3\): \$\[1\]\.paper\.title: the title is 1,600,000 characters long \(a title has at most 500\)/,
    },
  ],
  [
    'a title the index cannot hold once normalized',
    list({ title: '\uFDFA'.repeat(300) }),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 3, says: /the title normalizes to 9,900 bytes \(at most 2,000\)/ },
  ],
  [
    'a publication year −1000',
    list({ publishedAt: '-001000-01-01T00:00:00.000Z' }),
    {
      kind: 'rejected',
      code: 'SNAPSHOT_INVALID',
      line: 3,
      says: /\$\[1\]\.paper\.publishedAt: "-001000-01-01T00:00:00\.000Z" is before 1991, when arXiv began$/,
    },
  ],
  [
    'a publication year 10000',
    list({ publishedAt: '+010000-01-01T00:00:00.000Z' }),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 3, says: /\$\[1\]\.paper\.publishedAt: "\+010000-01-01T00:00:00\.000Z" is more than a day after/ },
  ],
  [
    'valid JSON that is null',
    'null\n',
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 1, says: 'JSON of another shape: null, expected the daily papers list (a JSON array) (line 1)' },
  ],
  [
    'valid JSON that is a bare string',
    '"daily papers"',
    {
      kind: 'rejected',
      code: 'SNAPSHOT_INVALID',
      line: 1,
      says: 'JSON of another shape: a string "daily papers", expected the daily papers list (a JSON array) (line 1)',
    },
  ],
  // more of the same family
  [
    'negative upvotes',
    list({ upvotes: -1 }),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 3, says: /\$\[1\]\.paper\.upvotes: "-1" is a negative number of upvotes$/ },
  ],
  [
    'a text upvote count of 99999999999',
    text('  • 3 authors\n·\nNov 2, 2026 99999999999'),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 13, says: /^entry 1 \(line 7\): "99999999999" is more than 10,000,000 upvotes/ },
  ],
  [
    'a text publication date in 1800',
    text('  • 3 authors\n·\nNov 2, 1800'),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 13, says: 'entry 1 (line 7): date "Nov 2, 1800" is before 1991, when arXiv began' },
  ],
  [
    'a text capture date with a year in the future',
    text('  • 3 authors\n·\nNov 2, 2026', 'Jun 10, 2030'),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 5, says: /^capture date at line 5: "Jun 10, 2030" is more than a day after the ingest clock/ },
  ],
  [
    'an item that is a number',
    '[\n  42\n]',
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 2, says: 'JSON of another shape: item 1 (line 2): expected object, received number' },
  ],
  [
    'a trailing comma',
    `[${JSON.stringify({ paper: { id: '2601.00003', title: 'X' } })},]`,
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 1, says: /^invalid JSON at line 1: Unexpected token '\]'/ },
  ],
  [
    'JSON cut off',
    '[{"paper": {"id": "2406.1", "title": "x"}},\n  {"paper": ',
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 2, says: /^invalid JSON at line 2/ },
  ],
  [
    'an API error object',
    '{"error": "Invalid date"}',
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 1, says: 'JSON of another shape: an error response ("Invalid date") (line 1)' },
  ],
  [
    'an HTML error page',
    '<!DOCTYPE html>\n<html><body>502</body></html>',
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 1, says: 'not a snapshot: the input looks like an HTML page, such as an error page (line 1)' },
  ],
  [
    'a NUL byte',
    Buffer.from('Daily Papers\n\nJun 10\n\x00'),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 4, says: 'binary input, not a snapshot: NUL byte at line 4' },
  ],
  [
    'invalid UTF-8',
    Buffer.from([0x44, 0x61, 0x69, 0x6c, 0x79, 0x0a, 0xff, 0xfe, 0x41, 0x0a]),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 2, says: 'binary input, not a snapshot: invalid UTF-8 at line 2' },
  ],
  ['an empty file', '', { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: null, says: 'empty input, not a snapshot' }],
  ['text that is no capture', 'hello\nworld\n', { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 1, says: /neither JSON nor a Daily Papers text capture/ }],
  [
    'more entries than SOURCE_MAX_ENTRIES (here 5)',
    JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ paper: { id: `2601.1000${i}`, title: `P${i}` } }))),
    { kind: 'rejected', code: 'SNAPSHOT_INVALID', line: 1, says: 'the list has 6 items, more than SOURCE_MAX_ENTRIES (5) (line 1)' },
  ],
  [
    'more bytes than SOURCE_MAX_BYTES',
    `[${' '.repeat(3_000_000)}]`,
    {
      kind: 'rejected',
      code: 'INPUT_TOO_LARGE',
      line: null,
      says: /^3,?000,002 bytes is over the limit of 2000000 \(SOURCE_MAX_BYTES\)$|^3000002 bytes is over the limit of 2000000 \(SOURCE_MAX_BYTES\)$/,
    },
  ],
  // not errors: an empty listing is a quiet day
  ['an empty list (a weekend)', '[]\n', { kind: 'quiet' }],
  ['a capture with a header and no entry', `${HEADER}Nov 22\n\n`, { kind: 'quiet' }],
];

describe('hostile inputs (PostgreSQL, both seeds stored)', () => {
  let t: TestDatabase;
  let deps: IngestDeps;
  let dir: string;
  const captured = capturingLogger();

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    deps = {
      prisma: t.db.prisma,
      sql: t.db.sql,
      log: captured.log,
      now: () => NOW,
      maxBytes: 2_000_000,
      timeoutMs: 5000,
      maxEntries: 5,
      countTextModel: () => countTextModel(t.db.sql),
    };
    const seeded = await ingestInputs({ ...deps, maxEntries: 100 }, [SEEDS]);
    expect(seeded.map((o) => o.kind)).toEqual(['ingested', 'ingested']);
    dir = path.join(t.dataDir, 'inputs');
    await mkdir(dir, { recursive: true });
  });
  afterAll(() => t?.close());

  it.each(CASES)('%s', async (name, content, expected) => {
    const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.input`);
    await writeFile(file, content);
    const before = await tableFingerprint(t.db.prisma);
    const outcome = await ingestOne(deps, file);
    expect(outcome.kind).toBe(expected.kind);
    if (expected.kind === 'rejected' && outcome.kind === 'rejected') {
      expect(outcome).toMatchObject({ code: expected.code, line: expected.line });
      if (typeof expected.says === 'string') expect(outcome.message).toBe(expected.says);
      else expect(outcome.message).toMatch(expected.says);
      const line = describeRejection(outcome);
      expect(line.startsWith(`${file}${expected.line ? `:${expected.line}` : ''}: `)).toBe(true);
      expect(line).not.toMatch(/\n/);
      expect(line.length).toBeLessThan(400);
    }
    expect(await tableFingerprint(t.db.prisma)).toEqual(before);
  });

  it('an abstract too long is cut with a warning, not refused', async () => {
    const file = path.join(dir, 'long-abstract.json');
    await writeFile(file, list({ summary: 'word '.repeat(4000) }));
    const outcome = await ingestOne(deps, file);
    expect(outcome.kind).toBe('ingested');
    expect((outcome as Extract<IngestOutcome, { kind: 'ingested' }>).warnings).toContain('item 2 (line 3): abstract of 19,999 characters cut to 10,000');
    const paper = await t.db.prisma.paper.findUnique({ where: { arxivId: '2601.00002' } });
    expect(paper!.abstract.length).toBeLessThanOrEqual(10_000);
  });

  it('invisible characters and a version suffix never split a paper: text capture then JSON is one paper', async () => {
    const title = 'Scal\u00ADing Laws for Zero\u200B-Width Joiners'; // as copied from a page: a soft hyphen, a zero-width space
    const captureFile = path.join(dir, 'soft-hyphen.txt');
    await writeFile(captureFile, `${HEADER}Nov 21\n\n${title.replace('Joiners', 'Join\u200Ders')}\n\nAn abstract.\n\n  • 2 authors\n·\nNov 20, 2026`);
    const first = await ingestOne(deps, captureFile);
    expect(first).toMatchObject({ kind: 'ingested', newPapers: 1 });
    const jsonFile = path.join(dir, 'with-id.json');
    await writeFile(
      jsonFile,
      JSON.stringify([
        {
          paper: { id: 'arXiv:2411.17243v2', title: '\uFEFFScaling Laws for Zero-Width Joiners', summary: 'An abstract.' },
          publishedAt: '2026-11-22T08:00:00.000Z',
        },
      ]),
    );
    const second = await ingestOne(deps, jsonFile);
    expect(second).toMatchObject({ kind: 'ingested', newPapers: 0, createdPapers: 0 });
    const rows = await t.db.prisma.paper.findMany({ where: { titleKey: 'scaling laws for zero width joiners' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ arxivId: '2411.17243', arxivVersion: 2, title: 'Scaling Laws for Zero-Width Joiners' });
    // v3 of the same paper later: still one paper, the version moves on
    await writeFile(
      jsonFile,
      JSON.stringify([{ paper: { id: '2411.17243v3', title: 'Scaling laws for zero\u2013width joiners' }, publishedAt: '2026-11-23T08:00:00.000Z' }]),
    );
    expect(await ingestOne(deps, jsonFile)).toMatchObject({ kind: 'ingested', newPapers: 0, createdPapers: 0 });
    expect(await t.db.prisma.paper.findUnique({ where: { arxivId: '2411.17243' } })).toMatchObject({ id: rows[0]!.id, arxivVersion: 3 });
  });

  it('a value that gets past the parser but not the database is a rejection, with nothing stored', async () => {
    const before = await tableFingerprint(t.db.prisma);
    const paper = {
      arxivId: null,
      arxivVersion: null,
      title: 'Unchecked',
      abstract: '',
      authorCount: 99_999_999_999,
      authors: [],
      organization: null,
      publishedOn: null,
      upvotes: null,
    };
    const stored = storeSnapshot(t.db, {
      parsed: { format: 'json', capturedAt: NOW, papers: [paper], truncated: false, warnings: [] },
      source: 'test',
      contentHash: 'unchecked',
    });
    await expect(stored).rejects.toBeInstanceOf(UnstorableSnapshotError);
    await expect(stored).rejects.toThrow('the database cannot hold a value of this snapshot: value "99999999999" is out of range for type integer');
    expect(await tableFingerprint(t.db.prisma)).toEqual(before);
  });
});

describe('hostile inputs through the CLI (PostgreSQL)', () => {
  let t: TestDatabase;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    env = { DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, SECRET_KEY: 'k'.repeat(32) };
  });
  afterAll(() => t?.close());

  it('a refused file: exit 1, one line on stderr with the file and line; the database unchanged', async () => {
    const file = path.join(t.dataDir, 'future.json');
    await writeFile(file, list({}, { publishedAt: '2030-01-01T00:00:00.000Z' }));
    const before = await tableFingerprint(t.db.prisma);
    const run = await runCli(['ingest', file], env);
    expect(run.code).toBe(1);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{')),
    ).toEqual([
      `paperboy: 1 of 1 input rejected: ${file}:3: item 2 (line 3): $[1].publishedAt: "2030-01-01T00:00:00.000Z" is more than a day after the ` +
        `ingest clock (${new Date().toISOString().slice(0, 10)}): a listing cannot come from the future`,
    ]);
    expect(await tableFingerprint(t.db.prisma)).toEqual(before);
  });

  it('a folder with a bad file in the middle: the files after it are ingested, exit 1 naming it', async () => {
    const folder = path.join(t.dataDir, 'folder');
    await mkdir(folder);
    await writeFile(
      path.join(folder, '1-good.json'),
      JSON.stringify([{ paper: { id: '2601.20001', title: 'Only Paper' }, publishedAt: '2026-11-20T08:00:00.000Z' }]),
    );
    await writeFile(path.join(folder, '2-bad.json'), list({ upvotes: 99999999999 }));
    await writeFile(
      path.join(folder, '3-good.json'),
      JSON.stringify([{ paper: { id: '2601.20002', title: 'Later Paper' }, publishedAt: '2026-11-21T08:00:00.000Z' }]),
    );
    await writeFile(path.join(folder, '4-quiet.json'), '[]');
    const run = await runCli(['ingest', folder], env);
    expect(run.code).toBe(1);
    const out = run.stdout
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('  warning: '));
    expect(out[0]).toMatch(/1-good\.json: snapshot \d+ captured 2026-11-20, 1 paper, 1 new$/);
    expect(out[1]).toMatch(/2-bad\.json:3: item 2 \(line 3\): \$\[1\]\.paper\.upvotes: .* — rejected, nothing stored$/);
    expect(out[2]).toMatch(/3-good\.json: snapshot \d+ captured 2026-11-21, 1 paper, 1 new$/);
    expect(out[3]).toMatch(/4-quiet\.json: an empty listing \(a quiet day, such as a weekend\): nothing stored/);
    expect(run.stderr).toMatch(/paperboy: 1 of 4 inputs rejected: .*2-bad\.json:3: /);
    expect(await t.db.prisma.snapshot.count()).toBe(2);

    await t.db.prisma.subscriber.create({
      data: { email: 'solo@example.org', emailKey: 'solo@example.org', topics: ['later paper'], status: 'active', tokenNonce: 'n' },
    });
    const dry = await runCli(['digest', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/1 new paper, 1 active subscriber, 1 delivery\b/);
  });

  it('a DATA_DIR/secret.key too short to sign with: exit 1, one line naming the file', async () => {
    const dataDir = path.join(t.dataDir, 'short-key');
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'secret.key'), 'abc');
    const run = await runCli(['ingest', SEEDS], { ...env, DATA_DIR: dataDir, SECRET_KEY: undefined });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `paperboy: ${path.join(dataDir, 'secret.key')}: the signing key is 3 characters, at least 16 are needed; delete the file to have a new ` +
        `one generated (links already mailed stop working) or set SECRET_KEY`,
    );
  });
});
