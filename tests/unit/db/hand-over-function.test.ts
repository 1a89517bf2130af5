// The hand-over runs in the database as paperboy_hand_over, created by a migration from the text that
// src/db/hand-over.ts generates from the delivery state machine. The last migration that writes the
// function must hold that text exactly: a change to a guard, a status list or the never-twice check
// without a new migration fails here.
import { describe, expect, it } from 'vitest';
import { handOverFunction } from '../../../src/db/hand-over.ts';
import { readMigrations } from '../../../src/db/migrate.ts';

describe('paperboy_hand_over', () => {
  it('is created by the latest migration that writes it, exactly as hand-over.ts generates it', async () => {
    const writing = (await readMigrations()).filter((m) => m.sql.includes('FUNCTION "paperboy_hand_over"'));
    expect(writing.length).toBeGreaterThan(0);
    expect(writing.at(-1)!.sql).toContain(`${handOverFunction()};`);
  });

  it('takes the locks in a statement before the check, so the check sees what committed while it waited', () => {
    const text = handOverFunction();
    const lock = text.indexOf('pg_advisory_xact_lock');
    const check = text.indexOf('RETURN QUERY');
    expect(lock).toBeGreaterThan(0);
    expect(check).toBeGreaterThan(lock);
    expect(text.slice(lock, check)).toContain(';');
    expect(text).toContain('LANGUAGE plpgsql');
    expect(text).not.toMatch(/\b(STABLE|IMMUTABLE)\b/);
  });
});
