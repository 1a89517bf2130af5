// The outbox Mailer (SMTP_URL unset): each message becomes one RFC 5322 .eml file under the outbox
// folder: the very bytes the SMTP Mailer would send (raw-message.ts), after a Return-Path line. A file appears whole or not at all: it is written
// under a temporary dot-name in the same folder, flushed, then hard-linked to its final name (which
// fails rather than overwrites if the name is taken, even by another process) and the temporary name
// removed. File systems without hard links fall back to rename.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { DkimSign } from './dkim.ts';
import { buildRaw } from './raw-message.ts';
import { SendError, type Mailer, type OutgoingMessage, type SendHooks, type SendReceipt } from './types.ts';

export interface OutboxMailerOptions {
  /** created if missing */
  dir: string;
  /** the clock for file names (tests pass a fixed one) */
  now?: () => Date;
  /** DKIM-sign every message (DKIM_DOMAIN) */
  dkim?: DkimSign | undefined;
}

/** "2026-06-10T081500.123Z": ISO time without colons (valid on every file system). */
function timestamp(date: Date): string {
  return date.toISOString().replace(/:/g, '');
}

/** The Message-ID's local part, reduced to characters safe in a file name. */
function localPart(messageId: string): string {
  const at = messageId.lastIndexOf('@');
  const local = (at > 0 ? messageId.slice(0, at) : messageId).replace(/[^A-Za-z0-9._+-]/g, '_');
  return local.slice(0, 120) || 'message';
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** Publishes `tmp` as `<base>.eml`, or `<base>-2.eml`, `-3` … if taken; returns the file name. */
async function publish(dir: string, tmp: string, base: string): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const name = n === 1 ? `${base}.eml` : `${base}-${n}.eml`;
    try {
      await link(tmp, path.join(dir, name));
      await unlink(tmp);
      return name;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') continue;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') {
        await rename(tmp, path.join(dir, name)); // no hard links here: best effort, still atomic
        return name;
      }
      throw err;
    }
  }
  throw new Error(`no free file name for ${base}.eml`);
}

export function createOutboxMailer({ dir, now = () => new Date(), dkim }: OutboxMailerOptions): Mailer {
  const outbox = path.resolve(dir);
  let ready: Promise<unknown> | null = null;

  async function write(message: OutgoingMessage, hooks: SendHooks): Promise<SendReceipt> {
    const built = await buildRaw(message, dkim); // throws SendError for a message that must not be built
    ready ??= mkdir(outbox, { recursive: true }).catch((err: unknown) => {
      ready = null; // try again next time (the folder may be fixed meanwhile)
      throw err;
    });
    await ready;
    // the return path a mailbox would show (the envelope sender: the VERP address when there is one)
    const raw = Buffer.concat([Buffer.from(`Return-Path: <${built.envelope.from}>\r\n`), built.raw]);
    if (hooks.signal?.aborted) throw new SendError('EABORTED', 'stopped before writing the message (shutting down)');
    if (hooks.beforeData) {
      // handed from here: the file is written only once the mark is recorded
      await hooks.beforeData().catch((err: unknown) => {
        throw Object.assign(new SendError('EHANDOVER', `the message was not handed over: ${(err as Error)?.message ?? String(err)}`), { cause: err });
      });
    }
    const base = `${timestamp(now())}-${localPart(message.messageId)}`;
    const tmp = path.join(outbox, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const file = await open(tmp, 'wx');
      try {
        await file.writeFile(raw);
        await file.sync();
      } finally {
        await file.close();
      }
      const name = await publish(outbox, tmp, base);
      return { response: `written to ${path.basename(outbox)}/${name}`, messageId: message.messageId };
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  return {
    kind: 'outbox',
    description: outbox,
    async send(message, hooks = {}) {
      try {
        return await write(message, hooks);
      } catch (err) {
        if (err instanceof SendError) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        // the file appears whole or not at all: a failed write published nothing
        throw new SendError('EOUTBOX', `could not write to the outbox ${outbox}: ${reason}`, null, null, hooks.beforeData ? 'in-data' : 'before-data');
      }
    },
    async close() {},
  };
}
