// The Mailer: what the delivery step needs of a transport, and the errors it branches on.

export interface OutgoingMessage {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** without angle brackets: "delivery-123.1@papers.example.org" */
  messageId: string;
  /** extra headers: List-Unsubscribe, List-Unsubscribe-Post, List-Id … (no CR/LF in values) */
  headers: Record<string, string>;
  /** the envelope sender (MAIL FROM, the return path): a VERP address; default the From address */
  returnPath?: string;
}

export interface SendReceipt {
  /** the SMTP server's final reply ("250 2.0.0 Ok: queued as …"), or the outbox file */
  response: string;
  messageId: string;
}

/** Stable codes, after nodemailer's own (lib/errors.js) where it has one. */
export type SendErrorCode =
  | 'ECONNECTION' // could not connect, or the connection dropped
  | 'ETIMEDOUT' // a step took longer than SMTP_TIMEOUT
  | 'EENVELOPE' // the server refused the sender or the recipient
  | 'EMESSAGE' // the server refused the message data
  | 'EAUTH' // authentication failed
  | 'ETLS'
  | 'EPROTOCOL'
  | 'EOUTBOX' // writing the .eml file failed
  | 'EABORTED' // this process stopped the send (shutting down)
  | 'EHANDOVER' // the handed mark could not be recorded: the message data was never sent
  | 'EUNKNOWN';

/**
 * Where a failed send stopped, which decides what the relay may have:
 *   before-data  nothing of the message went out (connect, greeting, MAIL FROM, RCPT TO, DATA refused …)
 *   in-data      part of the message data went out, never its final "." — the relay discards it
 *   after-data   the whole message and its final "." went out: a reply (4xx/5xx) is definite,
 *                no reply (timeout, dropped connection, stopped waiting) means the outcome is unknown
 */
export type SendStage = 'before-data' | 'in-data' | 'after-data';

export class SendError extends Error {
  constructor(
    readonly code: SendErrorCode,
    message: string,
    /** the SMTP reply code, when the server answered (421, 451, 550 …) */
    readonly responseCode: number | null = null,
    /** the SMTP server's reply text, when it answered */
    readonly response: string | null = null,
    /** where it stopped (see SendStage); before-data when unsaid */
    readonly stage: SendStage = 'before-data',
    /** what was said over SMTP last: for an unknown outcome, what the operator checks the relay's log with */
    readonly exchange: string | null = null,
  ) {
    super(message);
    this.name = 'SendError';
  }

  /** The message data ended and no reply came: the relay may or may not have it. Never retried automatically. */
  get unknownOutcome(): boolean {
    return this.stage === 'after-data' && this.responseCode === null;
  }

  /** 5xx: the same message will never be accepted; fail at once. */
  get permanent(): boolean {
    return this.responseCode !== null && this.responseCode >= 500;
  }

  /** A copy that says where the send stopped. */
  at(stage: SendStage, exchange: string | null = this.exchange): SendError {
    const copy = new (this.constructor as typeof SendError)(this.code, this.message, this.responseCode, this.response, stage, exchange);
    copy.stack = this.stack;
    return copy;
  }

  /** a permanent refusal of the recipient (5xx on RCPT TO, e.g. 550 user unknown): a hard bounce */
  get hardBounce(): boolean {
    return this.permanent && this.code === 'EENVELOPE';
  }

  /** "smtp:550" or "ECONNECTION": what a failed delivery row stores and metrics count */
  get storedCode(): string {
    return this.responseCode !== null ? `smtp:${this.responseCode}` : this.code;
  }
}

export interface SendHooks {
  /**
   * Called once the relay accepted the envelope, just before the first byte of message data goes
   * out; the data waits for it. If it rejects, the message is abandoned before any data (a
   * SendError EHANDOVER at stage before-data): the relay gets nothing it could deliver.
   */
  beforeData?: () => Promise<void>;
  /** Stops the send: before the end of the data nothing is delivered; after it, the outcome is unknown. */
  signal?: AbortSignal;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** where mail goes, for people: "smtp://relay:587" (no password) or the outbox folder */
  readonly description: string;
  /** resolves when the server accepted the message; rejects with SendError otherwise */
  send(message: OutgoingMessage, hooks?: SendHooks): Promise<SendReceipt>;
  close(): Promise<void>;
}
