import type { Command } from 'commander';
import { trainReaderModelsDeps } from '../../app/deps.ts';
import type { AppContext } from '../../app/context.ts';
import { loadReaderModels } from '../../db/reader-models.ts';
import { findSubscriberByEmail } from '../../db/subscribers.ts';
import { TextModelCache } from '../../db/text-model.ts';
import { trainReaderModels } from '../../jobs/train-reader-models.ts';
import { decodeReaderModel, explainReaderModel, vocabularySize } from '../../relevance/index.ts';
import { plural } from '../../log/plural.ts';
import { progressBar } from '../progress.ts';
import { CliError, withContext } from '../run.ts';

export function registerRelevance(program: Command): void {
  const relevance = program.command('relevance').description('the text model and the reader models learned from feedback');
  relevance
    .command('train')
    .description('count new papers into the text model and train every reader who gave feedback since their model was trained')
    .action(async () => {
      await withContext(async (ctx) => {
        let bar: ReturnType<typeof progressBar> | null = null;
        const run = await trainReaderModels(trainReaderModelsDeps(ctx), {
          onBatch: (done, total) => (bar ??= progressBar(total, 'training')).update(done),
        });
        (bar as ReturnType<typeof progressBar> | null)?.stop();
        process.stdout.write(
          `text model: ${plural(run.documents, 'paper')} (${run.countedPapers} counted now); ${plural(run.readers, 'reader')} with new ` +
            `feedback, ${run.trained} trained` +
            `${run.trained ? `, largest model ${run.largestModelBytes} bytes` : ''} in ${run.ms} ms\n`,
        );
        return 0;
      });
    });
  relevance
    .command('status')
    .argument('[email]', 'a reader: what paperboy learned from their feedback')
    .description('the text model and the reader models; with an address, what was learned about that reader')
    .action(async (email?: string) => {
      await withContext(async (ctx) => {
        await (email ? describeReader(ctx, email) : describeModels(ctx));
        return 0;
      });
    });
}

async function describeModels(ctx: AppContext): Promise<void> {
  const model = await new TextModelCache().current(ctx.db.sql);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (!model) out('text model: nothing counted yet (ingest a snapshot, or run `paperboy relevance train`)');
  else
    out(
      `text model: ${plural(model.documents, 'paper')}, ${model.buckets} buckets (${Math.round((model.buckets * 4) / 1024)} ` +
        `KiB), ${vocabularySize(model)} in the vocabulary now`,
    );
  const { rows } = await ctx.db.sql.query<{ n: string; learned: string; mean: string | null; max: number | null }>(
    `SELECT count(*) AS n, count(model) AS learned, avg(bytes) FILTER (WHERE model IS NOT NULL) AS mean, max(bytes) AS max FROM reader_model`,
  );
  const r = rows[0]!;
  out(
    `reader models: ${r.learned} (of ${plural(Number(r.n), 'reader')} with ` +
      `feedback)${r.mean ? `, ${Math.round(Number(r.mean))} bytes on average, ${r.max} at most` : ''}`,
  );
}

async function describeReader(ctx: AppContext, email: string): Promise<void> {
  const subscriber = await findSubscriberByEmail(ctx.db.prisma, email);
  if (!subscriber) throw new CliError(`no subscriber ${email}`);
  const json = (await loadReaderModels(ctx.db.sql, [subscriber.id])).get(subscriber.id);
  if (!json) {
    process.stdout.write(`${email}: no model (no feedback on papers yet, or not yet trained: \`paperboy relevance train\`): topics alone\n`);
    return;
  }
  const model = decodeReaderModel(json);
  const { for: pro, against } = explainReaderModel(model);
  process.stdout.write(
    `${email}: ${plural(model.positives, 'paper')} marked more like this, ${model.negatives} not relevant\n` +
      `  for:     ${pro.map((t) => t.term).join(', ') || '—'}\n  against: ${against.map((t) => t.term).join(', ') || '—'}\n`,
  );
}
