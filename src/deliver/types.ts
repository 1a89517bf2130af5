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
  | 'EUNKNOWN';

export class SendError extends Error {
  constructor(
    readonly code: SendErrorCode,
    message: string,
    /** the SMTP reply code, when the server answered (421, 451, 550 …) */
    readonly responseCode: number | null = null,
    /** the SMTP server's reply text, when it answered */
    readonly response: string | null = null,
  ) {
    super(message);
    this.name = 'SendError';
  }

  /** 5xx: the same message will never be accepted; fail at once. */
  get permanent(): boolean {
    return this.responseCode !== null && this.responseCode >= 500;
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

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** where mail goes, for people: "smtp://relay:587" (no password) or the outbox folder */
  readonly description: string;
  /** resolves when the server accepted the message; rejects with SendError otherwise */
  send(message: OutgoingMessage): Promise<SendReceipt>;
  close(): Promise<void>;
}
