-- The hand-over (src/db/hand-over.ts, markHanded) as one function, called as one statement: the
-- advisory lock per reader, then the never-twice check and the guarded claimed → handed update in a
-- statement of their own (a snapshot taken after the locks), all in the caller's transaction. One
-- round trip and one statement instead of BEGIN, two statements and COMMIT, and its plans are kept
-- per connection (bench/README.md, send). Written by hand: the text below is handOverFunction() of
-- src/db/hand-over.ts, generated from the delivery state machine; tests/unit/db/hand-over-function.test.ts
-- fails when they differ (then write a new migration with the new text).
CREATE OR REPLACE FUNCTION "paperboy_hand_over"(ids int[], attempts int[], worker text)
  RETURNS TABLE (id int, handed boolean) LANGUAGE plpgsql
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $fn$
#variable_conflict use_column
BEGIN
  PERFORM pg_advisory_xact_lock(28776, x.s) FROM (SELECT DISTINCT d.subscriber_id AS s FROM delivery d WHERE d.id = ANY(ids) ORDER BY 1) x;
  RETURN QUERY
  WITH input AS (
    SELECT * FROM unnest(ids, attempts) AS u(id, attempt)
  ), mine AS (
    SELECT d.id, d.attempt, d.subscriber_id, d.papers FROM delivery d JOIN input ON input.id = d.id AND input.attempt = d.attempt
     WHERE d.id = ANY(ids) AND d.status::text = 'claimed' AND d.worker_id = worker
  ), clear AS (
    SELECT d.id, d.attempt FROM mine d
     WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(d.papers) AS e(p) WHERE (EXISTS (SELECT 1 FROM mailed_paper m
                  WHERE m.subscriber_id = d.subscriber_id AND m.paper_id = (e.p->>'paperId')::int AND m.delivery_id <> d.id)
        OR EXISTS (SELECT 1 FROM reader_mailed r
                  WHERE r.subscriber_id = d.subscriber_id AND (e.p->>'paperId')::int = ANY(r.paper_ids))
        OR EXISTS (SELECT 1 FROM delivery o
                  WHERE o.subscriber_id = d.subscriber_id AND o.id <> d.id AND o.status::text IN ('handed', 'unknown')
                    AND o.papers @> jsonb_build_array(jsonb_build_object('paperId', e.p->'paperId')))))
       -- two deliveries of one reader in this batch with a paper in common: the older one goes first
       AND NOT EXISTS (SELECT 1 FROM mine b CROSS JOIN LATERAL jsonb_array_elements(d.papers) AS e(p)
                        WHERE b.subscriber_id = d.subscriber_id AND b.id < d.id
                          AND b.papers @> jsonb_build_array(jsonb_build_object('paperId', e.p->'paperId')))
  ), done AS (
    UPDATE delivery d SET status = 'handed', handed_at = now()
      FROM clear
     WHERE d.id = ANY(ARRAY(SELECT clear.id FROM clear)) AND d.id = clear.id AND d.attempt = clear.attempt
       AND d.status::text = 'claimed' AND d.worker_id = worker
    RETURNING d.id
  )
  SELECT mine.id, done.id IS NOT NULL FROM mine LEFT JOIN done ON done.id = mine.id;
END
$fn$;
