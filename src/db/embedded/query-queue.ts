// The embedded PostgreSQL (PGlite) has ONE backend: every socket connection of every process shares
// it, one protocol message at a time. This queue decides whose message runs next.
//
// pglite-socket's own queue keeps the backend to one connection only while an explicit transaction
// is open. That is not enough: node-postgres sends a parameterised query as Parse, Bind, Describe,
// Execute, Sync — outside a transaction block — and if another connection's Parse lands between
// them, the first connection binds the other's unnamed statement. So here a connection also owns
// the backend from its first extended-protocol message until its Sync. Its queue also stops dead
// on the first failed message; this one answers the failure and goes on.
import type { PGlite } from '@electric-sql/pglite';

interface Item {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

/** Message types that leave an extended-protocol exchange open until Sync (and CopyData). */
const OPENS_EXCHANGE = new Set(['P', 'B', 'D', 'E', 'C', 'H', 'd']);
const STARTUP_PROTOCOL = 196608;
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

function messageType(message: Uint8Array): string | null {
  if (message.length >= 8) {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    if (view.getInt32(4) === STARTUP_PROTOCOL) return null;
  }
  return message.length > 0 ? String.fromCharCode(message[0]!) : null;
}

/** Same surface as pglite-socket's QueryQueueManager, which PGLiteSocketHandler calls. */
export class ProtocolAwareQueryQueue {
  private queue: Item[] = [];
  private processing = false;
  /** the connection the backend belongs to until its transaction or extended exchange ends */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error('connection closed'));
      return false;
    });
  }

  /** A connection went away: roll back what it left open and hand the backend on. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    // End a half-sent exchange (the backend may be skipping messages until a Sync), then any
    // transaction. (exec takes PGlite's query lock itself: it must not run inside runExclusive.)
    await this.db.runExclusive(() => this.db.execProtocolRaw(SYNC)).catch(() => undefined);
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK').catch(() => undefined);
    this.owner = null;
    void this.process();
  }

  private next(): Item | undefined {
    if (this.owner === null) return this.queue.shift();
    const index = this.queue.findIndex((item) => item.handlerId === this.owner);
    return index === -1 ? undefined : this.queue.splice(index, 1)[0];
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let item = this.next(); item; item = this.next()) {
        const type = messageType(item.message);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (err) {
          item.reject(err);
        }
        const open = this.db.isInTransaction() || (type !== null && OPENS_EXCHANGE.has(type));
        this.owner = open ? item.handlerId : null;
      }
    } finally {
      this.processing = false;
    }
  }
}
