// The text model kept in the database: every paper stored since the last count counted into it, with
// this stage's terms (db/text-model.ts holds the row and its lock). Run after an ingest (wired in by
// app/deps.ts) and by the reader-model job before a digest.
import type { Sql } from '../db/database.ts';
import { countIntoTextModel, type CountResult } from '../db/text-model.ts';
import { addPapers } from './text-model.ts';

export function countTextModel(sql: Sql): Promise<CountResult> {
  return countIntoTextModel(sql, addPapers);
}
