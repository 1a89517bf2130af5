// compose.yaml as Docker Compose reads it: PostgreSQL 18 with a health check paperboy waits for,
// paperboy from this Dockerfile on that database, a stop grace longer than SHUTDOWN_TIMEOUT (as the
// README says), an init process, the same SECRET_KEY on every replica, and room for two replicas.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/config/parsers.ts';
import { variables } from '../../../src/config/variables.ts';

const root = path.resolve(import.meta.dirname, '../../..');
/** The parts of a Compose service these tests read (each may be absent: the expectations say which must be there). */
interface Service {
  image?: string;
  build?: string;
  healthcheck?: { test: string[] };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  init?: boolean;
  stop_signal?: string;
  stop_grace_period?: string;
  ports?: string[];
}
const compose = parse(readFileSync(path.join(root, 'compose.yaml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };

describe('compose.yaml', () => {
  it('PostgreSQL 18, healthy before paperboy starts, its data in a volume', () => {
    const pg = compose.services.postgres!;
    expect(pg.image).toMatch(/^postgres:18(\b|$)/);
    expect(pg.healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    expect(pg.volumes).toContain('postgres:/var/lib/postgresql'); // 18's image keeps PGDATA below it
    expect(compose.services.paperboy?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('paperboy from the Dockerfile on that database, stopped as the README says', () => {
    const app = compose.services.paperboy!;
    expect(app.build).toBe('.');
    expect(app.environment?.DATABASE_URL).toMatch(/^postgres:\/\/paperboy:\$\{POSTGRES_PASSWORD\}@postgres:5432\/paperboy$/);
    expect(app.environment?.SECRET_KEY).toMatch(/^\$\{SECRET_KEY:\?/); // required: one key for every replica
    expect(app.init).toBe(true);
    expect(app.stop_signal).toBe('SIGTERM');
    const grace = parseDuration(app.stop_grace_period ?? '')!;
    expect(grace).toBeGreaterThanOrEqual(parseDuration(String(variables.SHUTDOWN_TIMEOUT.example))! + 5_000);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`stop_grace_period: ${app.stop_grace_period}`);
    expect(readme).toContain(`--stop-timeout ${grace / 1000}`);
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/^STOPSIGNAL SIGTERM$/m);
  });

  it('two replicas can run side by side: a published port each, the data volume shareable', () => {
    const [published] = compose.services.paperboy?.ports ?? [];
    const range = /^127\.0\.0\.1:(\d+)-(\d+):3000$/.exec(published!);
    expect(range).not.toBeNull();
    expect(Number(range![2]) - Number(range![1]) + 1).toBeGreaterThanOrEqual(2);
    expect(compose.services.paperboy?.volumes).toEqual(['paperboy-data:/app/data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['paperboy-data', 'postgres']);
  });
});
