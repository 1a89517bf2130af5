// The dashboard's Resend of a sent delivery (issue 19, finding 5): one click asks first (a second copy
// reaches the reader), and the same form posted twice at once — a double click — resends once: one
// more message at a real SMTP sink, not two.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeps } from '../../../src/app/deps.ts';
import { buildDigest } from '../../../src/digest/build-digest.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { addSubscribers, ingestSeeds, SEEDS, sendNow, startTestApp, type TestApp } from '../../support/app.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const TOKEN = 'dashboard-resend-admin-token-0123';

const unescape = (v: string) =>
  v
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The forms of a page posting to `action`: their hidden fields and their button. */
function forms(page: string, action: RegExp): Array<{ action: string; fields: Record<string, string>; button: string }> {
  return [...page.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)]
    .filter((f) => action.test(f[1]!))
    .map((f) => ({
      action: f[1]!,
      fields: Object.fromEntries([...f[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, unescape(m[2]!)])),
      button: /<button[^>]*>([^<]*)<\/button>/.exec(f[2]!)?.[1] ?? '',
    }));
}

describe('dashboard: resending a sent delivery (PostgreSQL, SMTP)', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let http: ReturnType<typeof createWebApp>;
  let cookie: string;
  let digestId: number;
  const alice = () => app.ctx.db.prisma.delivery.findFirstOrThrow({ where: { digestId, subscriber: { email: 'alice@example.org' } } });

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp('postgres', { SMTP_URL: sink.url, ADMIN_TOKEN: TOKEN, SNAPSHOT_SOURCE: SEEDS });
    await ingestSeeds(app);
    await addSubscribers(app, [['alice@example.org', ['scaling laws']]]);
    const built = await buildDigest(digestDeps(app.ctx));
    digestId = built.kind === 'built' ? built.digest!.id : 0;
    expect(await sendNow(app)).toMatchObject({ sent: 1 });
    http = createWebApp(app.ctx, { requestLog: false });
    const login = await request(http).post('/admin/ui/login').type('form').send({ token: TOKEN }).expect(303);
    cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('paperboy_admin='))!
      .split(';')[0]!;
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it('one click on Resend… of a sent delivery asks first; nothing is queued', async () => {
    const page = await request(http).get(`/admin/ui/digests/${digestId}`).set('Cookie', cookie).expect(200);
    const [resend] = forms(page.text, /\/resend-one$/);
    expect(resend).toMatchObject({ button: 'Resend…', fields: { email: 'alice@example.org', attempt: '1' } });
    const asked = await request(http).post(resend!.action).set('Cookie', cookie).type('form').send(resend!.fields).expect(200);
    expect(asked.text).toContain('Resend a sent digest?');
    expect(asked.text).toMatch(/Resending mails the reader a second copy/);
    expect(await alice()).toMatchObject({ status: 'sent', attempt: 1 });
    const [confirm] = forms(asked.text, /\/resend-one$/);
    expect(confirm).toMatchObject({ button: 'Resend it', fields: { confirm: 'yes', attempt: '1', email: 'alice@example.org' } });
  });

  it('the confirmation posted twice at once (a double click) resends once: one more message, not two', async () => {
    const page = await request(http).get(`/admin/ui/digests/${digestId}`).set('Cookie', cookie).expect(200);
    const [resend] = forms(page.text, /\/resend-one$/);
    const asked = await request(http).post(resend!.action).set('Cookie', cookie).type('form').send(resend!.fields).expect(200);
    const [confirm] = forms(asked.text, /\/resend-one$/);
    const click = () => request(http).post(confirm!.action).set('Cookie', cookie).type('form').send(confirm!.fields);
    const answers = await Promise.all([click(), click()]);
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    const notices = answers.map((a) => decodeURIComponent(new URL(a.headers.location!, 'http://x').searchParams.get('done') ?? ''));
    expect(notices.sort()).toEqual([
      'Re-queued the delivery to alice@example.org.',
      'The delivery to alice@example.org was already resent (attempt 2): not again.',
    ]);
    const before = sink.messages.length;
    expect(await sendNow(app)).toMatchObject({ sent: 1 });
    expect(sink.messages.length - before).toBe(1);
    expect(sink.messages.at(-1)!.messageId).toBe(`delivery-${(await alice()).id}.2@localhost`);

    // the same form once more, after that copy went out: already done, nothing more
    const late = await click();
    expect(decodeURIComponent(new URL(late.headers.location!, 'http://x').searchParams.get('done') ?? '')).toBe(
      'The delivery to alice@example.org was already resent (attempt 2): not again.',
    );
    expect(await sendNow(app)).toMatchObject({ sent: 0 });
    expect(await alice()).toMatchObject({ status: 'sent', attempt: 2 });
  });
});
