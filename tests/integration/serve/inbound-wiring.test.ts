// `serve` with BOUNCE_SMTP_PORT runs the bounce receiver (greets on its port, closes on stop) and with
// SES_SNS_TOPIC_ARN mounts POST /webhooks/ses; without them, neither exists.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startService } from '../../../src/app/service.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';

const greeting = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('data', (d) => {
      resolve(d.toString());
      socket.destroy();
    });
    socket.once('error', reject);
  });

describe('serve and the inbound side', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close().catch(() => undefined);
    app = undefined;
  });

  it('runs the receiver and the SES webhook when configured', async () => {
    app = await startTestApp('postgres', {
      PORT: '0',
      HOST: '127.0.0.1',
      BOUNCE_DOMAIN: 'bounce.papers.example.org',
      BOUNCE_SMTP_PORT: '0',
      BOUNCE_SMTP_HOST: '127.0.0.1',
      SES_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:ses',
    });
    const service = await startService(app.ctx, { ingestOnStart: false });
    const port = service.receiver!.port;
    expect(await greeting(port)).toMatch(/^220 bounce\.papers\.example\.org ESMTP paperboy bounce receiver/);
    const res = await fetch(`${service.url}/webhooks/ses`, { method: 'POST', body: 'not json', headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(await service.stop('test')).toEqual({ clean: true });
    await expect(greeting(port)).rejects.toThrow(/ECONNREFUSED/);
    app = undefined; // stop closed the context
  });

  it('has neither without them', async () => {
    app = await startTestApp('postgres', { PORT: '0', HOST: '127.0.0.1' });
    const service = await startService(app.ctx, { ingestOnStart: false });
    expect(service.receiver).toBeNull();
    expect((await fetch(`${service.url}/webhooks/ses`, { method: 'POST', body: '{}' })).status).toBe(404);
    await service.stop('test');
    app = undefined;
  });
});
