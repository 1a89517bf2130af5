import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { PRODUCT_NAME } from '../../config/product.ts';
import { subscriberLinks } from '../../deliver/links.ts';
import { previewSubscriberDigest } from '../../deliver/preview-subscriber.ts';
import { loadSnapshotDiff } from '../../diff/load-new-papers.ts';
import { latestSnapshot, getSnapshot } from '../../db/snapshots.ts';
import { compileTopic, indexPapers, matchTopics, splitByRanges, TopicError, type Range } from '../../match/index.ts';
import { plural } from '../../log/plural.ts';
import { CliError, withContext } from '../run.ts';

interface PreviewOptions {
  topic?: string[];
  out?: string;
  new?: boolean;
  json?: boolean;
  snapshot?: string;
}

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description("a subscriber's next digest as .html and .txt files, or which papers topics would catch (--topic)")
    .argument('[email]', "write this subscriber's next digest to files and print their paths")
    .option('-t, --topic <topic>', 'a topic line, e.g. "scaling laws" (repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option('--out <dir>', 'where the email preview files go (default DATA_DIR/previews)')
    .option('-n, --new', "only the snapshot's new papers (those not in the snapshot before it)")
    .option('--snapshot <id>', 'a given snapshot instead of the newest')
    .option('--json', 'print JSON instead of text')
    .action(async (email: string | undefined, options: PreviewOptions) => {
      if (email) return previewEmail(email, options);
      if (!options.topic?.length) throw new CliError('give a subscriber address or at least one --topic', 2);
      const topicLines = options.topic;
      const topics = topicLines.map((line) => {
        try {
          return compileTopic(line);
        } catch (err) {
          if (err instanceof TopicError) throw new CliError(`topic "${line}": ${err.message}`, 2);
          throw err;
        }
      });
      await withContext(async (ctx) => {
        const snapshot = options.snapshot ? await getSnapshot(ctx.db.prisma, Number(options.snapshot)) : await latestSnapshot(ctx.db.prisma);
        if (!snapshot)
          throw new CliError(options.snapshot ? `no snapshot ${options.snapshot}` : 'no snapshot yet: run `paperboy ingest <file|folder|url>` first');
        const diff = await loadSnapshotDiff(ctx.db, snapshot);
        const fresh = new Set(diff.newPaperIds);
        const papers = options.new ? diff.papers.filter((p) => fresh.has(p.id)) : diff.papers;
        const byId = new Map(papers.map((p) => [p.id, p]));
        const matches = matchTopics(topics, indexPapers(papers));

        if (options.json) {
          const rows = matches.map((m) => ({ ...byId.get(m.paperId)!, new: fresh.has(m.paperId), score: m.score, hits: m.hits }));
          process.stdout.write(`${JSON.stringify({ snapshot, papersConsidered: papers.length, matches: rows }, null, 2)}\n`);
          return 0;
        }
        const scope = options.new ? plural(papers.length, 'new paper') : `${plural(papers.length, 'paper')} (${fresh.size} new)`;
        const day = snapshot.capturedAt.toISOString().slice(0, 10);
        const out = [`snapshot ${snapshot.id} captured ${day}: ${scope}; ${matches.length} caught by ${topicLines.map((t) => `"${t}"`).join(', ')}`, ''];
        matches.forEach((m, i) => {
          const paper = byId.get(m.paperId)!;
          out.push(
            `${String(i + 1).padStart(2)}. ${mark(
              paper.title,
              m.hits.flatMap((h) => h.title),
            )}${fresh.has(paper.id) ? '  [new]' : ''}`,
          );
          for (const hit of m.hits) {
            const where = [hit.title.length ? 'title' : null, hit.abstract.length ? 'abstract' : null].filter(Boolean).join(' and ');
            out.push(`    matched "${hit.topic}" in the ${where}: ${hit.words.join(', ')}`);
          }
        });
        process.stdout.write(`${out.join('\n')}\n`);
        return 0;
      });
    });
}

async function previewEmail(email: string, options: PreviewOptions): Promise<void> {
  await withContext(async (ctx) => {
    const settings = { baseUrl: ctx.config.BASE_URL, productName: PRODUCT_NAME };
    const result = await previewSubscriberDigest(ctx.db, email, settings, (id) => subscriberLinks(ctx.tokens, ctx.config.BASE_URL, id), {
      sql: ctx.db.sql,
      textModels: ctx.textModels,
    });
    switch (result.kind) {
      case 'no-subscriber':
        throw new CliError(`no subscriber ${email}`);
      case 'no-snapshot':
        throw new CliError('no snapshot yet: run `paperboy ingest <file|folder|url>` first');
      case 'nothing':
        process.stdout.write(
          `${result.subscriber.email} would get nothing from snapshot ${result.snapshotId}: none of ` +
            `its ${plural(result.newPapers, 'new paper')} match their topics, or they were already mailed\n`,
        );
        return 0;
      case 'preview': {
        const dir = path.resolve(options.out ?? path.join(ctx.config.DATA_DIR, 'previews'));
        await mkdir(dir, { recursive: true });
        const base = path.join(dir, `digest-${result.snapshotId}-${result.subscriber.id}`);
        await writeFile(`${base}.html`, result.email.html);
        await writeFile(`${base}.txt`, result.email.text);
        process.stdout.write(
          `${result.subscriber.email}: ${plural(result.papers, 'paper')} (${result.source}), subject "${result.email.subject}"\n${base}.html\n${base}.txt\n`,
        );
        return 0;
      }
    }
  });
}

/** The matched words in bold on a terminal, in [brackets] elsewhere. */
function mark(text: string, ranges: Range[]): string {
  const [open, close] = process.stdout.isTTY ? ['\x1b[1m', '\x1b[22m'] : ['[', ']'];
  return splitByRanges(text, ranges)
    .map((piece) => (piece.hit ? `${open}${piece.text}${close}` : piece.text))
    .join('');
}
