// The monitoring kit: /metrics passes `promtool check metrics`, the alert rules pass `promtool check
// rules` and their unit tests (`promtool test rules`), and every paperboy metric the rules and the
// Grafana dashboard use is one /metrics really serves. promtool comes from Debian's prometheus
// package (.ci/run installs it; without it, and outside CI, this file is skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, ingestSeeds, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const PROMTOOL = '/usr/bin/promtool';
const OPS = path.resolve(import.meta.dirname, '../../../ops');
const skip = !existsSync(PROMTOOL) && !process.env.PAPERBOY_REQUIRE_TOOLS; // .ci/run requires them: there, missing fails instead of skipping

function promtool(args: string[], input?: string) {
  const r = spawnSync(PROMTOOL, args, { input, encoding: 'utf8', cwd: path.join(OPS, 'prometheus') });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

describe.skipIf(skip)('monitoring kit', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let text: string;

  beforeAll(async () => {
    sink = await startSmtpSink({ behaviour: { rejectRecipients: { 'gone@example.org': 550 } } });
    app = await startTestApp('postgres', { SMTP_URL: sink.url, BOUNCE_DOMAIN: 'bounce.papers.example.org' });
    await ingestSeeds(app);
    await addSubscribers(app, [
      ['alice@example.org', ['scaling laws']],
      ['gone@example.org', ['scaling laws']],
    ]);
    await buildDigest(digestDeps(app.ctx));
    await sendNow(app); // every kind of sample: histograms, labelled counters, gauges
    const http = createWebApp(app.ctx, { requestLog: false });
    await request(http).get('/healthz');
    text = (await request(http).get('/metrics')).text;
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it('serves /metrics that promtool check metrics accepts', () => {
    const r = promtool(['check', 'metrics'], text);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
    expect(text).not.toMatch(/^paperboy_nodejs_active_handles_total /m);
    expect(text).toMatch(/^paperboy_nodejs_active_handles\{type="/m);
  });

  it('ships alert rules that load and pass their unit tests', () => {
    const check = promtool(['check', 'rules', 'alerts.yml']);
    expect(check.out).toContain('SUCCESS: 11 rules found');
    expect(check.status).toBe(0);
    const test = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(test.out).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it('uses only metrics that exist, in the rules and in the Grafana dashboard', () => {
    const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const family = (name: string) => name.replace(/_(bucket|count|sum)$/, '');
    const used = (source: string) => new Set([...source.matchAll(/\bpaperboy_[a-z0-9_]+/g)].map((m) => m[0]));
    const dashboard = readFileSync(path.join(OPS, 'grafana/paperboy.json'), 'utf8');
    const exprs = (JSON.parse(dashboard) as { panels: Array<{ targets: Array<{ expr: string }> }> }).panels
      .flatMap((p) => p.targets.map((t) => t.expr))
      .join('\n');
    const names = [...used(readFileSync(path.join(OPS, 'prometheus/alerts.yml'), 'utf8')), ...used(exprs)];
    expect(names.length).toBeGreaterThan(15);
    const missing = names.filter((n) => !served.has(n) && !served.has(family(n)));
    expect(missing).toEqual([]);
  });
});
