-- Delivery statuses: "sending" meant both "claimed" and "handed to the relay". It is split into
-- claimed (nothing went over SMTP yet) and handed (recorded before the message data went out), and
-- unknown is added (handed, the final reply never came). A row left in "sending" by the old code
-- cannot say which it was: it becomes handed, the conservative reading (its worker has no lock key,
-- so it is found gone and the row becomes unknown, for an operator to settle).
-- (Hand-edited from `npm run db:diff`: no BEGIN/COMMIT inside the migrator's transaction, the old
-- value mapped, sending_at renamed instead of dropped.)
CREATE TYPE "DeliveryStatus_new" AS ENUM ('queued', 'claimed', 'handed', 'sent', 'failed', 'unknown');
ALTER TABLE "delivery" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "delivery" ALTER COLUMN "status" TYPE "DeliveryStatus_new"
  USING (CASE "status"::text WHEN 'sending' THEN 'handed' ELSE "status"::text END)::"DeliveryStatus_new";
ALTER TABLE "delivery_attempt" ALTER COLUMN "status" TYPE "DeliveryStatus_new"
  USING (CASE "status"::text WHEN 'sending' THEN 'unknown' ELSE "status"::text END)::"DeliveryStatus_new";
ALTER TYPE "DeliveryStatus" RENAME TO "DeliveryStatus_old";
ALTER TYPE "DeliveryStatus_new" RENAME TO "DeliveryStatus";
DROP TYPE "DeliveryStatus_old";
ALTER TABLE "delivery" ALTER COLUMN "status" SET DEFAULT 'queued';

-- AlterTable
ALTER TABLE "delivery" RENAME COLUMN "sending_at" TO "claimed_at";
ALTER TABLE "delivery" ADD COLUMN     "handed_at" TIMESTAMPTZ(3),
ADD COLUMN     "smtp_exchange" TEXT,
ADD COLUMN     "unknown_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "delivery_attempt" ADD COLUMN     "smtp_exchange" TEXT;

-- AlterTable
ALTER TABLE "worker" ADD COLUMN     "lock_key" SERIAL NOT NULL;

-- CreateTable
CREATE TABLE "digest_paper" (
    "digest_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "paper_id" INTEGER NOT NULL,
    "paper" JSONB NOT NULL,

    CONSTRAINT "digest_paper_pkey" PRIMARY KEY ("digest_id","position")
);

-- CreateIndex
CREATE UNIQUE INDEX "digest_paper_digest_id_paper_id_key" ON "digest_paper"("digest_id", "paper_id");

-- CreateIndex
CREATE UNIQUE INDEX "worker_lock_key_key" ON "worker"("lock_key");

-- AddForeignKey
ALTER TABLE "digest_paper" ADD CONSTRAINT "digest_paper_digest_id_fkey" FOREIGN KEY ("digest_id") REFERENCES "digest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Freeze the digests built before this migration: each gets the papers its deliveries name, as
-- they are now (the rendering of a delivery needs exactly those).
INSERT INTO "digest_paper" ("digest_id", "position", "paper_id", "paper")
SELECT u.digest_id, (row_number() OVER (PARTITION BY u.digest_id ORDER BY u.paper_id))::int - 1, u.paper_id,
       jsonb_build_object(
         'id', p.id, 'arxivId', p.arxiv_id, 'title', p.title, 'abstract', p.abstract,
         'authorCount', p.author_count, 'authors', to_jsonb(p.authors), 'organization', p.organization,
         'publishedOn', to_char(p.published_on, 'YYYY-MM-DD'), 'upvotes', p.upvotes)
  FROM (SELECT DISTINCT d.digest_id, (e->>'paperId')::int AS paper_id
          FROM "delivery" d CROSS JOIN LATERAL jsonb_array_elements(d.papers) AS e) u
  JOIN "paper" p ON p.id = u.paper_id;
