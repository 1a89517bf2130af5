import type { Command } from 'commander';
import path from 'node:path';
import type { Service } from '../../app/service.ts';
import { cliEnv } from '../run.ts';
import { createContext } from '../../app/context.ts';
import { startedByNpm } from '../../config/config.ts';
import { displaySource } from '../../ingest/ingest-inputs.ts';
import { sourceCheckLine } from '../source-line.ts';

/** How often a process started through npm checks that the process that started it is still there. */
const PARENT_CHECK_MS = 500;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the web pages, the admin API, /healthz and /metrics, the schedule and the sender: the main job')
    .action(async () => {
      const { config, log } = cliEnv();
      // Signals are taken from the first moment: one that arrives while starting stops the service
      // as soon as it is up (never a half-started process killed in the middle of a migration).
      let service: Service | null = null;
      let stopRequested: string | null = null;
      let stopping = false;
      const stop = (reason: string) => {
        stopRequested ??= reason;
        if (!service || stopping) return;
        stopping = true;
        service.stop(reason).then(
          ({ clean }) => process.exit(clean ? 0 : 1),
          (err: unknown) => {
            log.error({ event: 'service.stop_failed', err }, 'stopping failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGHUP', () => stop('SIGHUP'));
      if (startedByNpm()) {
        // `npx paperboy serve`: npm passes SIGTERM to the shell it started, which dies without passing it
        // on; this process is then re-parented. Its parent going away means: stop, as on SIGTERM.
        const parent = process.ppid;
        setInterval(() => process.ppid !== parent && stop('parent process exited'), PARENT_CHECK_MS).unref();
      }

      // Loaded here, not at the top: the web app's modules weigh ~30 MB that no other command needs.
      const { startService } = await import('../../app/service.ts');
      const ctx = await createContext(config, log);
      try {
        service = await startService(ctx, { ingestOnStart: stopRequested === null });
      } catch (err) {
        // a start that fails (PORT in use …) leaves as a stop does: the database closed, and the
        // embedded server stopped when this was its last member — one line, exit 1 (run.ts fail)
        await ctx.close();
        throw err;
      }
      if (stopRequested) return stop(stopRequested);

      const next = service.scheduler.nextRuns();
      const mail = config.SMTP_URL ? `via ${ctx.mailer.description}` : `written to ${path.join(config.DATA_DIR, 'outbox')} (set SMTP_URL to send)`;
      const lines = [
        `paperboy is running (${ctx.db.description})`,
        `  pages      ${service.url}/`,
        `  health     ${service.url}/healthz   metrics ${service.url}/metrics`,
        `  admin API  ${config.ADMIN_TOKEN ? `${service.url}/admin (Bearer ADMIN_TOKEN)` : 'off (set ADMIN_TOKEN)'}`,
        `  mail       ${mail}`,
        `  source     ${displaySource(config.SNAPSHOT_SOURCE)}: next ingest ${next.ingest ?? '?'}, next digest ${next.digest ?? '?'} (${config.CRON_TZ})`,
        `  logs       one JSON line per event on stderr (LOG_LEVEL=${config.LOG_LEVEL})`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      await service.ready;
      // what the start-up check found: plainly, when the live source cannot be reached
      if (!stopRequested) process.stdout.write(`${await sourceCheckLine(ctx).catch(() => '  source     could not read what the start-up check found')}\n`);
    });
}
