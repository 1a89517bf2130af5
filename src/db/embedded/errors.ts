/** The embedded database could not be created, started or used: the message says what to do. */
export class EmbeddedDatabaseError extends Error {
  readonly code: string;
  constructor(message: string, code = 'EMBEDDED_DB_UNAVAILABLE') {
    super(message);
    this.code = code;
  }
}
