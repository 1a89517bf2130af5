import type { Command } from 'commander';
import { loadSnapshotDiff } from '../../diff/load-new-papers.ts';
import { latestSnapshot, getSnapshot } from '../../db/snapshots.ts';
import { compileTopic, indexPapers, matchTopics, splitByRanges, TopicError, type Range } from '../../match/index.ts';
import { CliError, withContext } from '../run.ts';

interface PreviewOptions {
  topic: string[];
  new?: boolean;
  json?: boolean;
  snapshot?: string;
}

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description('show which papers of the newest snapshot topics would catch, and why')
    .requiredOption('-t, --topic <topic>', 'a topic line, e.g. "scaling laws" (repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option('-n, --new', "only the snapshot's new papers (those not in the snapshot before it)")
    .option('--snapshot <id>', 'a given snapshot instead of the newest')
    .option('--json', 'print JSON instead of text')
    .action(async (options: PreviewOptions) => {
      const topics = options.topic.map((line) => {
        try {
          return compileTopic(line);
        } catch (err) {
          if (err instanceof TopicError) throw new CliError(`topic "${line}": ${err.message}`, 2);
          throw err;
        }
      });
      await withContext(async (ctx) => {
        const snapshot = options.snapshot ? await getSnapshot(ctx.db.prisma, Number(options.snapshot)) : await latestSnapshot(ctx.db.prisma);
        if (!snapshot) throw new CliError(options.snapshot ? `no snapshot ${options.snapshot}` : 'no snapshot yet: run `paperboy ingest <file|folder|url>` first');
        const diff = await loadSnapshotDiff(ctx.db.prisma, snapshot);
        const fresh = new Set(diff.newPaperIds);
        const papers = options.new ? diff.papers.filter((p) => fresh.has(p.id)) : diff.papers;
        const byId = new Map(papers.map((p) => [p.id, p]));
        const matches = matchTopics(topics, indexPapers(papers));

        if (options.json) {
          const rows = matches.map((m) => ({ ...byId.get(m.paperId)!, new: fresh.has(m.paperId), score: m.score, hits: m.hits }));
          process.stdout.write(`${JSON.stringify({ snapshot, papersConsidered: papers.length, matches: rows }, null, 2)}\n`);
          return 0;
        }
        const scope = options.new ? `${papers.length} new papers` : `${papers.length} papers (${fresh.size} new)`;
        const day = snapshot.capturedAt.toISOString().slice(0, 10);
        const out = [`snapshot ${snapshot.id} captured ${day}: ${scope}; ${matches.length} caught by ${options.topic.map((t) => `"${t}"`).join(', ')}`, ''];
        matches.forEach((m, i) => {
          const paper = byId.get(m.paperId)!;
          out.push(`${String(i + 1).padStart(2)}. ${mark(paper.title, m.hits.flatMap((h) => h.title))}${fresh.has(paper.id) ? '  [new]' : ''}`);
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

/** The matched words in bold on a terminal, in [brackets] elsewhere. */
function mark(text: string, ranges: Range[]): string {
  const [open, close] = process.stdout.isTTY ? ['\x1b[1m', '\x1b[22m'] : ['[', ']'];
  return splitByRanges(text, ranges)
    .map((piece) => (piece.hit ? `${open}${piece.text}${close}` : piece.text))
    .join('');
}
