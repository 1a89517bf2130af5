// Typed JSON bodies for the tests: a response body (supertest's `body`) or parsed JSON read as the
// type src sends, after JSON: `Json<T>` is what `JSON.stringify` makes of a T (a Date becomes its ISO
// string). Reading a body as a type asserts nothing; the expectations that follow do.
import type { SourceHealth } from '../../src/jobs/source-health.ts';

export type Json<T> = T extends Date
  ? string
  : T extends bigint
    ? never
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/** The body every JSON error of the admin API and the pages' JSON routes carries (web/http-errors.ts). */
export interface ApiError {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** GET /healthz (web/health.ts); a database that does not answer leaves out all but status, reasons and database. */
export interface Health {
  status: 'ok' | 'degraded' | 'down';
  reasons: string[];
  database: { kind: string; ok: boolean; ms?: number };
  source?: Json<SourceHealth> | null;
  lastIngest?: { status: string; startedAt: string; finishedAt: string | null } | null;
  lastDigest?: { id: number; snapshotId: number; status: string; deliveryCount: number; buildReaders: number; buildReadersTotal: number | null } | null;
  deliveries?: { queued: number; claimed: number; handed: number; unknown: number };
  workers?: number;
}

/** A page of a listing: its items and the id to continue after (null: the last page). */
export interface Page<T> {
  items: Json<T>[];
  next: number | null;
}

/** A response's body as the JSON of a T. */
export const bodyOf = <T>(res: { body: unknown }): Json<T> => res.body as Json<T>;

/** A response's JSON error. */
export const errorOf = (res: { body: unknown }): ApiError['error'] => (res.body as ApiError).error;

/** JSON text parsed as the JSON of a T. */
export const parseJson = <T>(text: string): Json<T> => JSON.parse(text) as Json<T>;
