-- Retention (DELIVERY_RETENTION, src/jobs/retention.ts): delivery, a row per digest and reader, and
-- delivery_attempt, about a row per delivery, become partitioned by digest (RANGE on digest_id, 32
-- digests a partition: about a month of daily digests), so the deliveries of a month older than the
-- retention are dropped whole (a catalog change) instead of deleted 5,000 rows at a time.
-- Why digest_id and not a time: (digest_id, subscriber_id) is unique (one delivery per reader and
-- digest) and a partitioned table's unique keys must hold the partition key: digest_id is in it
-- already, is written by every insert and never changes, so no insert changes and the key keeps its
-- meaning. queued_at changes on a resend (the row would move), and a new time column would have to be
-- written by every insert and could split one digest's deliveries over two partitions (a build
-- across midnight), where the key could no longer be unique.
-- What references delivery.id: delivery_attempt gets digest_id and the same partitions, dropped with
-- delivery's in one transaction. No foreign key points at delivery any more: one could only reference
-- (id, digest_id), and PostgreSQL refuses to drop a referenced partition, and detaching one first
-- scans every referencing row (3.4 s for 1,000,000 rows here, under a lock every send waits for). The
-- trigger paperboy_delivery_deleted does what the cascades did when a delivery row is deleted.
-- Written by hand: Prisma describes neither partitions nor a relation without its foreign key (its
-- diff sees the key changes only; scripts/db-diff.ts compares schemas, never a database, so it stays
-- clean).

ALTER TABLE "mailed_paper" DROP CONSTRAINT "mailed_paper_delivery_id_fkey";
ALTER TABLE "delivery_attempt" DROP CONSTRAINT "delivery_attempt_delivery_id_fkey";
ALTER TABLE "inbound_report" DROP CONSTRAINT "inbound_report_delivery_id_fkey";

-- the tables as they were, renamed out of the way (index names are per schema)
ALTER TABLE "delivery" RENAME TO "delivery_unpartitioned";
ALTER INDEX "delivery_pkey" RENAME TO "delivery_unpartitioned_pkey";
ALTER INDEX "delivery_digest_id_subscriber_id_key" RENAME TO "delivery_unpartitioned_digest_id_subscriber_id_key";
ALTER INDEX "delivery_status_next_try_at_id_idx" RENAME TO "delivery_unpartitioned_status_next_try_at_id_idx";
ALTER INDEX "delivery_digest_id_status_idx" RENAME TO "delivery_unpartitioned_digest_id_status_idx";
ALTER INDEX "delivery_subscriber_id_idx" RENAME TO "delivery_unpartitioned_subscriber_id_idx";
ALTER TABLE "delivery_attempt" RENAME TO "delivery_attempt_unpartitioned";
ALTER INDEX "delivery_attempt_pkey" RENAME TO "delivery_attempt_unpartitioned_pkey";
ALTER INDEX "delivery_attempt_delivery_id_idx" RENAME TO "delivery_attempt_unpartitioned_delivery_id_idx";

-- CreateTable (the columns in their order, the ids from the same sequences)
CREATE TABLE "delivery" (
    "id" INTEGER NOT NULL DEFAULT nextval('delivery_id_seq'),
    "digest_id" INTEGER NOT NULL,
    "subscriber_id" INTEGER NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'queued',
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "tries" INTEGER NOT NULL DEFAULT 0,
    "papers" JSONB NOT NULL,
    "message_id" TEXT,
    "worker_id" TEXT,
    "next_try_at" TIMESTAMPTZ(3),
    "smtp_response" TEXT,
    "error_code" TEXT,
    "last_error" TEXT,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "handed_at" TIMESTAMPTZ(3),
    "smtp_exchange" TEXT,
    "unknown_at" TIMESTAMPTZ(3),

    CONSTRAINT "delivery_pkey" PRIMARY KEY ("id", "digest_id")
) PARTITION BY RANGE ("digest_id");
ALTER SEQUENCE "delivery_id_seq" OWNED BY "delivery"."id";

CREATE TABLE "delivery_attempt" (
    "id" INTEGER NOT NULL DEFAULT nextval('delivery_attempt_id_seq'),
    "delivery_id" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status" "DeliveryStatus" NOT NULL,
    "message_id" TEXT,
    "smtp_response" TEXT,
    "error_code" TEXT,
    "worker_id" TEXT,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "smtp_exchange" TEXT,
    "digest_id" INTEGER NOT NULL,

    CONSTRAINT "delivery_attempt_pkey" PRIMARY KEY ("id", "digest_id")
) PARTITION BY RANGE ("digest_id");
ALTER SEQUENCE "delivery_attempt_id_seq" OWNED BY "delivery_attempt"."id";

CREATE UNIQUE INDEX "delivery_digest_id_subscriber_id_key" ON "delivery"("digest_id", "subscriber_id");
CREATE INDEX "delivery_status_next_try_at_id_idx" ON "delivery"("status", "next_try_at", "id");
CREATE INDEX "delivery_digest_id_status_idx" ON "delivery"("digest_id", "status");
CREATE INDEX "delivery_subscriber_id_idx" ON "delivery"("subscriber_id");
CREATE INDEX "delivery_attempt_delivery_id_idx" ON "delivery_attempt"("delivery_id");
ALTER TABLE "delivery" ADD CONSTRAINT "delivery_digest_id_fkey" FOREIGN KEY ("digest_id") REFERENCES "digest"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "delivery" ADD CONSTRAINT "delivery_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- rows of digests without their partition land here (the job creates them ahead, so it stays empty
-- but for the unfinished deliveries of a dropped month, moved here; the job deletes the finished rows
-- older than the retention from it, row by row)
CREATE TABLE "delivery_default" PARTITION OF "delivery" DEFAULT;
CREATE TABLE "delivery_attempt_default" PARTITION OF "delivery_attempt" DEFAULT;

-- The partitions of delivery and delivery_attempt holding digest `digest` (32 digest ids each, from a
-- multiple of 32), created if missing: delivery_digests_<from>_<to> and delivery_attempt_digests_<from>_<to>.
CREATE FUNCTION "paperboy_delivery_partition"(digest integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  first integer := (digest / 32) * 32;
  suffix text := 'digests_' || first || '_' || (first + 32);
BEGIN
  IF to_regclass(quote_ident('delivery_' || suffix)) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF "delivery" FOR VALUES FROM (%s) TO (%s)', 'delivery_' || suffix, first, first + 32);
  END IF;
  IF to_regclass(quote_ident('delivery_attempt_' || suffix)) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF "delivery_attempt" FOR VALUES FROM (%s) TO (%s)', 'delivery_attempt_' || suffix, first, first + 32);
  END IF;
  RETURN 'delivery_' || suffix;
END
$$;

-- a partition for every digest range that has deliveries, and for the next digest's and two more
DO $$
DECLARE
  d integer;
  next_digest integer := (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM "digest_id_seq");
BEGIN
  FOR d IN
    SELECT DISTINCT ("digest_id" / 32) * 32 FROM "delivery_unpartitioned"
    UNION
    SELECT generate_series(next_digest, next_digest + 64, 32)
  LOOP
    PERFORM "paperboy_delivery_partition"(d);
  END LOOP;
END
$$;

INSERT INTO "delivery" ("id", "digest_id", "subscriber_id", "status", "attempt", "tries", "papers", "message_id", "worker_id", "next_try_at",
                        "smtp_response", "error_code", "last_error", "queued_at", "claimed_at", "sent_at", "failed_at", "handed_at", "smtp_exchange", "unknown_at")
SELECT "id", "digest_id", "subscriber_id", "status", "attempt", "tries", "papers", "message_id", "worker_id", "next_try_at",
       "smtp_response", "error_code", "last_error", "queued_at", "claimed_at", "sent_at", "failed_at", "handed_at", "smtp_exchange", "unknown_at"
  FROM "delivery_unpartitioned";
INSERT INTO "delivery_attempt" ("id", "delivery_id", "attempt", "status", "message_id", "smtp_response", "error_code", "worker_id", "reason", "at", "smtp_exchange", "digest_id")
SELECT a."id", a."delivery_id", a."attempt", a."status", a."message_id", a."smtp_response", a."error_code", a."worker_id", a."reason", a."at", a."smtp_exchange", d."digest_id"
  FROM "delivery_attempt_unpartitioned" a JOIN "delivery_unpartitioned" d ON d."id" = a."delivery_id";
DROP TABLE "delivery_attempt_unpartitioned";
DROP TABLE "delivery_unpartitioned";

CREATE TRIGGER "delivery_skip_erased" BEFORE INSERT ON "delivery" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();

-- What the foreign keys' cascades did when a delivery row is deleted (a building digest given up, a
-- subscriber deleted, the job's row-by-row expiry): its attempts and mailed papers go, inbound reports
-- forget it. Dropping a partition fires nothing: the job does it there (src/db/retention.ts).
CREATE FUNCTION "paperboy_delivery_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "delivery_attempt" WHERE "delivery_id" = OLD."id" AND "digest_id" = OLD."digest_id";
  DELETE FROM "mailed_paper" WHERE "delivery_id" = OLD."id";
  UPDATE "inbound_report" SET "delivery_id" = NULL WHERE "delivery_id" = OLD."id";
  RETURN NULL;
END
$$;
CREATE TRIGGER "delivery_deleted" AFTER DELETE ON "delivery" FOR EACH ROW EXECUTE FUNCTION "paperboy_delivery_deleted"();
