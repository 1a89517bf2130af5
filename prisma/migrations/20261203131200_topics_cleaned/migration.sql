-- Stored topics get the cleaning stored titles get (src/ingest/clean-text.ts cleanText), as the
-- subscribe and preferences forms now give a topic before storing it: bidi controls and zero-width
-- characters out, control characters and runs of whitespace one space, trimmed (no NFC: that
-- changes how a topic looks to nobody). A topic left empty goes; of two that became the same
-- (ignoring case) the first stays. Muted topics the same way, so a muted topic still names its
-- topic. Only rows with something to clean are written. Data only: the schema does not change.
CREATE FUNCTION pg_temp.paperboy_clean_topics(topics TEXT[]) RETURNS TEXT[] LANGUAGE sql STRICT AS $$
  SELECT COALESCE(array_agg(topic ORDER BY n), ARRAY[]::TEXT[])
    FROM (SELECT DISTINCT ON (lower(topic)) topic, n
            FROM (SELECT btrim(regexp_replace(regexp_replace(regexp_replace(raw,
                           '[\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]', '', 'g'),
                           '[\u0001-\u0008\u000E-\u001F\u007F-\u009F]', ' ', 'g'),
                           '[\u0009-\u000D\u0020\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+', ' ', 'g')) AS topic, n
                    FROM unnest(topics) WITH ORDINALITY AS u(raw, n)) cleaned
           WHERE topic <> ''
           ORDER BY lower(topic), n) kept
$$;

UPDATE "subscriber"
   SET "topics" = pg_temp.paperboy_clean_topics("topics"),
       "muted_topics" = pg_temp.paperboy_clean_topics("muted_topics")
 WHERE "topics" IS DISTINCT FROM pg_temp.paperboy_clean_topics("topics")
    OR "muted_topics" IS DISTINCT FROM pg_temp.paperboy_clean_topics("muted_topics");

DROP FUNCTION pg_temp.paperboy_clean_topics(TEXT[]);
