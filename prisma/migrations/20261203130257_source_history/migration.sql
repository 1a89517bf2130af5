-- AlterTable
ALTER TABLE "snapshot" ADD COLUMN     "history" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "backfill_day" (
    "source" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "outcome" TEXT NOT NULL,
    "snapshot_id" INTEGER,
    "papers" INTEGER NOT NULL DEFAULT 0,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backfill_day_pkey" PRIMARY KEY ("source","day")
);
