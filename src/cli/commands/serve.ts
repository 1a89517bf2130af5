import type { Command } from 'commander';
import path from 'node:path';
import { cliEnv } from '../run.ts';
import { createContext } from '../../app/context.ts';
import { displaySource } from '../../ingest/ingest-inputs.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the web pages, the admin API, /healthz and /metrics, the schedule and the sender: the main job')
    .action(async () => {
      const { config, log } = cliEnv();
      // Loaded here, not at the top: the web app's modules weigh ~30 MB that no other command needs.
      const { startService } = await import('../../app/service.ts');
      const ctx = await createContext(config, log);
      const service = await startService(ctx);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        void service.stop(signal).then(({ clean }) => process.exit(clean ? 0 : 1));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));

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
    });
}
