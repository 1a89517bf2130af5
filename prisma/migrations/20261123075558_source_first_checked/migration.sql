-- AlterTable
ALTER TABLE "source_state" ADD COLUMN     "first_checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
