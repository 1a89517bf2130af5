-- Retention (DELIVERY_RETENTION, src/jobs/retention.ts): mailed_paper, a row per paper mailed to a
-- reader and the largest table, becomes partitioned by month of mailed_at, so a month older than
-- the retention is dropped whole (a catalog change) instead of deleted row by row; before it goes,
-- its papers are folded into reader_mailed, one row per reader, so "never twice" outlives it.
-- Written by hand: Prisma describes neither partitions nor the default partition (its diff sees the
-- key change only; scripts/db-diff.ts compares schemas, never a database, so it stays clean).

-- the table as it was, renamed out of the way (index names are per schema)
ALTER TABLE "mailed_paper" RENAME TO "mailed_paper_unpartitioned";
ALTER INDEX "mailed_paper_pkey" RENAME TO "mailed_paper_unpartitioned_pkey";
ALTER INDEX "mailed_paper_paper_id_idx" RENAME TO "mailed_paper_unpartitioned_paper_id_idx";
ALTER INDEX "mailed_paper_delivery_id_idx" RENAME TO "mailed_paper_unpartitioned_delivery_id_idx";

-- CreateTable: a partitioned table's key must hold the partition key (mailed_at); one row per reader
-- and paper is kept by the insert (RECORD_MAILED in src/db/deliveries.ts)
CREATE TABLE "mailed_paper" (
    "subscriber_id" INTEGER NOT NULL,
    "paper_id" INTEGER NOT NULL,
    "delivery_id" INTEGER NOT NULL,
    "mailed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mailed_paper_pkey" PRIMARY KEY ("subscriber_id", "paper_id", "mailed_at")
) PARTITION BY RANGE ("mailed_at");

CREATE INDEX "mailed_paper_paper_id_idx" ON "mailed_paper"("paper_id");
CREATE INDEX "mailed_paper_delivery_id_idx" ON "mailed_paper"("delivery_id");
ALTER TABLE "mailed_paper" ADD CONSTRAINT "mailed_paper_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "mailed_paper" ADD CONSTRAINT "mailed_paper_paper_id_fkey" FOREIGN KEY ("paper_id") REFERENCES "paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "mailed_paper" ADD CONSTRAINT "mailed_paper_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- rows of a month without its partition land here (the job creates months ahead, so it stays empty;
-- the job deletes what is older than the retention from it, row by row)
CREATE TABLE "mailed_paper_default" PARTITION OF "mailed_paper" DEFAULT;

-- The partition of the month of `day` (UTC months), created if missing: mailed_paper_YYYY_MM.
CREATE FUNCTION "paperboy_mailed_paper_month"(day timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  first timestamptz := date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  name text := 'mailed_paper_' || to_char(first AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
  IF to_regclass(quote_ident(name)) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF "mailed_paper" FOR VALUES FROM (%L) TO (%L)', name, first, first + interval '1 month');
  END IF;
  RETURN name;
END
$$;

-- a partition for every month that has rows, and this month and the next three
DO $$
DECLARE
  m timestamptz;
BEGIN
  FOR m IN
    SELECT DISTINCT date_trunc('month', mailed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM "mailed_paper_unpartitioned"
    UNION
    SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', interval '1 month') AT TIME ZONE 'UTC'
  LOOP
    PERFORM "paperboy_mailed_paper_month"(m);
  END LOOP;
END
$$;

INSERT INTO "mailed_paper" ("subscriber_id", "paper_id", "delivery_id", "mailed_at")
SELECT "subscriber_id", "paper_id", "delivery_id", "mailed_at" FROM "mailed_paper_unpartitioned";
DROP TABLE "mailed_paper_unpartitioned";

CREATE TRIGGER "mailed_paper_skip_erased" BEFORE INSERT ON "mailed_paper" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();

-- CreateTable
CREATE TABLE "reader_mailed" (
    "subscriber_id" INTEGER NOT NULL,
    "paper_ids" INTEGER[] NOT NULL,
    "mailed_through" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reader_mailed_pkey" PRIMARY KEY ("subscriber_id")
);

-- AddForeignKey
ALTER TABLE "reader_mailed" ADD CONSTRAINT "reader_mailed_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TRIGGER "reader_mailed_skip_erased" BEFORE INSERT ON "reader_mailed" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();
